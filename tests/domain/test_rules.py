from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.config import load_config
from maintctl.domain.errors import ConflictError, RuleViolation, refuse
from maintctl.domain.model import (
    Booking,
    CalendarEvent,
    Conflict,
    ItemKind,
    Severity,
    WindowSpec,
)
from maintctl.domain.policy import Policy
from maintctl.domain.rules import Context, Verdict, check_spec, earliest_start
from maintctl.domain.times import parse_instant

POLICY = load_config(None).policy
# A Monday. Sundays that follow: 8, 15, 22, 29 March and 5 April (the first Sunday of April).
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def spec(
    type_: str, start: datetime, end: datetime, systems: Sequence[str] = ("db",)
) -> WindowSpec:
    return WindowSpec(type_, start, end, list(systems), "sre-team", "upgrade")


def check(
    request: WindowSpec,
    now: datetime = NOW,
    bookings: Sequence[Booking] = (),
    events: Sequence[CalendarEvent] = (),
    oncall: dict[str, Severity] | None = None,
) -> Verdict:
    return check_spec(request, POLICY, Context(now, bookings, events, oncall or {}))


def rules_of(verdict: Verdict) -> list[str]:
    return [p.rule for p in verdict.problems]


def the_problem(verdict: Verdict, rule: str) -> tuple[str, str]:
    (problem,) = [p for p in verdict.problems if p.rule == rule]
    return problem.message, problem.fix


def test_it_accepts_a_planned_outage_in_the_primary_window_with_a_weeks_notice() -> None:
    verdict = check(spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4)))
    assert verdict.problems == []
    assert verdict.conflicts == []


def test_it_accepts_a_planned_outage_that_fills_the_secondary_window() -> None:
    assert check(spec("planned-outage", utc(2026, 3, 11, 2), utc(2026, 3, 11, 4))).problems == []


def test_it_refuses_an_unknown_type_and_lists_the_known_ones() -> None:
    verdict = check(spec("outage-ish", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4)))
    assert rules_of(verdict) == ["unknown-type"]
    message, fix = the_problem(verdict, "unknown-type")
    assert "outage-ish" in message
    for name in POLICY.types:
        assert name in fix


@pytest.mark.parametrize("end", [utc(2026, 3, 15, 2), utc(2026, 3, 15, 1)])
def test_it_refuses_a_window_that_does_not_end_after_it_starts(end: datetime) -> None:
    verdict = check(spec("planned-outage", utc(2026, 3, 15, 2), end))
    assert rules_of(verdict) == ["end-after-start"]
    assert verdict.problems[0].field == "end"


def test_it_reports_an_unknown_type_and_a_backwards_window_together() -> None:
    verdict = check(spec("nope", utc(2026, 3, 15, 4), utc(2026, 3, 15, 2)))
    assert sorted(rules_of(verdict)) == ["end-after-start", "unknown-type"]


def test_it_refuses_a_customer_impacting_window_that_names_no_systems() -> None:
    verdict = check(spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4), systems=()))
    assert rules_of(verdict) == ["systems-required"]
    assert verdict.problems[0].field == "systems"


def test_it_accepts_a_zero_downtime_window_that_names_no_systems() -> None:
    verdict = check(spec("zero-downtime", utc(2026, 3, 4, 12), utc(2026, 3, 4, 20), systems=()))
    assert verdict.problems == []


def test_it_refuses_a_planned_outage_longer_than_two_hours() -> None:
    # The first Sunday's extended window is six hours long, so only the duration is wrong.
    verdict = check(spec("planned-outage", utc(2026, 4, 5, 2), utc(2026, 4, 5, 5)))
    assert rules_of(verdict) == ["max-duration"]
    message, fix = the_problem(verdict, "max-duration")
    assert "at most 2h" in message
    assert "3h" in message
    assert "end by 2026-04-05T04:00:00Z" in fix


def test_it_refuses_a_brief_interruption_of_six_minutes() -> None:
    verdict = check(spec("brief-interruption", utc(2026, 3, 15, 2), utc(2026, 3, 15, 2, 6)))
    assert rules_of(verdict) == ["max-duration"]


def test_it_accepts_a_planned_outage_of_exactly_two_hours() -> None:
    assert check(spec("planned-outage", utc(2026, 4, 5, 5), utc(2026, 4, 5, 7))).problems == []


