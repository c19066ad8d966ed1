from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maintctl.calendars.feeds import FeedError, FeedReader
from maintctl.config import CalendarFeed
from maintctl.domain import bounds
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent, ItemKind, Severity
from tests.calendars.loopback import ics

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MARCH_APRIL = Interval(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def feed(name: str = "deploys", source: str = "deploys.ics", **extra: str) -> CalendarFeed:
    return CalendarFeed.model_validate(
        {"name": name, "kind": "deployment", "source": source} | extra
    )


def read_file_feed(tmp_path: Path, text: str, span: Interval = MARCH_APRIL) -> list[CalendarEvent]:
    (tmp_path / "deploys.ics").write_text(text, "utf-8")
    return FeedReader([feed()], tmp_path).events(span, NOW)


def starts(events: list[CalendarEvent]) -> list[datetime]:
    return [e.start for e in events]


WEEKLY_WITH_EXDATE = ics(
    """
UID:weekly-deploy
SUMMARY:Weekly deploy
DTSTART:20260302T140000Z
DTEND:20260302T150000Z
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE:20260309T140000Z
"""
)


def test_it_expands_a_weekly_rrule_with_an_exdate(tmp_path: Path) -> None:
    events = read_file_feed(tmp_path, WEEKLY_WITH_EXDATE)

    assert starts(events) == [utc(2026, 3, 2, 14), utc(2026, 3, 16, 14), utc(2026, 3, 23, 14)]
    first = events[0]
    assert first == CalendarEvent(
        calendar="deploys",
        kind=ItemKind.DEPLOYMENT,
        severity=Severity.WARN,
        summary="Weekly deploy",
        start=utc(2026, 3, 2, 14),
        end=utc(2026, 3, 2, 15),
        uid="weekly-deploy",
    )


def test_it_returns_only_occurrences_overlapping_the_span(tmp_path: Path) -> None:
    span = Interval(utc(2026, 3, 16, 14, 30), utc(2026, 3, 23, 14))

    events = read_file_feed(tmp_path, WEEKLY_WITH_EXDATE, span)

    assert starts(events) == [utc(2026, 3, 16, 14)]


def test_it_converts_tzid_times_to_utc_across_a_dst_change(tmp_path: Path) -> None:
    # Berlin moves from UTC+1 to UTC+2 on 2026-03-29: the same wall clock is an hour earlier in UTC.
    text = ics(
        """
UID:berlin
SUMMARY:Berlin release
DTSTART;TZID=Europe/Berlin:20260327T100000
DTEND;TZID=Europe/Berlin:20260327T113000
RRULE:FREQ=WEEKLY;COUNT=2
"""
    )

    events = read_file_feed(tmp_path, text)

    assert [(e.start, e.end) for e in events] == [
        (utc(2026, 3, 27, 9), utc(2026, 3, 27, 10, 30)),
        (utc(2026, 4, 3, 8), utc(2026, 4, 3, 9, 30)),
    ]
    assert all(e.start.utcoffset() is not None and e.start.tzinfo is UTC for e in events)


def test_it_turns_all_day_events_into_utc_midnight_to_midnight(tmp_path: Path) -> None:
    text = ics(
        """
UID:one-day
SUMMARY:Release day
DTSTART;VALUE=DATE:20260310
""",
        """
UID:two-days
SUMMARY:Customer launch
DTSTART;VALUE=DATE:20260320
DTEND;VALUE=DATE:20260322
""",
    )

    events = read_file_feed(tmp_path, text)

    assert [(e.uid, e.start, e.end) for e in events] == [
        ("one-day", utc(2026, 3, 10), utc(2026, 3, 11)),
        ("two-days", utc(2026, 3, 20), utc(2026, 3, 22)),
    ]


def test_it_takes_floating_times_as_utc_and_uses_duration_without_dtend(tmp_path: Path) -> None:
    text = ics(
        """
UID:floating
DTSTART:20260305T220000
DURATION:PT3H
""",
        """
UID:instant
SUMMARY:Marker
DTSTART:20260306T120000Z
""",
    )

    events = read_file_feed(tmp_path, text)

    assert [(e.uid, e.start, e.end, e.summary) for e in events] == [
        ("floating", utc(2026, 3, 5, 22), utc(2026, 3, 6, 1), "(no title)"),
        ("instant", utc(2026, 3, 6, 12), utc(2026, 3, 6, 12), "Marker"),
    ]


def test_it_skips_cancelled_events_and_cancelled_occurrences(tmp_path: Path) -> None:
    text = ics(
        """
UID:called-off
SUMMARY:Called off
STATUS:CANCELLED
DTSTART:20260304T090000Z
DTEND:20260304T100000Z
""",
        """
UID:daily
SUMMARY:Daily
STATUS:CONFIRMED
DTSTART:20260310T090000Z
DTEND:20260310T100000Z
RRULE:FREQ=DAILY;COUNT=3
""",
        """
UID:daily
RECURRENCE-ID:20260311T090000Z
SUMMARY:Daily
STATUS:CANCELLED
DTSTART:20260311T090000Z
DTEND:20260311T100000Z
""",
    )

    events = read_file_feed(tmp_path, text)

    assert starts(events) == [utc(2026, 3, 10, 9), utc(2026, 3, 12, 9)]


def test_it_sorts_events_from_all_feeds_by_start_then_calendar(tmp_path: Path) -> None:
    nine = "DTSTART:20260302T090000Z\nDTEND:20260302T100000Z"
    (tmp_path / "z.ics").write_text(ics(f"UID:z\n{nine}"), "utf-8")
    (tmp_path / "a.ics").write_text(ics(f"UID:a\n{nine}", "UID:a0\nDTSTART:20260301T120000Z"))
    reader = FeedReader([feed("zeta", "z.ics"), feed("alpha", "a.ics")], tmp_path)

    events = reader.events(MARCH_APRIL, NOW)

    assert [(e.start, e.calendar) for e in events] == [
        (utc(2026, 3, 1, 12), "alpha"),
        (utc(2026, 3, 2, 9), "alpha"),
        (utc(2026, 3, 2, 9), "zeta"),
    ]


def test_it_names_the_oncall_calendars_with_their_severity() -> None:
    feeds = [
        feed("deploys"),
        CalendarFeed(name="primary", kind="oncall", source="p.ics", severity="block"),
        CalendarFeed(name="secondary", kind="oncall", source="s.ics"),
    ]

    assert FeedReader(feeds, Path()).oncall_calendars() == {
        "primary": Severity.BLOCK,
        "secondary": Severity.WARN,
    }


def test_it_reports_a_missing_file_naming_the_feed(tmp_path: Path) -> None:
    reader = FeedReader([feed("releases", "nowhere.ics")], tmp_path)

    with pytest.raises(FeedError) as caught:
        reader.events(MARCH_APRIL, NOW)

    problem = caught.value.problem
    assert (problem.field, problem.rule) == ("calendars.releases", "calendar-feed")
    assert "'releases'" in problem.message
    assert "nowhere.ics" in problem.message
    assert "does not exist" in problem.message
    assert problem.fix


def test_it_fails_on_the_first_broken_feed_instead_of_skipping_it(tmp_path: Path) -> None:
    (tmp_path / "good.ics").write_text(WEEKLY_WITH_EXDATE, "utf-8")
    reader = FeedReader([feed("good", "good.ics"), feed("gone", "gone.ics")], tmp_path)

    with pytest.raises(FeedError) as caught:
        reader.events(MARCH_APRIL, NOW)

    assert caught.value.problem.field == "calendars.gone"


def test_it_refuses_a_file_that_is_not_icalendar(tmp_path: Path) -> None:
    (tmp_path / "deploys.ics").write_text("BEGIN:VEVENT\nUID:x\nEND:VEVENT\n", "utf-8")

    with pytest.raises(FeedError, match="not a VCALENDAR"):
        FeedReader([feed()], tmp_path).events(MARCH_APRIL, NOW)


def test_it_rereads_a_file_when_its_mtime_changes(tmp_path: Path) -> None:
    path = tmp_path / "deploys.ics"
    path.write_text(WEEKLY_WITH_EXDATE, "utf-8")
    reader = FeedReader([feed()], tmp_path)
    assert len(reader.events(MARCH_APRIL, NOW)) == 3

    path.write_text(ics("UID:one\nDTSTART:20260401T000000Z"), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert [e.uid for e in reader.events(MARCH_APRIL, NOW)] == ["one"]


@pytest.mark.parametrize("prop", ["DTSTART", "EXDATE"])
def test_it_refuses_a_feed_with_an_unknown_tzid_instead_of_reading_it_as_utc(
    tmp_path: Path, prop: str
) -> None:
    start = (
        "DTSTART;TZID=Mars/Olympus:20260310T090000"
        if prop == "DTSTART"
        else (
            "DTSTART:20260310T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;TZID=Mars/Olympus:20260311T090000"
        )
    )
    with pytest.raises(FeedError) as caught:
        read_file_feed(tmp_path, ics(f"UID:x\n{start}"))

    problem = caught.value.problem
    assert problem.field == "calendars.deploys"
    assert "unknown TZID 'Mars/Olympus'" in problem.message


def test_it_reads_a_tzid_defined_by_a_vtimezone_in_the_feed(tmp_path: Path) -> None:
    text = ics("UID:x\nDTSTART;TZID=Office:20260310T090000\nDTEND;TZID=Office:20260310T100000")
    zone = (
        "BEGIN:VTIMEZONE\nTZID:Office\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0200\nTZOFFSETTO:+0200\nEND:STANDARD\nEND:VTIMEZONE\n"
    )
    text = text.replace("BEGIN:VEVENT", zone + "BEGIN:VEVENT", 1)

    assert starts(read_file_feed(tmp_path, text)) == [utc(2026, 3, 10, 7)]


def test_it_refuses_a_file_past_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "FEED_MAX_BYTES", 100)

    with pytest.raises(FeedError, match="more than the 100 a feed may be"):
        read_file_feed(tmp_path, WEEKLY_WITH_EXDATE)
