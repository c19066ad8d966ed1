"""The SLA rule (domain/sla.py) and a window's overrun (domain/history.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain import sla
from maintctl.domain.errors import RuleViolation
from maintctl.domain.history import duration_warning, overrun, percentile
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Status, Window, WindowSpec

T0 = datetime(2026, 11, 8, 2, 0, tzinfo=UTC)
NOVEMBER = sla.month_period("2026-11")
MINUTE = timedelta(minutes=1)


def ran(
    start: datetime,
    minutes: int,
    planned: int,
    kind: sla.Sla = sla.Sla.EXCLUDED,
    type_name: str = "planned-outage",
) -> sla.Ran:
    return sla.Ran(type_name, kind, start + planned * MINUTE, start, start + minutes * MINUTE)


def window(start: datetime, planned: int, actual: int | None) -> Window:
    spec = WindowSpec("planned-outage", start, start + planned * MINUTE, ["db"], "o", "d")
    end = start + actual * MINUTE if actual is not None else None
    made = Window("MNT-2026-001", Status.COMPLETED, spec, "o", start, start)
    return replace(made, actual_start=start, actual_end=end)


def test_an_overrun_of_20_minutes_counts_20_minutes() -> None:
    got = sla.share(ran(T0, 140, 120), NOVEMBER)
    assert got.total == 140 * MINUTE
    assert got.counted_time == 20 * MINUTE
    assert got.counted == Interval(T0 + 120 * MINUTE, T0 + 140 * MINUTE)
    assert got.per_agreement == timedelta(0)
    assert overrun(window(T0, 120, 140)) == 20 * MINUTE


def test_a_window_on_time_or_not_ended_has_no_overrun() -> None:
    assert overrun(window(T0, 120, 90)) == timedelta(0)
    assert overrun(window(T0, 120, None)) == timedelta(0)


def test_an_emergency_counts_whole_whatever_its_policy_says() -> None:
    got = sla.share(ran(T0, 45, 60, sla.Sla.EXCLUDED, "emergency"), NOVEMBER)
    assert got.counted_time == got.total == 45 * MINUTE


def test_a_counted_type_counts_whole() -> None:
    got = sla.share(ran(T0, 30, 60, sla.Sla.COUNTED, "brief-interruption"), NOVEMBER)
    assert got.counted_time == 30 * MINUTE


def test_per_agreement_minutes_are_apart_and_its_overrun_counts() -> None:
    got = sla.share(ran(T0, 250, 240, sla.Sla.PER_AGREEMENT, "extended-outage"), NOVEMBER)
    assert (got.total, got.counted_time, got.per_agreement) == (
        250 * MINUTE,
        10 * MINUTE,
        240 * MINUTE,
    )


def test_a_window_crossing_a_month_boundary_is_split_between_the_months() -> None:
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # planned 23:00-01:00, ran to 01:30
    window = ran(start, 150, 120)
    november = sla.share(window, sla.month_period("2026-11"))
    december = sla.share(window, sla.month_period("2026-12"))
    assert (november.total, november.counted_time) == (60 * MINUTE, timedelta(0))
    assert (december.total, december.counted_time) == (90 * MINUTE, 30 * MINUTE)


def test_availability_is_one_minus_the_share_of_the_period() -> None:
    assert NOVEMBER.duration == timedelta(days=30)
    assert sla.availability(timedelta(minutes=432), NOVEMBER) == pytest.approx(0.99)
    assert sla.availability(timedelta(0), NOVEMBER) == 1.0


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "november", "2026-11-01", "", "1969-12"])
def test_a_month_that_is_not_a_month_is_refused_by_name(text: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        sla.month_period(text)
    assert caught.value.problems[0].field == "month"


def test_december_ends_at_the_new_year() -> None:
    assert sla.month_period("2026-12").end == datetime(2027, 1, 1, tzinfo=UTC)


# Windows anywhere in 2026, up to 40 days long, ending before, on or after their plan.
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
lengths = st.integers(min_value=1, max_value=40 * 24 * 60)
kinds = st.sampled_from(list(sla.Sla))
types = st.sampled_from(["planned-outage", "emergency"])


def _months(first: datetime, last: datetime) -> list[Interval]:
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(sla.month_period(f"{year:04d}-{month:02d}"))
        year, month = year + month // 12, month % 12 + 1
    return found


@settings(max_examples=300, deadline=None)
@given(starts, lengths, lengths, kinds, types)
def test_minutes_are_never_negative_nor_more_than_the_window(
    start: datetime, actual: int, planned: int, kind: sla.Sla, type_name: str
) -> None:
    window = ran(start, actual, planned, kind, type_name)
    for month in _months(start, window.actual_end):
        got = sla.share(window, month)
        clipped = sla.clip(Interval(window.actual_start, window.actual_end), month)
        assert clipped is not None
        assert timedelta(0) <= got.counted_time <= got.total == clipped.duration
        assert timedelta(0) <= got.per_agreement <= got.total - got.counted_time


@settings(max_examples=300, deadline=None)
@given(starts, lengths, lengths, kinds, types)
def test_the_months_of_a_window_add_up_to_its_whole(
    start: datetime, actual: int, planned: int, kind: sla.Sla, type_name: str
) -> None:
    window = ran(start, actual, planned, kind, type_name)
    whole = sla.share(window, Interval(start - timedelta(days=1), start + timedelta(days=400)))
    parts = [sla.share(window, m) for m in _months(start, window.actual_end)]
    assert sum((p.total for p in parts), timedelta(0)) == whole.total == actual * MINUTE
    assert sum((p.counted_time for p in parts), timedelta(0)) == whole.counted_time
    assert sum((p.per_agreement for p in parts), timedelta(0)) == whole.per_agreement
    expected = max(actual - planned, 0) * MINUTE
    if type_name == "emergency" or kind == sla.Sla.COUNTED:
        expected = actual * MINUTE
    assert whole.counted_time == expected


def test_percentiles_are_nearest_rank() -> None:
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.9) == 90
    assert percentile(values, 0.75) == 80
    assert percentile([7], 0.9) == 7


def test_the_duration_warning_needs_five_samples_and_a_shorter_plan() -> None:
    past = [7800] * 5  # 2h10m each
    assert duration_warning("planned-outage", ["db"], timedelta(minutes=90), past) == (
        "past planned-outages on db ran 2h10m at p75; you planned 1h30m"
    )
    assert duration_warning("planned-outage", ["db"], timedelta(minutes=90), past[:4]) is None
    assert duration_warning("planned-outage", ["db"], timedelta(minutes=130), past) is None