def test_it_refuses_a_planned_outage_with_three_days_notice() -> None:
    verdict = check(
        spec("planned-outage", utc(2026, 3, 5, 2), utc(2026, 3, 5, 4)), now=utc(2026, 3, 2, 2)
    )
    assert "notice" in rules_of(verdict)
    message, _ = the_problem(verdict, "notice")
    assert "7d notice" in message
    assert "the earliest allowed start is 2026-03-09T02:00:00Z" in message


def test_the_notice_problem_names_the_earliest_start_and_the_next_window_that_fits() -> None:
    verdict = check(spec("planned-outage", utc(2026, 3, 8, 2), utc(2026, 3, 8, 4)))
    assert rules_of(verdict) == ["notice"]
    message, fix = the_problem(verdict, "notice")
    assert "the earliest allowed start is 2026-03-09T10:00:00Z" in message
    assert fix == (
        "the next window that fits is secondary, 2026-03-11T02:00:00Z to 2026-03-11T04:00:00Z"
    )


def test_the_earliest_allowed_start_is_rounded_up_to_a_whole_minute() -> None:
    now = utc(2026, 3, 2, 10, 0, 30)
    verdict = check(spec("planned-outage", utc(2026, 3, 8, 2), utc(2026, 3, 8, 4)), now=now)
    message, _ = the_problem(verdict, "notice")
    assert "the earliest allowed start is 2026-03-09T10:01:00Z" in message
    assert earliest_start(POLICY.types["planned-outage"], now) == utc(2026, 3, 9, 10, 1)


def test_it_accepts_a_start_exactly_one_notice_period_away() -> None:
    request = spec("zero-downtime", NOW + timedelta(hours=24), NOW + timedelta(hours=25))
    assert check(request).problems == []


def test_it_refuses_a_zero_downtime_window_a_minute_short_of_its_notice() -> None:
    start = NOW + timedelta(hours=24) - timedelta(minutes=1)
    verdict = check(spec("zero-downtime", start, start + timedelta(hours=1)))
    assert rules_of(verdict) == ["notice"]
    _, fix = the_problem(verdict, "notice")
    assert fix == "start at or after 2026-03-03T10:00:00Z"


def test_it_only_warns_of_an_emergency_that_starts_in_the_past() -> None:
    verdict = check(spec("emergency", NOW - timedelta(minutes=5), NOW + timedelta(hours=1)))
    assert rules_of(verdict) == []
    [warning] = verdict.conflicts
    assert (warning.name, warning.severity) == ("notice", Severity.WARN)
    assert "in the past" in warning.detail


def test_it_accepts_an_emergency_that_starts_now() -> None:
    assert check(spec("emergency", NOW, NOW + timedelta(hours=3))).problems == []


def test_it_refuses_a_planned_outage_outside_every_allowed_window() -> None:
    # Tuesday 10 March: no window on Tuesdays.
    verdict = check(spec("planned-outage", utc(2026, 3, 10, 2), utc(2026, 3, 10, 4)))
    assert rules_of(verdict) == ["allowed-window"]
    message, fix = the_problem(verdict, "allowed-window")
    assert "primary, secondary, extended" in message
    assert fix == (
        "the next window that fits is secondary, 2026-03-11T02:00:00Z to 2026-03-11T04:00:00Z"
    )


def test_it_refuses_a_planned_outage_that_runs_past_the_end_of_the_window() -> None:
    verdict = check(spec("planned-outage", utc(2026, 3, 15, 5), utc(2026, 3, 15, 7)))
    assert rules_of(verdict) == ["allowed-window"]


def test_it_refuses_an_extended_outage_on_a_sunday_that_is_not_the_first() -> None:
    verdict = check(spec("extended-outage", utc(2026, 3, 22, 2), utc(2026, 3, 22, 5)))
    assert rules_of(verdict) == ["allowed-window"]
    _, fix = the_problem(verdict, "allowed-window")
    assert fix == (
        "the next window that fits is extended, 2026-04-05T02:00:00Z to 2026-04-05T08:00:00Z"
    )


def test_it_accepts_an_extended_outage_on_the_first_sunday() -> None:
    assert check(spec("extended-outage", utc(2026, 4, 5, 2), utc(2026, 4, 5, 6))).problems == []


