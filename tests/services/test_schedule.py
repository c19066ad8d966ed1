"""The day check and the slot finder over real windows and real iCalendar files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from maintctl.config import parse_config
from maintctl.domain.errors import RuleViolation
from maintctl.services import schedule, windows
from maintctl.services.deps import Deps, FeedUnavailable, LocalIdentity
from maintctl.store.db import Database
from tests.conftest import ALICE, Clock

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
{events}END:VCALENDAR
"""


def event(uid: str, start: str, end: str, summary: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nDTSTART:{start}\nDTEND:{end}\n"
        f"SUMMARY:{summary}\n{extra}END:VEVENT\n"
    )


def deps_with_calendars(
    db: Database, clock: Clock, tmp_path: Path, feeds: dict[str, str], calendars: str
) -> Deps:
    for name, body in feeds.items():
        (tmp_path / name).write_text(ICS.format(events=body), "utf-8")
    config = parse_config(f"calendars:\n{calendars}", "maintctl.yaml", tmp_path)
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def make(deps: Deps, **fields: object) -> None:
    raw = {"type": "planned-outage", "description": "x", "systems": ["db"], **fields}
    with deps.db.write() as session:
        windows.create(deps, session, raw, ALICE)


def test_a_quiet_day_is_clear(deps: Deps) -> None:
    with deps.db.read() as session:
        report = schedule.check_day(deps, session, date(2026, 12, 2))
    assert report.clear


