"""Events across a DST change are seen whole by every question (issue 6, section 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.calendars.feeds import FeedReader
from maintctl.config import CalendarFeed, parse_config
from maintctl.domain.errors import ConflictError
from maintctl.domain.intervals import Interval
from maintctl.services import schedule, windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from tests.calendars.loopback import ics
from tests.conftest import ALICE, Clock

# 00:30 EDT to 03:30 EST on the night New York falls back: four real hours, three on the clock.
NEW_YORK = """
UID:ny
SUMMARY:Batch import
DTSTART;TZID=America/New_York:20271107T003000
DTEND;TZID=America/New_York:20271107T033000
"""
# Sundays 01:00 to 04:00 in Sydney, which falls back at 03:00 on 4 April 2027: that occurrence
# is 14:00Z to 18:00Z on the 3rd.
SYDNEY = """
UID:syd
SUMMARY:Sydney release
DTSTART;TZID=Australia/Sydney:20270328T010000
DTEND;TZID=Australia/Sydney:20270328T040000
RRULE:FREQ=WEEKLY;COUNT=3
"""
CASES = [
    pytest.param(NEW_YORK, datetime(2027, 11, 7, 8, 30, tzinfo=UTC), id="new-york-fall-back"),
    pytest.param(SYDNEY, datetime(2027, 4, 3, 18, 0, tzinfo=UTC), id="sydney-fall-back"),
]
OUTAGE_POLICY = """
policy:
  types:
    outage:
      description: Customer-visible work
      max_duration: null
      notice: 0m
      approvals: [team-lead]
      windows: any
      customer_impacting: true
calendars:
  - {name: batch, kind: deployment, source: batch.ics, severity: block}
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def reader(tmp_path: Path, body: str) -> FeedReader:
    (tmp_path / "f.ics").write_text(ics(body), "utf-8")
    feed = CalendarFeed(name="f", kind="deployment", source="f.ics")
    return FeedReader([feed], tmp_path)


def feed_deps(db: Database, clock: Clock, tmp_path: Path, body: str) -> Deps:
    (tmp_path / "batch.ics").write_text(ics(body), "utf-8")
    config = parse_config(OUTAGE_POLICY, "maintctl.yaml", tmp_path)
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


@pytest.mark.parametrize(("body", "true_end"), CASES)
def test_a_query_near_the_end_of_an_event_across_fall_back_sees_it(
    tmp_path: Path, body: str, true_end: datetime
) -> None:
    span = Interval(true_end - timedelta(minutes=30), true_end)

    events = reader(tmp_path, body).events(span, true_end)

    assert [e.end for e in events] == [true_end]


@pytest.mark.parametrize(("body", "true_end"), CASES)
def test_create_refuses_a_window_in_the_last_hour_of_a_blocking_event_across_fall_back(
    db: Database, clock: Clock, tmp_path: Path, body: str, true_end: datetime
) -> None:
    deps = feed_deps(db, clock, tmp_path, body)
    raw = {
        "type": "outage",
        "description": "x",
        "systems": ["db"],
        "start": (true_end - timedelta(minutes=30)).isoformat(),
        "end": true_end.isoformat(),
    }

    with pytest.raises(ConflictError) as caught, deps.db.write() as session:
        windows.create(deps, session, raw, ALICE)

    assert [p.rule for p in caught.value.problems] == ["calendar-block"]


@pytest.mark.parametrize(("body", "true_end"), CASES)
def test_slots_start_no_earlier_than_the_true_end_of_an_event_across_fall_back(
    db: Database, clock: Clock, tmp_path: Path, body: str, true_end: datetime
) -> None:
    deps = feed_deps(db, clock, tmp_path, body)

    with deps.db.read() as session:
        found = schedule.slots(
            deps,
            session,
            type_name="outage",
            duration=timedelta(minutes=30),
            systems=["db"],
            after=true_end - timedelta(minutes=45),
            count=1,
        )

    assert found[0].start == true_end


def test_check_shows_the_whole_event_across_fall_back(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = feed_deps(db, clock, tmp_path, NEW_YORK)

    with deps.db.read() as session:
        report = schedule.check_day(deps, session, date(2027, 11, 7))

    assert [(c.start, c.end) for c in report.items] == [
        (utc(2027, 11, 7, 4, 30), utc(2027, 11, 7, 8, 30))
    ]


# Each zone's DST changes in 2027 (Kolkata has none), where the clock-time length is wrong.
CHANGES = {
    "America/New_York": [date(2027, 3, 14), date(2027, 11, 7)],
    "Europe/Berlin": [date(2027, 3, 28), date(2027, 10, 31)],
    "Australia/Sydney": [date(2027, 4, 4), date(2027, 10, 3)],
    "America/Santiago": [date(2027, 4, 4), date(2027, 9, 5)],
    "Asia/Kolkata": [],
}


@st.composite
def local_starts(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a wall-clock start: anywhere in 2027, or in the 8 hours before one of its
    changes (all of them happen between 00:00 and 03:00 local time)."""
    zone = draw(st.sampled_from(sorted(CHANGES)))
    days = CHANGES[zone]
    if days and draw(st.booleans()):
        day = draw(st.sampled_from(days))
        base = datetime(day.year, day.month, day.day) - timedelta(hours=5)
        return zone, base + timedelta(minutes=15 * draw(st.integers(0, 8 * 4 - 1)))
    return zone, datetime(2027, 1, 1) + timedelta(minutes=15 * draw(st.integers(0, 365 * 96 - 1)))


# 100 cases: an event of 1 to 6 hours in one of five zones, half of them starting in the hours
# before a DST change; a 15-minute query anywhere inside its true UTC interval must see it.
@settings(max_examples=100, deadline=None)
@given(
    start=local_starts(),
    hours=st.integers(1, 6),
    offset=st.floats(0, 1, allow_nan=False),
)
def test_any_slice_of_an_event_in_a_zone_sees_it(
    tmp_path_factory: pytest.TempPathFactory,
    start: tuple[str, datetime],
    hours: int,
    offset: float,
) -> None:
    zone, local = start
    end_local = local + timedelta(hours=hours)
    fmt = "%Y%m%dT%H%M%S"
    body = (
        f"UID:p\nDTSTART;TZID={zone}:{local.strftime(fmt)}\n"
        f"DTEND;TZID={zone}:{end_local.strftime(fmt)}"
    )
    tz = ZoneInfo(zone)
    begin = local.replace(tzinfo=tz).astimezone(UTC)
    end = end_local.replace(tzinfo=tz).astimezone(UTC)
    if end - begin < timedelta(minutes=15):
        return  # a skipped spring-forward hour can leave almost nothing
    at = begin + (end - begin - timedelta(minutes=15)) * offset
    span = Interval(at, at + timedelta(minutes=15))

    events = reader(tmp_path_factory.mktemp("p"), body).events(span, begin)

    assert [(e.start, e.end) for e in events] == [(begin, end)]