def test_the_next_window_that_fits_skips_the_year_end_freeze() -> None:
    # Tuesday 22 December, during the freeze: the next window after it is Sunday 3 January.
    now = utc(2026, 12, 9)
    verdict = check(spec("planned-outage", utc(2026, 12, 22, 2), utc(2026, 12, 22, 4)), now=now)
    assert sorted(rules_of(verdict)) == ["allowed-window", "freeze"]
    _, fix = the_problem(verdict, "allowed-window")
    assert fix == (
        "the next window that fits is primary, 2027-01-03T02:00:00Z to 2027-01-03T06:00:00Z"
    )


def test_it_refuses_a_planned_outage_during_the_year_end_freeze() -> None:
    verdict = check(
        spec("planned-outage", utc(2026, 12, 20, 2), utc(2026, 12, 20, 4)), now=utc(2026, 12, 1)
    )
    assert rules_of(verdict) == ["freeze"]
    message, fix = the_problem(verdict, "freeze")
    assert "year-end" in message
    assert "2026-12-15T00:00:00Z to 2027-01-01T00:00:00Z" in message
    assert fix.startswith("the next window that fits is secondary, 2026-12-09T02:00:00Z")


def test_an_emergency_ignores_the_freeze() -> None:
    now = utc(2026, 12, 20, 13)
    verdict = check(spec("emergency", now, now + timedelta(hours=2)), now=now)
    assert verdict.problems == []


def test_zero_downtime_work_is_not_exempt_from_the_freeze() -> None:
    verdict = check(
        spec("zero-downtime", utc(2026, 12, 20, 12), utc(2026, 12, 20, 14)), now=utc(2026, 12, 1)
    )
    assert rules_of(verdict) == ["freeze"]


def test_the_freeze_reaches_across_new_year() -> None:
    request = spec("zero-downtime", utc(2026, 12, 31, 23, 30), utc(2027, 1, 1, 0, 30))
    assert rules_of(check(request, now=utc(2026, 12, 1))) == ["freeze"]


def test_zero_downtime_work_may_start_at_midnight_on_new_years_day() -> None:
    request = spec("zero-downtime", utc(2027, 1, 1), utc(2027, 1, 1, 1))
    assert check(request, now=utc(2026, 12, 1)).problems == []


def test_zero_downtime_work_may_end_as_the_freeze_begins() -> None:
    request = spec("zero-downtime", utc(2026, 12, 14, 22), utc(2026, 12, 15))
    assert check(request, now=utc(2026, 12, 1)).problems == []


def booking(id_: str, start: datetime, end: datetime, *systems: str) -> Booking:
    return Booking(id_, start, end, frozenset(systems))


def test_it_refuses_a_window_that_overlaps_another_on_a_shared_system() -> None:
    other = booking("MNT-2026-0001", utc(2026, 3, 15, 3), utc(2026, 3, 15, 5), "db", "cache")
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4), ("db", "api"))
    verdict = check(request, bookings=[other])
    assert rules_of(verdict) == ["overlap"]
    message, _ = the_problem(verdict, "overlap")
    assert "MNT-2026-0001" in message
    assert "on db " in message
    assert "cache" not in message


def test_it_lists_every_overlapping_window_in_order_of_start() -> None:
    later = booking("MNT-2026-0002", utc(2026, 3, 15, 3), utc(2026, 3, 15, 5), "db")
    earlier = booking("MNT-2026-0001", utc(2026, 3, 15, 1), utc(2026, 3, 15, 3), "db")
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, bookings=[later, earlier])
    assert [p.message.split()[1] for p in verdict.problems] == ["MNT-2026-0001", "MNT-2026-0002"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(utc(2026, 3, 15, 4), utc(2026, 3, 15, 6)), (utc(2026, 3, 15, 0), utc(2026, 3, 15, 2))],
)
def test_back_to_back_windows_on_the_same_system_are_fine(start: datetime, end: datetime) -> None:
    other = booking("MNT-2026-0001", start, end, "db")
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    assert check(request, bookings=[other]).problems == []


def test_overlapping_windows_on_different_systems_are_fine() -> None:
    other = booking("MNT-2026-0001", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4), "api")
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    assert check(request, bookings=[other]).problems == []


def test_an_overlap_alone_is_refused_as_a_conflict_not_a_rule_violation() -> None:
    other = booking("MNT-2026-0001", utc(2026, 3, 15, 3), utc(2026, 3, 15, 5), "db")
    verdict = check(
        spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4)), bookings=[other]
    )
    with pytest.raises(ConflictError):
        refuse(verdict.problems)
    verdict = check(spec("planned-outage", utc(2026, 3, 10, 2), utc(2026, 3, 10, 4)))
    with pytest.raises(RuleViolation):
        refuse(verdict.problems)


