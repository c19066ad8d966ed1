"""What a window's record says about how it went: planned and actual length, overrun."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from maintctl.domain import bounds
from maintctl.domain.model import Window
from maintctl.domain.times import format_duration

ZERO = timedelta(0)


def planned(window: Window) -> timedelta:
    """How long the window was planned to last."""
    return window.spec.end - window.spec.start


def actual(window: Window) -> timedelta | None:
    """How long the work really took, or None while it has not both started and stopped."""
    if window.actual_start is None or window.actual_end is None:
        return None
    return window.actual_end - window.actual_start


def overrun(window: Window) -> timedelta:
    """How long the work ran past the scheduled end (zero when on time or not yet known)."""
    if window.actual_start is None or window.actual_end is None:
        return ZERO
    return max(window.actual_end - window.spec.end, ZERO)


def percentile(ordered: Sequence[int], p: float) -> int:
    """The nearest-rank p-th percentile (0 < p <= 1) of values sorted ascending; needs one."""
    return ordered[max(math.ceil(p * len(ordered)), 1) - 1]


def _minutes(seconds: int) -> timedelta:
    # Whole minutes read better than 2h10m13s in a warning.
    return timedelta(minutes=round(seconds / 60))


def duration_warning(
    type_name: str, systems: Sequence[str], planned_length: timedelta, actual_seconds: Sequence[int]
) -> str | None:
    """A warning when `planned_length` is shorter than the p75 of similar windows' actual lengths.

    Silent with fewer than bounds.HISTORY_MIN_SAMPLES samples: a few windows teach nothing.
    """
    if len(actual_seconds) < bounds.HISTORY_MIN_SAMPLES:
        return None
    p75 = percentile(sorted(actual_seconds), 0.75)
    if planned_length.total_seconds() >= p75:
        return None
    on = ", ".join(systems)
    return (
        f"past {type_name}s on {on} ran {format_duration(_minutes(p75))} at p75; "
        f"you planned {format_duration(planned_length)}"
    )
