"""A validation run whose job dies ends in error, instead of showing `running` for ever."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from maintctl.services import jobs, runs
from maintctl.store import validation as store
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.services.test_runs import RITA, team, window

ONE_TRY = jobs.Tuning(lease=timedelta(seconds=60), max_attempts=1)


def test_a_run_whose_worker_was_killed_too_often_ends_in_error_naming_why(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = team(db, clock, tmp_path, "http://127.0.0.1:9")
    wid = window(deps)
    with deps.db.write() as session:
        number = runs.start(deps, session, RITA, runs.Ask(window_id=wid, purpose="baseline")).id
    # A worker claims the run's job and is killed: its claim runs out, and with one try allowed
    # the next claim finds the job dead.
    assert jobs.claim(deps, "killed-worker", ONE_TRY) is not None
    clock.now += timedelta(seconds=61)
    assert jobs.claim(deps, "next-worker", ONE_TRY) is None
    with deps.db.read() as session:
        row = store.get(session, number)
        assert row is not None
        assert (row.status, (row.message or "").startswith("its job died")) == (store.ERROR, True)
        assert runs.baseline_captured(session, wid) is None  # an error captured nothing


def test_a_watch_whose_round_dies_ends_and_its_verdict_fails(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    from maintctl.services import watches

    deps = team(db, clock, tmp_path, "http://127.0.0.1:9")
    with deps.db.write() as session:
        number = watches.start(deps, session, RITA, runs.Ask(quick=True), "1m", "30s").id
    assert jobs.claim(deps, "killed-worker", ONE_TRY) is not None  # round 1, then killed
    clock.now += timedelta(seconds=61)
    assert jobs.claim(deps, "next-worker", ONE_TRY) is None  # found dead: no round follows
    with deps.db.read() as session:
        shown = watches.view(session, watches.get(session, number))
    assert shown["verdict"]["passed"] is False and len(shown["rounds"]) == 1