SUNDAY = datetime(2026, 3, 15, tzinfo=UTC)
MONDAY = datetime(2026, 3, 16, tzinfo=UTC)


def event(
    severity: Severity,
    start: datetime = SUNDAY,
    end: datetime = MONDAY,
    kind: ItemKind = ItemKind.CUSTOMER_COMMITMENT,
    calendar: str = "customers",
    summary: str = "Quarter-end reporting",
) -> CalendarEvent:
    return CalendarEvent(calendar, kind, severity, summary, start, end)


def test_a_blocking_calendar_event_refuses_a_customer_impacting_window() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=[event(Severity.BLOCK)])
    assert rules_of(verdict) == ["calendar-block"]
    message, _ = the_problem(verdict, "calendar-block")
    assert "customer-commitment 'customers'" in message
    assert "Quarter-end reporting" in message


def test_a_blocking_calendar_event_is_only_recorded_for_zero_downtime_work() -> None:
    request = spec("zero-downtime", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=[event(Severity.BLOCK)])
    assert verdict.problems == []
    assert verdict.conflicts == [
        Conflict(
            ItemKind.CUSTOMER_COMMITMENT,
            "customers",
            utc(2026, 3, 15),
            utc(2026, 3, 16),
            Severity.BLOCK,
            "Quarter-end reporting",
        )
    ]


def test_a_warning_calendar_event_is_recorded_as_a_conflict() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=[event(Severity.WARN, kind=ItemKind.DEPLOYMENT)])
    assert verdict.problems == []
    assert [(c.kind, c.severity, c.name) for c in verdict.conflicts] == [
        (ItemKind.DEPLOYMENT, Severity.WARN, "customers")
    ]


def test_a_calendar_event_that_only_touches_the_window_is_no_conflict() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    touching = [
        event(Severity.BLOCK, utc(2026, 3, 14), utc(2026, 3, 15, 2)),
        event(Severity.WARN, utc(2026, 3, 15, 4), utc(2026, 3, 15, 6)),
    ]
    verdict = check(request, events=touching)
    assert verdict.problems == []
    assert verdict.conflicts == []


def shift(who: str, start: datetime, end: datetime, calendar: str = "oncall") -> CalendarEvent:
    return CalendarEvent(calendar, ItemKind.ONCALL, Severity.INFO, who, start, end)


ALICE_THEN_BOB = [
    shift("alice", utc(2026, 3, 14, 15), utc(2026, 3, 15, 3)),
    shift("bob", utc(2026, 3, 15, 3), utc(2026, 3, 15, 15)),
]


def test_a_window_spanning_an_on_call_handoff_records_it() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=ALICE_THEN_BOB, oncall={"oncall": Severity.WARN})
    assert verdict.problems == []
    assert verdict.conflicts == [
        Conflict(
            ItemKind.ONCALL,
            "oncall",
            utc(2026, 3, 15, 3),
            utc(2026, 3, 15, 3),
            Severity.WARN,
            "on-call handoff: alice → bob",
        )
    ]


def test_a_window_inside_one_shift_has_no_on_call_conflict() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 4), utc(2026, 3, 15, 6))
    verdict = check(request, events=ALICE_THEN_BOB, oncall={"oncall": Severity.WARN})
    assert verdict.conflicts == []


def test_a_handoff_at_the_very_start_of_the_window_is_not_spanned() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 3), utc(2026, 3, 15, 5))
    verdict = check(request, events=ALICE_THEN_BOB, oncall={"oncall": Severity.WARN})
    assert verdict.conflicts == []


def test_a_gap_in_the_rota_is_recorded_as_nobody_on_call() -> None:
    shifts = [
        shift("alice", utc(2026, 3, 14, 15), utc(2026, 3, 15, 3)),
        shift("bob", utc(2026, 3, 15, 3, 30), utc(2026, 3, 15, 15)),
    ]
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=shifts, oncall={"oncall": Severity.WARN})
    assert verdict.problems == []
    assert [(c.start, c.end, c.detail) for c in verdict.conflicts] == [
        (utc(2026, 3, 15, 3), utc(2026, 3, 15, 3, 30), "nobody on call")
    ]


