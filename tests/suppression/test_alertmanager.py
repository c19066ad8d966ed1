"""Silences in the real Alertmanager (Debian's prometheus-alertmanager, on loopback), through
services/lifecycle's start and complete and the worker's run of the due jobs."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from maintctl.domain.model import Status
from maintctl.services import suppression
from maintctl.store import jobs as job_store
from maintctl.store import silences
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.fakes import alertmanager
from tests.services.test_lifecycle import RITA, move
from tests.suppression.conftest import config_for, deps_for, real_now, running, work

EXPIRE_WITHIN_S = 30.0


def _ends(silence: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(silence["endsAt"]))


def test_start_silences_the_mapped_matchers_and_complete_lifts_the_silence(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    am = alertmanager.start(tmp_path / "am")
    deps = deps_for(db, clock, config_for(tmp_path, alertmanager=am.url))
    wid = running(deps, clock, timedelta(hours=1), systems=("db", "web"))
    assert am.silences() == []  # the start only planned it: no call inside the move
    work(deps)
    [silence] = am.active()
    assert silence["matchers"] == [
        {"name": "env", "value": "prod", "isRegex": False, "isEqual": True},
        {"name": "service", "value": "db|db-replica", "isRegex": True, "isEqual": True},
    ]
    assert silence["createdBy"] == "maintctl"
    assert wid in str(silence["comment"])
    end = clock.now - timedelta(minutes=1) + timedelta(hours=1)
    assert _ends(silence) == end + timedelta(minutes=30)  # the window's end plus the grace
    with deps.db.read() as session:
        lines = suppression.summary(session, deps.config, wid, clock.now)
    until = end + timedelta(minutes=30)
    shown = suppression.shown_time(until, clock.now)
    assert lines == [f"alerts for db are silenced in Alertmanager until {shown}"]
    move(deps, "complete", wid, RITA)
    work(deps)
    assert am.active() == []
    [expired] = am.silences()
    assert expired["status"]["state"] == "expired"
    with deps.db.read() as session:
        [row] = silences.of_window(session, wid)
    assert row.state == silences.ENDED


def test_a_silence_left_behind_by_a_crash_ends_by_itself_at_the_end_plus_grace(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    am = alertmanager.start(tmp_path / "am")
    deps = deps_for(db, clock, config_for(tmp_path, alertmanager=am.url, grace="3s"))
    wid = running(deps, clock, timedelta(minutes=1))  # its end is now
    work(deps)
    [silence] = am.active()
    assert _ends(silence) == clock.now + timedelta(seconds=3)
    # maintctl "crashes": no worker ever runs the end job, nor extends the silence.
    deadline = time.monotonic() + EXPIRE_WITHIN_S
    while am.active() and time.monotonic() < deadline:  # bounded: at most 30 s, 0.2 s a look
        time.sleep(0.2)
    assert am.active() == []
    assert [s["status"]["state"] for s in am.silences()] == ["expired"]
    assert real_now() >= _ends(silence)
    with deps.db.read() as session:
        assert silences.of_window(session, wid)[0].state == silences.ACTIVE  # as maintctl left it


def test_alertmanager_down_at_start_still_starts_the_window_and_the_silence_is_retried(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    port = alertmanager.free_port()
    url = f"http://127.0.0.1:{port}"
    deps = deps_for(db, clock, config_for(tmp_path, alertmanager=url))
    wid = running(deps, clock, timedelta(hours=1))
    work(deps)
    with deps.db.read() as session:
        window = suppression.window_store.get(session, wid)
        [row] = silences.of_window(session, wid)
        [line] = suppression.summary(session, deps.config, wid, clock.now)
    assert window is not None and window.status == Status.IN_PROGRESS
    assert (row.state, row.attempts) == (silences.PENDING, 1)
    assert row.last_error == "Alertmanager: connection refused"
    with deps.db.read() as session:
        job = job_store.get(session, f"suppress.begin:{wid}:alertmanager:db")
    assert job is not None and job.status == job_store.PENDING
    retry = job.next_try_at  # 30 s on, and a little jitter
    assert timedelta(seconds=30) <= retry - clock.now <= timedelta(seconds=38)
    assert line == (
        f"alerts for db are NOT silenced in Alertmanager: connection refused;"
        f" retrying at {suppression.shown_time(retry, clock.now)}"
    )
    am = alertmanager.start(tmp_path / "am", port)
    clock.now = retry
    work(deps)
    [silence] = am.active()
    assert wid in str(silence["comment"])
    with deps.db.read() as session:
        [row] = silences.of_window(session, wid)
    assert (row.state, row.external_id, row.last_error) == (silences.ACTIVE, silence["id"], None)


def test_alertmanager_down_at_complete_shows_the_silence_still_on_and_retries_its_end(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    am = alertmanager.start(tmp_path / "am")
    deps = deps_for(db, clock, config_for(tmp_path, alertmanager=am.url))
    wid = running(deps, clock, timedelta(hours=1))
    work(deps)
    am.stop()
    move(deps, "complete", wid, RITA)
    work(deps)
    with deps.db.read() as session:
        [row] = silences.of_window(session, wid)
        [line] = suppression.summary(session, deps.config, wid, clock.now)
        job = job_store.get(session, f"suppress.end:{wid}:alertmanager:db")
    assert row.state == silences.ACTIVE and row.last_error == "Alertmanager: connection refused"
    assert job is not None and job.status == job_store.PENDING
    assert line.startswith("alerts for db are silenced in Alertmanager until ")
    assert line.endswith(
        f", but ending it failed: connection refused;"
        f" retrying at {suppression.shown_time(job.next_try_at, clock.now)}"
    )
    assert suppression.sweep(deps) == 0  # its end job is still to run: no second one
