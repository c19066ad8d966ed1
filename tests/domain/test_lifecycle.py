"""The start rule's 15-minute grace, over any moment around the scheduled start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain import lifecycle
from maintctl.domain.errors import RuleViolation, StateError
from maintctl.domain.model import Status, Window, WindowSpec

START = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def window(status: Status = Status.SCHEDULED) -> Window:
    spec = WindowSpec("planned-outage", START, START + timedelta(hours=2), ["db"], "sre", "x")
    return Window("MNT-2026-0001", status, spec, "rita", START, START)


@settings(max_examples=200)  # 200 moments within a day either side of the start
@given(offset=st.integers(min_value=-86_400, max_value=86_400), early=st.booleans())
def test_a_start_is_refused_only_when_too_early_and_not_marked_early(
    offset: int, early: bool
) -> None:
    now = START + timedelta(seconds=offset)
    too_early = START - now > lifecycle.EARLY_GRACE
    if too_early and not early:
        with pytest.raises(RuleViolation):
            lifecycle.check_start(window(), now, early)
    else:
        lifecycle.check_start(window(), now, early)


def test_the_grace_ends_exactly_15_minutes_before_the_start() -> None:
    lifecycle.check_start(window(), START - timedelta(minutes=15), early=False)
    with pytest.raises(RuleViolation):
        lifecycle.check_start(window(), START - timedelta(minutes=15, seconds=1), early=False)


def test_only_a_scheduled_window_starts_even_when_early() -> None:
    for status in set(Status) - {Status.SCHEDULED}:  # 8 other states
        with pytest.raises(StateError):
            lifecycle.check_start(window(status), START, early=True)
