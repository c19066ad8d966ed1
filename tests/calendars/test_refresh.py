"""URL feeds: fetched by refresh into the shared cache, read from it by every request."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from maintctl.api.app import create_app
from maintctl.calendars.feeds import FeedReader
from maintctl.cli.main import app as cli
from maintctl.config import parse_config
from maintctl.domain import bounds
from maintctl.domain.intervals import Interval
from maintctl.domain.model import ItemKind, Severity
from maintctl.domain.roles import Principal, Role
from maintctl.services import feeds, schedule, windows
from maintctl.services.deps import Deps, FeedUnavailable, LocalIdentity, StoredFeeds
from maintctl.store import jobs as job_store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow, WindowRow
from maintctl.worker import Worker
from tests.calendars.loopback import FeedServer, Route, ics
from tests.conftest import ALICE, NOW, Clock

DEPLOY = ics(
    """
UID:deploy-1
SUMMARY:Release 4.2
DTSTART:20261201T100000Z
DTEND:20261201T110000Z
"""
)
DEC_1 = Interval(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))
LEAD = Principal("bob", Role.TEAM_LEAD)


def url_deps(
    db: Database, clock: Clock, tmp_path: Path, url: str, severity: str = "warn", **extra: str
) -> Deps:
    more = "".join(f", {k}: {v}" for k, v in extra.items())
    text = (
        "calendars:\n"
        f'  - {{name: deploys, kind: deployment, source: "{url}", severity: {severity}{more}}}\n'
    )
    config = parse_config(text, "maintctl.yaml", tmp_path)
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def summaries(deps: Deps, span: Interval = DEC_1) -> list[str]:
    return [e.summary for e in deps.events(span)]


def test_refresh_fills_the_cache_and_requests_then_read_it_without_fetching(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)

    assert feeds.refresh_all(deps) == 0
    found = summaries(deps)
    summaries(deps)

    assert found == ["Release 4.2"]
    assert server.paths == ["/deploys.ics"]


def test_another_process_reads_what_one_refreshed(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    feeds.refresh_all(url_deps(db, clock, tmp_path, url))
    second = Database(db.url)
    try:
        assert summaries(url_deps(second, clock, tmp_path, url)) == ["Release 4.2"]
    finally:
        second.dispose()
    assert len(server.hits) == 1


def test_refresh_sends_the_validators_and_a_304_keeps_the_body(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    modified = "Tue, 01 Dec 2026 00:00:00 GMT"
    route = Route(200, DEPLOY.encode(), etag='"v1"', last_modified=modified)
    url = server.serve("/deploys.ics", route)
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    clock.now += timedelta(minutes=50)

    assert feeds.refresh_all(deps) == 0

    second = server.hits[1]
    assert (second.if_none_match, second.if_modified_since) == ('"v1"', modified)
    assert summaries(deps) == ["Release 4.2"]
    (state,) = feeds.status(deps)
    assert state.fetched_at == clock.now and state.fresh


def test_a_request_never_fetches_and_an_unfetched_warn_feed_warns(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)

    (item,) = deps.events(DEC_1)

    assert server.hits == []
    assert (item.kind, item.severity) == (ItemKind.NOTE, Severity.WARN)
    assert "has not been fetched yet" in item.summary
    assert "maintctl calendars refresh" in item.summary


@pytest.mark.parametrize("fetched", [False, True], ids=["never-fetched", "older-than-max-age"])
def test_a_stale_blocking_feed_refuses_requests_naming_it_and_the_fix(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer, fetched: bool
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url, severity="block", max_age="30m")
    if fetched:
        feeds.refresh_all(deps)
        clock.now += timedelta(minutes=31)

    with pytest.raises(FeedUnavailable) as caught, deps.db.read() as session:
        schedule.slots(
            deps, session, type_name="planned-outage", duration=timedelta(hours=1), systems=["db"]
        )

    (problem,) = caught.value.problems
    assert problem.field == "calendars.deploys"
    assert problem.rule == "calendar-feed"
    assert "maintctl calendars refresh" in problem.fix
    assert ("max_age 30m" in problem.message) is fetched


def test_a_stale_warn_feed_adds_a_warning_to_the_window_it_lets_through(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    clock.now += timedelta(hours=2)
    raw = {
        "type": "zero-downtime",
        "description": "x",
        "systems": ["db"],
        "start": "2026-12-01T10:30:00Z",
        "end": "2026-12-01T11:30:00Z",
    }

    with deps.db.write() as session:
        made = windows.create(deps, session, raw, ALICE)

    assert [(c.kind, c.name) for c in made.conflicts] == [
        (ItemKind.DEPLOYMENT, "deploys"),
        (ItemKind.NOTE, "deploys"),
    ]
    assert "longer ago than its max_age 1h" in made.conflicts[1].detail


def test_a_failed_refresh_keeps_the_last_copy_and_records_the_error(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    server.serve("/deploys.ics", Route(500, b"boom", content_type="text/plain"))
    clock.now += timedelta(minutes=10)

    assert feeds.refresh_all(deps) == 1

    assert summaries(deps) == ["Release 4.2"]
    (state,) = feeds.status(deps)
    assert state.fresh and state.error is not None and "HTTP 500" in state.error


def test_a_changed_source_counts_as_never_fetched(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    feeds.refresh_all(url_deps(db, clock, tmp_path, url))
    moved = url_deps(db, clock, tmp_path, server.base + "/other.ics")

    (state,) = feeds.status(moved)

    assert state.fetched_at is None and not state.fresh


def test_refresh_refuses_a_feed_with_an_unknown_tzid_naming_it(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    body = ics(
        "UID:x\nDTSTART;TZID=Mars/Olympus:20261201T100000\nDTEND;TZID=Mars/Olympus:20261201T110000"
    )
    url = server.serve("/deploys.ics", Route(200, body.encode()))
    deps = url_deps(db, clock, tmp_path, url)

    assert feeds.refresh_all(deps) == 1

    (state,) = feeds.status(deps)
    assert state.error is not None and "unknown TZID 'Mars/Olympus'" in state.error
    assert state.fetched_at is None


@pytest.mark.parametrize("send_length", [True, False], ids=["with-length", "without-length"])
def test_refresh_stops_reading_a_body_past_the_size_limit(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    send_length: bool,
) -> None:
    monkeypatch.setattr(bounds, "FEED_MAX_BYTES", 1_000)
    url = server.serve("/big.ics", Route(200, b"x" * 50_000, send_length=send_length))
    deps = url_deps(db, clock, tmp_path, url)

    assert feeds.refresh_all(deps) == 1

    (state,) = feeds.status(deps)
    assert state.error is not None and "more than 1000 bytes" in state.error


def test_a_feed_with_more_events_than_the_limit_refuses_the_question_naming_it(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    # An event a minute: 10 days hold 14,400, past the 10,000 one question may read.
    body = ics("UID:m\nDTSTART:20261201T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY")
    url = server.serve("/minutely.ics", Route(200, body.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    span = Interval(DEC_1.start, DEC_1.start + timedelta(days=10))

    with pytest.raises(FeedUnavailable) as caught:
        deps.events(span)

    (problem,) = caught.value.problems
    assert problem.field == "calendars.deploys"
    assert f"more than {bounds.FEED_MAX_EVENTS} events" in problem.message


def test_a_window_stores_at_most_the_bounded_number_of_conflicts(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    # An event every 5 minutes over one day: 288 conflicts found, 50 stored.
    body = ics("UID:f\nDTSTART:20261201T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY;INTERVAL=5")
    url = server.serve("/five.ics", Route(200, body.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    raw = {
        "type": "zero-downtime",
        "description": "x",
        "systems": ["db"],
        "start": "2026-12-01T00:00:00Z",
        "end": "2026-12-02T00:00:00Z",
    }

    with deps.db.write() as session:
        made = windows.create(deps, session, raw, ALICE)

    assert len(made.conflicts) == bounds.MAX_STORED_CONFLICTS
    last = made.conflicts[-1]
    assert last.detail.startswith(f"and {288 - bounds.MAX_STORED_CONFLICTS + 1} more from deploys")


def test_errors_keep_credentials_in_the_url_out(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    server.serve("/private.ics", Route(403, b"no"))
    url = server.base.replace("http://", "http://alice:hunter2@") + "/private.ics?token=s3cret"
    deps = url_deps(db, clock, tmp_path, url, severity="block")
    feeds.refresh_all(deps)

    (state,) = feeds.status(deps)
    with pytest.raises(FeedUnavailable) as caught:
        deps.events(DEC_1)

    text = json.dumps(state.as_dict()) + repr(caught.value.problems)
    assert f"{server.base}/private.ics" in text
    assert not any(secret in text for secret in ("alice", "hunter2", "s3cret"))


def test_refresh_names_only_the_content_type_of_a_body_that_is_not_icalendar(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    page = b"<html>GET /deploys.ics?token=s3cret</html>"
    url = server.serve("/deploys.ics", Route(200, page, content_type="text/html"))
    deps = url_deps(db, clock, tmp_path, url + "?token=s3cret")

    assert feeds.refresh_all(deps) == 1

    (state,) = feeds.status(deps)
    assert state.error is not None and "(Content-Type text/html) is not usable" in state.error
    assert "s3cret" not in state.error


def test_refresh_records_a_refused_connection(db: Database, clock: Clock, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    deps = url_deps(db, clock, tmp_path, f"http://127.0.0.1:{port}/x.ics")

    assert feeds.refresh_all(deps) == 1

    (state,) = feeds.status(deps)
    assert state.error is not None and "cannot connect" in state.error


def test_the_refresh_job_refreshes_and_plans_the_next_one_itself(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    worker = Worker(deps, name="w")
    every = feeds.refresh_interval(deps)  # 5 minutes: the feed's max_age is an hour

    assert feeds.plan_refresh(deps)
    assert not feeds.plan_refresh(deps)  # a second worker starting now plans nothing more
    for round_ in range(3):  # 3 intervals: each run refreshes once and plans the next
        assert worker.step()
        assert len(server.hits) == round_ + 1
        assert not worker.step()  # the next one is not due yet
        clock.now += every
    with db.read() as session:
        planned = [(j.key, j.status) for j in job_store.page(session, 10, None, None)]
    assert planned == [
        ("feeds.refresh@2026-11-27T12:15:00Z", "pending"),
        ("feeds.refresh@2026-11-27T12:10:00Z", "done"),
        ("feeds.refresh@2026-11-27T12:05:00Z", "done"),
        ("feeds.refresh@2026-11-27T12:00:00Z", "done"),
    ]
    assert summaries(deps) == ["Release 4.2"]


def test_a_starting_worker_refreshes_at_once_and_restarts_a_dead_chain(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    with db.write() as session:  # a chain that died: its last job dead, nothing planned
        job_store.enqueue(session, feeds.REFRESH_KIND, {}, NOW, "feeds.refresh@old", NOW)
        session.execute(update(JobRow).values(status="dead"))

    assert Worker(deps, name="w").step()  # its first step plans this interval's refresh

    assert len(server.hits) == 1


def test_without_url_feeds_no_refresh_is_planned(deps: Deps) -> None:
    assert not feeds.plan_refresh(deps)
    assert feeds.refresh_job(deps, {}) == "no URL feeds configured; no refresh planned"


def test_the_api_refreshes_for_a_team_lead_and_shows_status_to_anyone(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    http = TestClient(create_app(deps))

    refreshed = http.post("/api/v1/calendars/refresh")
    shown = http.get("/api/v1/calendars")

    assert refreshed.status_code == 200
    (state,) = shown.json()["calendars"]
    assert state["name"] == "deploys" and state["fresh"] is True
    assert state["fetched_at"] == "2026-11-27T12:00:00Z"
    with pytest.raises(Exception, match="refreshing calendars needs"):
        feeds.refresh(deps, Principal("rq", Role.REQUESTER))
    assert feeds.refresh(deps, LEAD)[0].fresh


def test_a_blocking_never_fetched_feed_answers_502_on_check(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    deps = url_deps(db, clock, tmp_path, url, severity="block")
    http = TestClient(create_app(deps))

    answer = http.get("/api/v1/check", params={"date": "2026-12-01"})

    assert answer.status_code == 502
    assert "calendars refresh" in answer.text and server.hits == []


def test_the_cli_refreshes_and_shows_status(
    database_url: str, tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode()))
    config = tmp_path / "maintctl.yaml"
    config.write_text(
        f'calendars:\n  - {{name: deploys, kind: deployment, source: "{url}"}}\n', "utf-8"
    )
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    runner = CliRunner()

    before = runner.invoke(cli, ["calendars", "status", "--json"])
    refreshed = runner.invoke(cli, ["calendars", "refresh"])
    after = runner.invoke(cli, ["calendars", "status", "--json"])

    assert before.exit_code == 1 and json.loads(before.stdout)[0]["fetched_at"] is None
    assert refreshed.exit_code == 0 and "deploys" in refreshed.stdout
    assert after.exit_code == 0 and json.loads(after.stdout)[0]["fresh"] is True


def test_the_reader_loads_the_cached_body_once_until_a_refresh_changes_it(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    url = server.serve("/deploys.ics", Route(200, DEPLOY.encode(), etag='"v1"'))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    loads: list[str] = []

    class Counting(StoredFeeds):
        def body(self, name: str) -> bytes | None:
            loads.append(name)
            return super().body(name)

    reader = FeedReader(deps.config.calendars, tmp_path, Counting(db))
    for _ in range(3):
        assert [e.summary for e in reader.events(DEC_1, clock.now)] == ["Release 4.2"]
    clock.now += timedelta(minutes=5)
    feeds.refresh_all(deps)  # 304: the same body
    assert [e.summary for e in reader.events(DEC_1, clock.now)] == ["Release 4.2"]
    newer = ics("UID:n\nSUMMARY:New\nDTSTART:20261201T120000Z")
    server.serve("/deploys.ics", Route(200, newer.encode(), etag='"v2"'))
    clock.now += timedelta(minutes=5)
    feeds.refresh_all(deps)

    assert [e.summary for e in reader.events(DEC_1, clock.now)] == ["New"]
    assert loads == ["deploys", "deploys"]
    assert [h.if_none_match for h in server.hits] == [None, '"v1"', '"v1"']


def test_a_month_long_window_against_a_minutely_feed_is_refused_not_stored(
    db: Database, clock: Clock, tmp_path: Path, server: FeedServer
) -> None:
    # Before the bounds this stored 8.4 MB of conflicts in the window's row.
    body = ics("UID:m\nSUMMARY:tick\nDTSTART:20261201T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY")
    url = server.serve("/minutely.ics", Route(200, body.encode()))
    deps = url_deps(db, clock, tmp_path, url)
    feeds.refresh_all(deps)
    raw = {
        "type": "zero-downtime",
        "description": "x",
        "systems": ["db"],
        "start": "2026-12-01T00:00:00Z",
        "end": "2026-12-31T00:00:00Z",
    }

    with pytest.raises(FeedUnavailable, match="more than 10000 events"), deps.db.write() as s:
        windows.create(deps, s, raw, ALICE)

    with deps.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WindowRow)) == 0