def test_check_lists_windows_events_handoffs_and_freezes(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = deps_with_calendars(
        db,
        clock,
        tmp_path,
        {
            "deploy.ics": event("d1", "20261206T100000Z", "20261206T110000Z", "Release 4.2"),
            "oncall.ics": event("o1", "20261205T090000Z", "20261206T090000Z", "alice")
            + event("o2", "20261206T090000Z", "20261207T090000Z", "bob"),
            "sla.ics": event("c1", "20261206T000000Z", "20261206T060000Z", "Acme quarter close"),
        },
        "  - {name: deployments, kind: deployment, source: deploy.ics, severity: warn}\n"
        "  - {name: oncall, kind: oncall, source: oncall.ics, severity: warn}\n"
        "  - {name: enterprise, kind: customer-commitment, source: sla.ics, severity: block}\n",
    )
    with pytest.raises(Exception) as refused:
        make(deps, start="2026-12-06T02:00:00Z", end="2026-12-06T04:00:00Z")
    assert "Acme quarter close" in str(refused.value)
    make(deps, start="2026-12-09T02:00:00Z", end="2026-12-09T04:00:00Z")
    with deps.db.read() as session:
        report = schedule.check_day(deps, session, date(2026, 12, 6))
        wednesday = schedule.check_day(deps, session, date(2026, 12, 9), ["db"])
        other = schedule.check_day(deps, session, date(2026, 12, 9), ["web"])
    kinds = [(i.kind.value, i.name) for i in report.items]
    assert ("deployment", "deployments") in kinds
    assert ("customer-commitment", "enterprise") in kinds
    handoff = next(i for i in report.items if i.kind.value == "oncall")
    assert handoff.start == datetime(2026, 12, 6, 9, tzinfo=UTC)
    assert "alice → bob" in handoff.detail
    assert {i.kind.value for i in wednesday.items} == {"window", "oncall"}
    assert [i.kind.value for i in other.items] == ["oncall"]  # nobody on call that day


def test_a_freeze_day_is_not_clear(deps: Deps) -> None:
    with deps.db.read() as session:
        report = schedule.check_day(deps, session, date(2026, 12, 24))
    assert [i.kind.value for i in report.items] == ["freeze"]


def test_a_warn_calendar_is_recorded_on_the_window(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = deps_with_calendars(
        db,
        clock,
        tmp_path,
        {"deploy.ics": event("d1", "20261206T030000Z", "20261206T033000Z", "Release 4.2")},
        "  - {name: deployments, kind: deployment, source: deploy.ics, severity: warn}\n",
    )
    with deps.db.write() as session:
        made = windows.create(
            deps,
            session,
            {
                "type": "planned-outage",
                "description": "x",
                "systems": ["db"],
                "start": "2026-12-06T02:00:00Z",
                "end": "2026-12-06T04:00:00Z",
            },
            ALICE,
        )
    assert [(c.name, c.detail, c.severity.value) for c in made.conflicts] == [
        ("deployments", "Release 4.2", "warn")
    ]


def test_an_unreadable_feed_refuses_rather_than_passes(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    config = parse_config(
        "calendars:\n  - {name: oncall, kind: oncall, source: missing.ics}\n", "c.yaml", tmp_path
    )
    deps = Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))
    with pytest.raises(FeedUnavailable) as exc:
        make(deps, start="2026-12-06T02:00:00Z", end="2026-12-06T04:00:00Z")
    assert "oncall" in str(exc.value)


def test_slots_start_after_the_notice_in_allowed_windows_and_skip_busy_time(deps: Deps) -> None:
    make(deps, start="2026-12-06T02:00:00Z", end="2026-12-06T04:00:00Z")
    with deps.db.read() as session:
        found = schedule.slots(
            deps,
            session,
            type_name="planned-outage",
            duration=timedelta(hours=2),
            systems=["db"],
            count=6,
        )
    assert [(s.start.isoformat(), s.window) for s in found] == [
        ("2026-12-06T04:00:00+00:00", "primary"),
        ("2026-12-06T06:00:00+00:00", "extended"),
        ("2026-12-09T02:00:00+00:00", "secondary"),
        ("2026-12-13T02:00:00+00:00", "primary"),
        ("2026-12-13T04:00:00+00:00", "primary"),
        ("2027-01-03T02:00:00+00:00", "primary"),  # the year-end freeze is skipped
    ]


def test_slots_for_another_system_ignore_that_window(deps: Deps) -> None:
    make(deps, start="2026-12-06T02:00:00Z", end="2026-12-06T04:00:00Z")
    with deps.db.read() as session:
        found = schedule.slots(
            deps,
            session,
            type_name="planned-outage",
            duration=timedelta(hours=2),
            systems=["web"],
            count=1,
        )
    assert found[0].start == datetime(2026, 12, 6, 2, tzinfo=UTC)


def test_an_extended_outage_only_gets_first_sundays(deps: Deps) -> None:
    with deps.db.read() as session:
        found = schedule.slots(
            deps, session, type_name="extended-outage", duration=timedelta(hours=4), count=3
        )
    assert [s.start.date().isoformat() for s in found] == ["2027-01-03", "2027-02-07", "2027-03-07"]


def test_slots_refuse_a_duration_longer_than_the_type_allows(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as exc, deps.db.read() as session:
        schedule.slots(
            deps, session, type_name="brief-interruption", duration=timedelta(minutes=30)
        )
    assert [p.rule for p in exc.value.problems] == ["max-duration"]


def test_slots_avoid_a_blocking_calendar(db: Database, clock: Clock, tmp_path: Path) -> None:
    deps = deps_with_calendars(
        db,
        clock,
        tmp_path,
        {"sla.ics": event("c1", "20261206T000000Z", "20261207T000000Z", "Acme launch")},
        "  - {name: enterprise, kind: customer-commitment, source: sla.ics, severity: block}\n",
    )
    with deps.db.read() as session:
        found = schedule.slots(
            deps,
            session,
            type_name="planned-outage",
            duration=timedelta(hours=2),
            systems=["db"],
            count=1,
        )
    assert found[0].start == datetime(2026, 12, 9, 2, tzinfo=UTC)


def find(deps: Deps, **given: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {"type_name": "zero-downtime", "systems": ["db"], **given}
    with deps.db.read() as session:
        found = schedule.slots(deps, session, **args)  # type: ignore[arg-type]
    return [(s.start.strftime("%m-%d %H:%M"), s.end.strftime("%m-%d %H:%M")) for s in found]


def test_slots_around_the_first_search_chunk_end_leave_no_time_unused(deps: Deps) -> None:
    # The search starts at 01-03 07:30, so its first 14-day chunk ends at 01-17 07:30: the
    # one-hour slot at 07:00 crosses that end, and the next must follow it at 08:00, not 08:30.
    make(
        deps,
        type="zero-downtime",
        start="2027-01-03T07:30:00Z",
        end="2027-01-17T06:00:00Z",
    )
    found = find(
        deps, duration=timedelta(hours=1), after=datetime(2027, 1, 3, 7, 30, tzinfo=UTC), count=12
    )
    assert found == [(f"01-17 {h:02d}:00", f"01-17 {h + 1:02d}:00") for h in range(6, 18)]


def test_a_long_search_over_many_systems_reads_each_booking_once(deps: Deps) -> None:
    # Nothing fits (a booking every 20 days on some system), so the search runs to its horizon.
    systems = [f"s{n}" for n in range(1, 201)]
    day = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(40):
        start = day + timedelta(days=20 * n)
        make(
            deps,
            type="emergency",
            systems=[systems[n * 5 % 200]],
            start=start.isoformat(),
            end=(start + timedelta(hours=1)).isoformat(),
        )
    read = []
    real = schedule.store.bookings

    def counting(*args: object, **kwargs: object) -> object:
        rows = real(*args, **kwargs)  # type: ignore[arg-type]
        read.extend(b.id for b in rows)
        return rows

    with mock.patch.object(schedule.store, "bookings", counting):
        assert find(deps, duration=timedelta(days=300), systems=systems) == []
    # All 40 lie within the horizon plus one duration: two reads (300 days ahead, then the rest
    # of the horizon and one duration more), so each is read once.
    assert len(read) == len(set(read)) == 40


def test_slots_refuse_a_duration_past_the_hard_cap_and_too_many_systems(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as exc, deps.db.read() as session:
        schedule.slots(
            deps,
            session,
            type_name="zero-downtime",
            duration=timedelta(days=401),
            systems=[f"s{n}" for n in range(201)],
            after=datetime(9999, 12, 1, tzinfo=UTC),
        )
    assert [(p.field, p.rule) for p in exc.value.problems] == [
        ("duration", "max-window"),
        ("systems", "too-many-systems"),
        ("after", "time-range"),
    ]
