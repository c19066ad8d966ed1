from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import pairwise
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.config import load_config
from maintctl.domain import rules
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Booking, CalendarEvent, ItemKind, Severity, WindowSpec
from maintctl.domain.policy import MaintenanceType, Policy
from maintctl.domain.recurrence import window_occurrences
from maintctl.domain.rules import Context, check_spec, earliest_start
from maintctl.domain.slots import Slot, earliest_disjoint, find_slots

POLICY = load_config(None).policy
DST_POLICY = Policy.model_validate(
    {
        "types": {
            "brief-interruption": {
                "max_duration": "5m",
                "notice": "48h",
                "windows": ["berlin-sunday", "berlin-wednesday-night", "new-york-saturday-night"],
            },
            "planned-outage": {
                "max_duration": "2h",
                "notice": "7d",
                "windows": ["berlin-sunday", "new-york-saturday-night", "berlin-last-sunday"],
            },
            "extended-outage": {
                "max_duration": "4h",
                "notice": "14d",
                "windows": ["new-york-first-sunday"],
            },
            "emergency": {"notice": "0m", "windows": "any", "ignores_freezes": True},
        },
        "windows": {
            # Berlin's clocks change at 02:00/03:00 local on Sundays: inside this window.
            "berlin-sunday": {
                "days": ["sun"],
                "start": "01:00",
                "end": "05:00",
                "zone": "Europe/Berlin",
            },
            "berlin-wednesday-night": {
                "days": ["wed"],
                "start": "23:00",
                "end": "01:30",
                "zone": "Europe/Berlin",
            },
            # Starts inside the spring-forward gap on the last Sunday of March.
            "berlin-last-sunday": {
                "days": ["sun"],
                "nth": -1,
                "start": "02:30",
                "end": "04:00",
                "zone": "Europe/Berlin",
            },
            # New York's clocks change at 02:00 on Sunday: inside this night.
            "new-york-saturday-night": {
                "days": ["sat"],
                "start": "22:00",
                "end": "03:00",
                "zone": "America/New_York",
            },
            "new-york-first-sunday": {
                "days": ["sun"],
                "nth": 1,
                "start": "01:00",
                "end": "07:00",
                "zone": "America/New_York",
            },
        },
        "freezes": [
            {
                "name": "year-end",
                "from": "12-15 00:00",
                "until": "01-01 00:00",
                "zone": "Europe/Berlin",
            }
        ],
    }
)
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2030, 12, 31, 23, 55, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@cache
def anchors() -> tuple[datetime, ...]:
    """Instants worth starting near: days the clocks change in Berlin and New York, freezes."""
    found = []
    for zone in ("Europe/Berlin", "America/New_York"):
        tz = ZoneInfo(zone)
        day = utc(2025, 1, 1)
        while day < utc(2031, 1, 1):
            following = day + timedelta(days=1)
            if day.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
                found.append(day)
            day = following
    found += [utc(year, 12, 15) for year in range(2025, 2031)]
    return tuple(found)


@dataclass(frozen=True)
class Case:
    """One slot search: who asks when, for what, and what is already booked on `db`."""

    policy: Policy
    type: str
    now: datetime
    duration: timedelta
    span: Interval
    busy: tuple[Interval, ...]

    def __repr__(self) -> str:
        busy = ", ".join(f"{b.start:%Y-%m-%d %H:%M}-{b.end:%Y-%m-%d %H:%M}" for b in self.busy)
        return (
            f"Case(type={self.type!r}, now={self.now:%Y-%m-%d %H:%M}Z, "
            f"duration={self.duration}, span={self.span.start:%Y-%m-%d %H:%M}Z.."
            f"{self.span.end:%Y-%m-%d %H:%M}Z, busy=[{busy}])"
        )

    @property
    def rule(self) -> MaintenanceType:
        return self.policy.types[self.type]

    def slots(self, count: int = 5, handoffs: Sequence[datetime] = ()) -> list[Slot]:
        return find_slots(
            self.policy, self.rule, self.duration, self.span, self.busy, handoffs, count
        )

    def problems(self, start: datetime, events: Sequence[CalendarEvent] = ()) -> list[str]:
        """The rules check_spec finds broken by a request of this case starting at `start`."""
        request = WindowSpec(self.type, start, start + self.duration, ["db"], "sre", "slot")
        bookings = [
            Booking(f"MNT-2025-{i:04d}", b.start, b.end, frozenset({"db"}))
            for i, b in enumerate(self.busy, 1)
        ]
        ctx = Context(self.now, bookings, events, {"rota": Severity.BLOCK} if events else {})
        return [p.rule for p in check_spec(request, self.policy, ctx).problems]