def test_a_rota_with_no_shifts_leaves_the_whole_window_uncovered() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, oncall={"oncall": Severity.WARN})
    assert [(c.start, c.end, c.detail) for c in verdict.conflicts] == [
        (utc(2026, 3, 15, 2), utc(2026, 3, 15, 4), "nobody on call")
    ]


def test_a_blocking_rota_refuses_a_customer_impacting_window_across_a_handoff() -> None:
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=ALICE_THEN_BOB, oncall={"oncall": Severity.BLOCK})
    assert rules_of(verdict) == ["calendar-block"]
    message, _ = the_problem(verdict, "calendar-block")
    assert "alice → bob" in message


def test_a_blocking_rota_only_records_a_handoff_for_zero_downtime_work() -> None:
    request = spec("zero-downtime", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=ALICE_THEN_BOB, oncall={"oncall": Severity.BLOCK})
    assert verdict.problems == []
    assert [c.severity for c in verdict.conflicts] == [Severity.BLOCK]


def test_shifts_of_a_rota_that_is_not_configured_are_ignored() -> None:
    shifts = [shift(s.summary, s.start, s.end, calendar="other-team") for s in ALICE_THEN_BOB]
    request = spec("planned-outage", utc(2026, 3, 15, 2), utc(2026, 3, 15, 4))
    verdict = check(request, events=shifts)
    assert verdict.conflicts == []


def test_the_next_window_that_fits_is_outside_every_freeze_whatever_their_order() -> None:
    # Pushed past the launch freeze, the start lands in the audit freeze listed before it.
    policy = Policy.model_validate(
        {
            "types": {"change": {"windows": "any", "customer_impacting": False}},
            "freezes": [
                {"name": "audit", "from": "2026-01-10T00:00:00Z", "until": "2026-01-20T00:00:00Z"},
                {"name": "launch", "from": "2026-01-01T00:00:00Z", "until": "2026-01-12T00:00:00Z"},
            ],
        }
    )
    now = utc(2026, 1, 5)
    request = spec("change", now, now + timedelta(hours=1))
    verdict = check_spec(request, policy, Context(now))
    assert rules_of(verdict) == ["freeze"]
    _, fix = the_problem(verdict, "freeze")
    assert "the next window that fits is any, 2026-01-20T00:00:00Z to" in fix


FIX = re.compile(r"the next window that fits is (?P<name>\S+), (?P<start>\S+) to (?P<end>\S+)$")
TWO_FREEZES = Policy.model_validate(
    {
        **POLICY.as_json(),
        "freezes": [
            {"name": "audit", "from": "12-20 00:00", "until": "01-05 00:00"},
            *POLICY.as_json()["freezes"],
        ],
    }
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[Policy, WindowSpec, datetime]:
    policy = draw(st.sampled_from([POLICY, TWO_FREEZES]))
    # Zero-downtime work may run at any hour, so the suggested start can land on a freeze's edge.
    name = draw(st.sampled_from(["zero-downtime", "zero-downtime", *policy.types]))
    five = timedelta(minutes=5)
    year = draw(st.integers(2025, 2030))
    # Mostly asked just before the year-end freezes, where suggestions have to skip them.
    december, anytime = (utc(year, 12, 10), 12), (utc(year, 1, 1), 365)
    first, days = draw(st.sampled_from([december, december, anytime]))
    now = first + five * draw(st.integers(0, days * 288))
    longest = policy.types[name].max_duration or timedelta(hours=8)
    duration = five * draw(st.integers(1, longest // five))
    start = now + five * draw(st.integers(0, 40 * 288))
    return policy, spec(name, start, start + duration), now


@settings(max_examples=200, deadline=None)
@given(case=requests())
def test_the_window_a_fix_suggests_holds_the_request(
    case: tuple[Policy, WindowSpec, datetime],
) -> None:
    policy, request, now = case
    duration = request.end - request.start
    for problem in check_spec(request, policy, Context(now)).problems:
        found = FIX.search(problem.fix)
        if found is None:
            continue
        start = parse_instant("fix", found["start"])
        assert parse_instant("fix", found["end"]) - start >= duration
        moved = spec(request.type, start, start + duration)
        problems = check_spec(moved, policy, Context(now)).problems
        assert problems == [], f"{request} asked at {now}: {problem.fix}"
