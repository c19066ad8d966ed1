"""What a window's record says after the fact: how far it ran past its plan."""

from __future__ import annotations

from datetime import timedelta

from maintctl.domain.model import Window


def overrun(window: Window) -> timedelta:
    """Time past the scheduled end: max(actual_end - spec.end, 0) when both are known, else 0."""
    if window.actual_end is None:
        return timedelta(0)
    return max(window.actual_end - window.spec.end, timedelta(0))