def timed_types(policy: Policy) -> list[str]:
    return [name for name, rule in policy.types.items() if rule.max_duration is not None]


@st.composite
def cases(draw: st.DrawFn, policy: Policy, step: int = 5, max_days: int = 35) -> Case:
    """Random requests whose every instant is a multiple of `step` minutes."""
    unit = timedelta(minutes=step)
    name = draw(st.sampled_from(timed_types(policy)))
    rule = policy.types[name]
    near = draw(st.one_of(st.none(), st.sampled_from(anchors())))
    if near is None:
        now = FIRST + unit * draw(st.integers(0, (LAST - FIRST) // unit))
    else:
        # Asked so that the earliest start lands a little before or after the interesting day.
        offset = draw(st.integers(-10 * 1440 // step, 3 * 1440 // step))
        now = min(max(near - rule.notice + unit * offset, FIRST), LAST)
    assert rule.max_duration is not None
    duration = unit * draw(st.integers(1, rule.max_duration // unit))
    start = earliest_start(rule, now)
    span = Interval(start, start + unit * draw(st.integers(1, max_days * 1440 // step)))
    busy = draw(
        st.lists(
            st.builds(
                lambda at, length: Interval(start + unit * at, start + unit * (at + length)),
                st.integers(-1440 // step, 21 * 1440 // step),
                st.one_of(st.integers(1, 6 * 60 // step), st.integers(1, 3 * 1440 // step)),
            ),
            max_size=6,
        )
    )
    return Case(policy, name, now, duration, span, tuple(busy))


@contextmanager
def cheap_fix_hints() -> Iterator[None]:
    # The fix text looks 400 days ahead for the next window that fits; whether a problem is
    # found does not depend on it, and scanning thousands of starts with it would take minutes.
    with mock.patch.object(rules, "_fits_hint", lambda *args: "elsewhere"):
        yield


def assert_every_slot_passes_the_rules(case: Case) -> None:
    for slot in case.slots():
        assert case.problems(slot.start) == [], slot


def assert_nothing_valid_before_the_first_slot(case: Case, step: int) -> None:
    found = case.slots(count=1)
    stop = found[0].start if found else case.span.end
    start = case.span.start
    with cheap_fix_hints():
        while start < stop:
            assert case.problems(start), f"{start:%Y-%m-%d %H:%M}Z is valid but {found} was found"
            start += timedelta(minutes=step)


def assert_slots_are_ordered_and_disjoint(case: Case, count: int) -> None:
    found = case.slots(count=count)
    assert len(found) <= count
    for slot in found:
        assert slot.end - slot.start == case.duration
        assert case.span.start <= slot.start < case.span.end
        assert slot.start.second == slot.start.microsecond == 0
        assert case.rule.windows == "any" or slot.window in case.rule.windows
    for before, after in pairwise(found):
        assert before.end <= after.start


@settings(max_examples=150, deadline=None)
@given(case=cases(POLICY))
def test_every_slot_found_passes_every_rule(case: Case) -> None:
    assert_every_slot_passes_the_rules(case)


@settings(max_examples=75, deadline=None)
@given(case=cases(POLICY))
def test_no_start_before_the_first_slot_passes_the_rules(case: Case) -> None:
    assert_nothing_valid_before_the_first_slot(case, step=5)


@settings(max_examples=15, deadline=None)
@given(case=cases(POLICY, step=1, max_days=10))
def test_no_minute_before_the_first_slot_passes_the_rules(case: Case) -> None:
    assert_nothing_valid_before_the_first_slot(case, step=1)


@settings(max_examples=150, deadline=None)
@given(case=cases(POLICY), count=st.integers(1, 8))
def test_slots_come_in_order_and_do_not_overlap(case: Case, count: int) -> None:
    assert_slots_are_ordered_and_disjoint(case, count)


@settings(max_examples=150, deadline=None)
@given(case=cases(DST_POLICY))
def test_every_slot_in_zones_with_daylight_saving_passes_every_rule(case: Case) -> None:
    assert_every_slot_passes_the_rules(case)
    for slot in case.slots():
        occurrences = window_occurrences(
            case.policy.windows[slot.window], Interval(slot.start, slot.end)
        )
        assert any(occ.contains(Interval(slot.start, slot.end)) for occ in occurrences)


@settings(max_examples=60, deadline=None)
@given(case=cases(DST_POLICY))
def test_no_start_before_the_first_slot_in_zones_with_daylight_saving_passes_the_rules(
    case: Case,
) -> None:
    assert_nothing_valid_before_the_first_slot(case, step=5)


@settings(max_examples=100, deadline=None)
@given(case=cases(DST_POLICY), count=st.integers(1, 8))
def test_slots_in_zones_with_daylight_saving_come_in_order_and_do_not_overlap(
    case: Case, count: int
) -> None:
    assert_slots_are_ordered_and_disjoint(case, count)


def rota(case: Case, handoffs: Sequence[datetime]) -> list[CalendarEvent]:
    """Back-to-back shifts covering well past the span, changing hands at `handoffs`."""
    edges = [case.span.start - timedelta(days=2), *handoffs, case.span.end + timedelta(days=2)]
    return [
        CalendarEvent("rota", ItemKind.ONCALL, Severity.INFO, f"shift {i}", start, end)
        for i, (start, end) in enumerate(pairwise(edges))
    ]


@st.composite
def cases_with_handoffs(draw: st.DrawFn) -> tuple[Case, list[datetime]]:
    """Cases with handoffs, most of them early in the allowed windows where slots would start."""
    case = draw(cases(POLICY, max_days=14))
    unit = timedelta(minutes=5)
    windows = [occ for _, occ in rules.allowed_spans(case.policy, case.rule, case.span)][:6]
    reach = max(2, 2 * case.duration // unit)
    inside = [
        occ.start + unit * draw(st.integers(1, max(1, min(occ.duration // unit - 1, reach))))
        for occ in windows
        if draw(st.integers(0, 3))
    ]
    offsets = draw(st.lists(st.integers(1, 14 * 288), max_size=3))
    handoffs = {*inside, *(case.span.start + unit * n for n in offsets)}
    return case, sorted(h for h in handoffs if h < case.span.end + timedelta(days=2))


@settings(max_examples=50, deadline=None)
@given(data=cases_with_handoffs())
def test_slots_never_span_an_on_call_handoff_and_nothing_earlier_fits(
    data: tuple[Case, list[datetime]],
) -> None:
    case, handoffs = data
    events = rota(case, handoffs)
    found = case.slots(handoffs=handoffs)
    for slot in found:
        assert not any(slot.start < h < slot.end for h in handoffs)
        assert case.problems(slot.start, events) == []
    stop = found[0].start if found else case.span.end
    start = case.span.start
    with cheap_fix_hints():
        while start < stop:
            assert case.problems(start, events), start
            start += timedelta(minutes=5)


def default_case(
    type_: str,
    now: datetime,
    duration: timedelta,
    days: int = 30,
    busy: Sequence[Interval] = (),
    policy: Policy = POLICY,
) -> Case:
    start = earliest_start(policy.types[type_], now)
    return Case(
        policy, type_, now, duration, Interval(start, start + timedelta(days=days)), tuple(busy)
    )


def starts(found: Sequence[Slot]) -> list[tuple[datetime, str]]:
    return [(s.start, s.window) for s in found]


def test_it_offers_the_next_wednesday_and_sunday_windows_after_a_weeks_notice() -> None:
    case = default_case("planned-outage", utc(2026, 3, 2, 10), timedelta(hours=2))
    assert starts(case.slots()) == [
        (utc(2026, 3, 11, 2), "secondary"),
        (utc(2026, 3, 15, 2), "primary"),
        (utc(2026, 3, 15, 4), "primary"),
        (utc(2026, 3, 18, 2), "secondary"),
        (utc(2026, 3, 22, 2), "primary"),
    ]


def test_it_returns_no_more_slots_than_asked_for() -> None:
    case = default_case("planned-outage", utc(2026, 3, 2, 10), timedelta(hours=2))
    assert len(case.slots(count=2)) == 2


def test_it_starts_after_a_booking_on_the_same_system() -> None:
    busy = [Interval(utc(2026, 3, 11, 1), utc(2026, 3, 11, 3))]
    case = default_case("planned-outage", utc(2026, 3, 2, 10), timedelta(hours=1), busy=busy)
    assert starts(case.slots(count=2)) == [
        (utc(2026, 3, 11, 3), "secondary"),
        (utc(2026, 3, 15, 2), "primary"),
    ]


def test_it_skips_the_year_end_freeze() -> None:
    case = default_case("planned-outage", utc(2026, 12, 1), timedelta(hours=2), days=60)
    assert starts(case.slots()) == [
        (utc(2026, 12, 9, 2), "secondary"),
        (utc(2026, 12, 13, 2), "primary"),
        (utc(2026, 12, 13, 4), "primary"),
        (utc(2027, 1, 3, 2), "primary"),
        (utc(2027, 1, 3, 4), "primary"),
    ]


def test_an_extended_outage_waits_for_the_first_sunday() -> None:
    case = default_case("extended-outage", utc(2026, 3, 2, 10), timedelta(hours=4), days=60)
    assert starts(case.slots(count=2)) == [
        (utc(2026, 4, 5, 2), "extended"),
        (utc(2026, 5, 3, 2), "extended"),
    ]


def test_a_slot_moves_past_an_on_call_handoff() -> None:
    case = default_case("planned-outage", utc(2026, 3, 5, 10), timedelta(hours=2))
    found = case.slots(count=1, handoffs=[utc(2026, 3, 15, 3)])
    assert starts(found) == [(utc(2026, 3, 15, 3), "primary")]


def test_a_slot_may_start_or_end_at_a_handoff() -> None:
    case = default_case("planned-outage", utc(2026, 3, 5, 10), timedelta(hours=2))
    found = case.slots(count=2, handoffs=[utc(2026, 3, 15, 4)])
    assert starts(found) == [(utc(2026, 3, 15, 2), "primary"), (utc(2026, 3, 15, 4), "primary")]


def test_slots_start_on_whole_minutes_when_notice_ends_mid_minute() -> None:
    rule = POLICY.types["emergency"]
    span = Interval(utc(2026, 3, 2, 10, 0, 30), utc(2026, 3, 2, 12))
    found = find_slots(POLICY, rule, timedelta(minutes=30), span, [], count=1)
    assert [s.start for s in found] == [utc(2026, 3, 2, 10, 1)]


def test_in_berlin_the_sunday_window_follows_the_clocks_forward() -> None:
    case = default_case(
        "planned-outage", utc(2026, 3, 21), timedelta(hours=2), days=2, policy=DST_POLICY
    )
    # Sunday 29 March 2026: 01:00 CET is 00:00Z and 05:00 CEST is 03:00Z, so the Berlin window
    # holds one two-hour slot; New York, already on EDT, runs 02:00Z to 07:00Z.
    assert starts(case.slots()) == [
        (utc(2026, 3, 29, 0), "berlin-sunday"),
        (utc(2026, 3, 29, 2), "new-york-saturday-night"),
        (utc(2026, 3, 29, 4), "new-york-saturday-night"),
    ]


def test_earliest_disjoint_keeps_the_earliest_of_overlapping_candidates() -> None:
    a = Slot(utc(2026, 3, 15, 2), utc(2026, 3, 15, 4), "primary")
    b = Slot(utc(2026, 3, 15, 3), utc(2026, 3, 15, 5), "extended")
    c = Slot(utc(2026, 3, 15, 4), utc(2026, 3, 15, 6), "extended")
    assert earliest_disjoint([c, b, a], 5) == [a, c]


def test_a_slot_that_starts_inside_the_span_never_runs_into_a_freeze_after_it() -> None:
    # A window from 22:00 Sunday to 04:00 Monday holds the start of the freeze at 00:00 on
    # 15 December 2025; the span ends before the freeze begins, so the freeze must still count.
    policy = Policy.model_validate(
        {
            "types": {"outage": {"max_duration": "4h", "windows": ["late"]}},
            "windows": {"late": {"days": ["sun"], "start": "22:00", "end": "04:00"}},
            "freezes": [{"name": "year-end", "from": "12-15 00:00", "until": "01-01 00:00"}],
        }
    )
    case = Case(
        policy,
        "outage",
        utc(2025, 12, 10),
        timedelta(hours=3),
        Interval(utc(2025, 12, 10), utc(2025, 12, 14, 23)),
        (),
    )
    for slot in case.slots():
        assert case.problems(slot.start) == [], slot
