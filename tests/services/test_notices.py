"""The notification timeline in time: the service clock injected, the worker run in-process,
a loopback webhook sink and a real SMTP server (aiosmtpd) receiving what goes out."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from maintctl.services import lifecycle, render, windows
from maintctl.services.notices import SEND_KIND
from maintctl.store import jobs as job_store
from maintctl.store import notifications
from maintctl.store.db import Database
from tests.channels.sinks import HttpSink, http_sink, smtp_sink
from tests.conftest import ALICE, Clock
from tests.services.notices_setup import (
    SECRET,
    at,
    body,
    by_kind,
    drain,
    events_sent,
    file_window,
    notice_deps,
    rows,
    sign,
)


@pytest.fixture
def sinks() -> Iterator[tuple[HttpSink, int, list[Any]]]:
    with http_sink() as sink, smtp_sink() as (port, envelopes):
        yield sink, port, envelopes


def test_a_late_final_signature_sends_the_initial_at_once_skips_7d_and_sends_3d_on_time(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    # This team asks 4 days' notice of a planned outage but keeps the runbook's 7d/3d/24h notices.
    short_notice = "policy:\n  types:\n    planned-outage: {notice: 4d}\n"
    deps = notice_deps(db, clock, tmp_path, sink, port, top=short_notice)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    clock.now = at("2026-12-01T02:00:00Z")  # the last signature, 5 days before the start
    sign(deps, wid)
    drain(deps)
    assert events_sent(sink) == ["initial"]
    planned = by_kind(deps, wid, "eng-hook")
    assert "reminder-7d" not in planned
    assert planned["reminder-3d"] == "queued" and planned["initial"] == "sent"
    clock.now = at("2026-12-03T01:59:59Z")
    drain(deps)
    assert events_sent(sink) == ["initial"]
    clock.now = at("2026-12-03T02:00:00Z")
    drain(deps)
    assert events_sent(sink) == ["initial", "reminder-3d"]
    keys = [hit.headers["idempotency-key"] for hit in sink.hits]
    assert len(set(keys)) == 2
    first = sink.hits[0]
    digest = hmac.new(SECRET.encode(), first.body, hashlib.sha256).hexdigest()
    assert first.headers["x-maintctl-signature"] == f"sha256={digest}"
    assert body(sink, 1)["window"]["start"] == "2026-12-06T02:00:00Z"


def test_a_moved_window_is_held_and_at_re_approval_told_it_was_rescheduled(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    clock.now = at("2027-01-10T02:00:00Z")
    wid = file_window(deps, "2027-01-31T02:00:00Z", "2027-01-31T04:00:00Z")  # 21 days out
    sign(deps, wid)
    drain(deps)
    assert events_sent(sink) == ["initial"]
    assert by_kind(deps, wid, "eng-hook")["reminder-7d"] == "queued"
    move = {"start": "2027-01-20T02:00:00Z", "end": "2027-01-20T04:00:00Z"}  # 10 days out
    with deps.db.write() as session:
        moved = windows.modify(deps, session, wid, move, ALICE)
    assert moved.status.value == "pending_approval"
    held = by_kind(deps, wid, "eng-hook")
    assert held["reminder-7d"] == held["reminder-3d"] == held["reminder-24h"] == "cancelled"
    clock.now = at("2027-01-11T02:00:00Z")  # signed again a day later
    sign(deps, wid)
    drain(deps)
    assert events_sent(sink) == ["initial", "rescheduled-1"]
    assert body(sink, 1)["window"]["start"] == "2027-01-20T02:00:00Z"
    replanned = by_kind(deps, wid, "eng-hook")
    assert replanned["reminder-7d"] == "queued" and replanned["initial"] == "sent"
    reminders = {r.kind: r.due_at for r in rows(deps, wid) if r.channel == "eng-hook"}
    assert reminders["reminder-3d"] == at("2027-01-17T02:00:00Z")
    # the customers were never sent the initial (a manual draft): they hear no rescheduling
    customers = by_kind(deps, wid, "customer-mail")
    assert "rescheduled-1" not in customers and customers["initial"] == "draft"
    clock.now = at("2027-01-13T02:00:00Z")  # the 7-day reminder of the new time
    drain(deps)
    assert events_sent(sink) == ["initial", "rescheduled-1", "reminder-7d"]


def test_a_cancelled_windows_future_reminders_are_never_sent(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    drain(deps)
    assert events_sent(sink) == ["initial"]
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "vendor postponed the upgrade", ALICE)
    clock.now = at("2026-12-06T02:00:00Z")  # every reminder's time has come and gone
    drain(deps)
    assert events_sent(sink) == ["initial", "cancelled"]
    kinds = by_kind(deps, wid, "eng-hook")
    assert kinds["reminder-3d"] == kinds["reminder-24h"] == "cancelled"
    assert kinds["start"] == "cancelled" and kinds["cancelled"] == "sent"
    assert "cancelled" not in by_kind(deps, wid, "customer-mail")  # never told, not told now


def test_a_channel_for_one_component_hears_only_of_windows_touching_it(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    with http_sink() as api_sink:
        extra = (
            "  - {name: api-hook, audience: internal-engineering, components: [api],\n"
            f"     webhook: {{url: '{api_sink.url}/api', secret_file: hook.key}}}}\n"
        )
        deps = notice_deps(db, clock, tmp_path, sink, port, extra)
        on_db = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T03:00:00Z", ["db"])
        on_api = file_window(deps, "2026-12-13T02:00:00Z", "2026-12-13T03:00:00Z", ["api-gateway"])
        sign(deps, on_db)
        sign(deps, on_api)
        drain(deps)
        assert [body(api_sink, i)["window"]["id"] for i in range(len(api_sink.hits))] == [on_api]
        assert sorted(body(sink, i)["window"]["id"] for i in range(2)) == sorted([on_db, on_api])


def test_start_progress_and_completion_tell_engineering_and_completion_has_the_duration(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    clock.now = at("2026-12-06T02:00:00Z")
    drain(deps)  # the reminders' times passed while the worker was down: they still go
    with deps.db.write() as session:
        lifecycle.start(deps, session, wid, ALICE)
    drain(deps)
    clock.now = at("2026-12-06T02:30:00Z")
    with deps.db.write() as session:
        lifecycle.progress(deps, session, wid, ALICE, step=3, of=7, task="Migrating")
    drain(deps)
    clock.now = at("2026-12-06T03:15:00Z")
    with deps.db.write() as session:
        lifecycle.complete(deps, session, wid, ALICE)
    drain(deps)
    sent = events_sent(sink)
    # Sends due together may go concurrently (a channel's lane), so each move is drained before
    # the next, as a running worker would within seconds.
    assert sent[-3:] == ["start", "progress-1", "completion"]
    assert {"initial", "reminder-7d", "reminder-3d", "reminder-24h"} <= set(sent[:-3])
    assert "progress-1" not in by_kind(deps, wid, "customer-mail")
    assert by_kind(deps, wid, "customer-mail")["completion"] == "draft"


def test_an_aborted_window_tells_those_told_of_its_start(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    clock.now = at("2026-12-06T02:00:00Z")
    with deps.db.write() as session:
        lifecycle.start(deps, session, wid, ALICE)
    drain(deps)
    with deps.db.write() as session:
        lifecycle.abort(deps, session, wid, ALICE, "wrong window started")
    drain(deps)
    assert events_sent(sink)[-2:] == ["start", "cancelled"]
    kinds = by_kind(deps, wid, "eng-hook")
    assert kinds["completion"] == "cancelled"
    assert "cancelled" not in by_kind(deps, wid, "customer-mail")  # its start draft never went


def test_a_failing_channel_is_retried_then_given_up_and_no_secret_is_logged(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    sinks: tuple[HttpSink, int, list[Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sink.status = 503
    with caplog.at_level(logging.DEBUG):
        sign(deps, wid)
        drain(deps)
        assert by_kind(deps, wid, "eng-hook")["initial"] == "failed"  # and tried again
        assert by_kind(deps, wid, "eng-hook")["reminder-3d"] == "queued"
        sink.status = 410
        clock.now += timedelta(minutes=5)  # past the first retry's backoff
        drain(deps)
    events = [json.loads(hit.body)["event"] for hit in sink.hits]
    # Two tries of the notice; its death alerts engineering once (the same failing hook here,
    # so that alert dies too, and a dead alert is never alerted).
    assert events == ["initial", "initial", "job.dead"]
    assert by_kind(deps, wid, "eng-hook")["initial"] == "failed"
    with deps.db.read() as session:
        dead = job_store.page(session, 10, None, "dead")
    notices = [j.payload["notification"] for j in dead if j.kind == SEND_KIND]
    assert notices == [rows(deps, wid)[0].id]
    with deps.db.read() as session:
        tries = notifications.attempts(session, [r.id for r in rows(deps, wid)])
    outcomes = [(a.ok, a.result) for found in tries.values() for a in found]
    assert outcomes == [
        (False, "channel eng-hook: the webhook answered 503"),
        (False, "channel eng-hook: the webhook answered 410"),
    ]
    assert SECRET not in caplog.text


def test_a_job_for_an_old_time_of_a_replanned_notice_sends_nothing(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-13T02:00:00Z", "2026-12-13T04:00:00Z")
    sign(deps, wid)
    drain(deps)
    move = {"start": "2026-12-09T02:00:00Z", "end": "2026-12-09T04:00:00Z"}  # earlier, a Wed
    with deps.db.write() as session:
        windows.modify(deps, session, wid, move, ALICE)
    sign(deps, wid)
    drain(deps)  # the rescheduled notice goes at the re-approval
    clock.now = at("2026-12-10T02:00:00Z")  # the old 3-day reminder's time, after the new start
    drain(deps)
    sent = events_sent(sink)
    assert sent.count("reminder-3d") == 1 and sent.count("reminder-24h") == 1
    assert sent[:2] == ["initial", "rescheduled-1"]


def test_an_email_channel_of_an_audience_whose_email_is_manual_makes_drafts(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, envelopes = sinks
    extra = (
        "  - {name: all-mail, audience: internal-all,\n"
        f"     email: {{smtp: 'smtp://127.0.0.1:{port}', from: m@example.com,\n"
        "              to: [all@example.com]}}\n"
    )
    deps = notice_deps(db, clock, tmp_path, sink, port, extra)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    drain(deps)
    assert by_kind(deps, wid, "all-mail")["initial"] == "draft" and envelopes == []
    assert by_kind(deps, wid, "all-mail")["reminder-7d"] == "planned"
    clock.now = at("2026-11-29T02:00:00Z")  # the 7-day reminder falls due: a draft, not a send
    drain(deps)
    assert by_kind(deps, wid, "all-mail")["reminder-7d"] == "draft" and envelopes == []


def test_a_notice_that_does_not_render_is_logged_as_failed_and_nothing_half_formed_goes(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    sinks: tuple[HttpSink, int, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)

    def broken(*_args: Any) -> None:
        raise ValueError("undefined variable in the template")

    monkeypatch.setattr(render, "render_notice", broken)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    drain(deps)
    assert sink.hits == [] and by_kind(deps, wid, "eng-hook")["initial"] == "failed"
    with deps.db.read() as session:
        tries = notifications.attempts(session, [r.id for r in rows(deps, wid)])
    assert [a.result for found in tries.values() for a in found] == [
        "could not render the initial notice (ValueError)"
    ]
