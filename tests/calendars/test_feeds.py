from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from maintctl.calendars.feeds import FeedError, FeedReader
from maintctl.config import CalendarFeed
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent, ItemKind, Severity

MARCH_APRIL = Interval(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ics(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//maintctl tests//EN\n{body}END:VCALENDAR\n"


def feed(name: str = "deploys", source: str = "deploys.ics", **extra: str) -> CalendarFeed:
    return CalendarFeed.model_validate(
        {"name": name, "kind": "deployment", "source": source} | extra
    )


def read_file_feed(tmp_path: Path, text: str, span: Interval = MARCH_APRIL) -> list[CalendarEvent]:
    (tmp_path / "deploys.ics").write_text(text, "utf-8")
    return FeedReader([feed()], tmp_path).events(span)


def starts(events: list[CalendarEvent]) -> list[datetime]:
    return [e.start for e in events]


@dataclass
class Route:
    status: int
    body: bytes
    content_type: str = "text/calendar"
    delay: float = 0.0
    location: str = ""


@dataclass
class FeedServer:
    """A loopback HTTP server: serve a route, then count what was asked for."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def serve(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.base + path


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            route = state.routes.get(self.path.split("?")[0], Route(404, b"not found"))
            time.sleep(route.delay)
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


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

    events = reader.events(MARCH_APRIL)

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
        reader.events(MARCH_APRIL)

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
        reader.events(MARCH_APRIL)

    assert caught.value.problem.field == "calendars.gone"


def test_it_refuses_a_file_that_is_not_icalendar(tmp_path: Path) -> None:
    (tmp_path / "deploys.ics").write_text("BEGIN:VEVENT\nUID:x\nEND:VEVENT\n", "utf-8")

    with pytest.raises(FeedError, match="is not iCalendar"):
        FeedReader([feed()], tmp_path).events(MARCH_APRIL)


def test_it_rereads_a_file_when_its_mtime_changes(tmp_path: Path) -> None:
    path = tmp_path / "deploys.ics"
    path.write_text(WEEKLY_WITH_EXDATE, "utf-8")
    reader = FeedReader([feed()], tmp_path)
    assert len(reader.events(MARCH_APRIL)) == 3

    path.write_text(ics("UID:one\nDTSTART:20260401T000000Z"), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert [e.uid for e in reader.events(MARCH_APRIL)] == ["one"]


def test_it_reads_a_feed_from_an_http_url(server: FeedServer) -> None:
    url = server.serve("/deploys.ics", Route(200, WEEKLY_WITH_EXDATE.encode()))

    events = FeedReader([feed(source=url)], Path()).events(MARCH_APRIL)

    assert starts(events) == [utc(2026, 3, 2, 14), utc(2026, 3, 16, 14), utc(2026, 3, 23, 14)]


def test_it_follows_redirects(server: FeedServer) -> None:
    target = server.serve("/new.ics", Route(200, WEEKLY_WITH_EXDATE.encode()))
    url = server.serve("/old.ics", Route(301, b"", location=target))

    events = FeedReader([feed(source=url)], Path()).events(MARCH_APRIL)

    assert len(events) == 3
    assert server.hits == ["/old.ics", "/new.ics"]


def test_it_caches_a_url_within_the_ttl(server: FeedServer) -> None:
    url = server.serve("/deploys.ics", Route(200, WEEKLY_WITH_EXDATE.encode()))
    reader = FeedReader([feed(source=url)], Path(), ttl_seconds=300)

    reader.events(MARCH_APRIL)
    reader.events(Interval(utc(2026, 3, 20), utc(2026, 3, 30)))

    assert server.hits == ["/deploys.ics"]


def test_it_fetches_a_url_again_after_the_ttl(server: FeedServer) -> None:
    url = server.serve("/deploys.ics", Route(200, WEEKLY_WITH_EXDATE.encode()))
    reader = FeedReader([feed(source=url)], Path(), ttl_seconds=0)

    reader.events(MARCH_APRIL)
    server.serve("/deploys.ics", Route(200, ics("UID:new\nDTSTART:20260401T000000Z").encode()))

    assert [e.uid for e in reader.events(MARCH_APRIL)] == ["new"]
    assert len(server.hits) == 2


def test_it_reports_an_http_error_status(server: FeedServer) -> None:
    url = server.serve("/deploys.ics", Route(500, b"boom", content_type="text/plain"))

    with pytest.raises(FeedError) as caught:
        FeedReader([feed(source=url)], Path()).events(MARCH_APRIL)

    assert caught.value.problem.field == "calendars.deploys"
    assert "HTTP 500" in caught.value.problem.message


def test_it_reports_a_body_that_is_not_icalendar(server: FeedServer) -> None:
    url = server.serve("/deploys.ics", Route(200, b"<html>login</html>", content_type="text/html"))

    with pytest.raises(FeedError) as caught:
        FeedReader([feed(source=url)], Path()).events(MARCH_APRIL)

    assert "is not iCalendar" in caught.value.problem.message
    assert "text/html" in caught.value.problem.message


def test_it_reports_a_timeout(server: FeedServer) -> None:
    url = server.serve("/slow.ics", Route(200, WEEKLY_WITH_EXDATE.encode(), delay=1.0))
    reader = FeedReader([feed(source=url)], Path(), timeout_seconds=0.2)

    with pytest.raises(FeedError, match=r"did not answer within 0\.2s"):
        reader.events(MARCH_APRIL)


def test_it_reports_a_refused_connection() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reader = FeedReader([feed(source=f"http://127.0.0.1:{port}/x.ics")], Path())

    with pytest.raises(FeedError, match="cannot connect"):
        reader.events(MARCH_APRIL)


@pytest.mark.parametrize("path", ["/private.ics", "/slow.ics"])
def test_it_keeps_credentials_in_the_url_out_of_errors(server: FeedServer, path: str) -> None:
    server.serve("/private.ics", Route(403, b"no"))
    server.serve("/slow.ics", Route(200, b"", delay=1.0))
    url = server.base.replace("http://", "http://alice:hunter2@") + path + "?token=s3cret"
    reader = FeedReader([feed(source=url)], Path(), timeout_seconds=0.2)

    with pytest.raises(FeedError) as caught:
        reader.events(MARCH_APRIL)

    error = caught.value
    text = str(error) + repr(error.problem)
    assert f"{server.base}{path}" in text
    assert not {"alice", "hunter2", "s3cret"} & set(
        text.replace("/", " ").replace(":", " ").split()
    )
    assert "hunter2" not in text and "s3cret" not in text
    # Nothing chained either: httpx errors hold the request, credentials and all.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
