"""Validation runs as stored jobs: the worker runs them and writes each result as it finishes;
a killed worker's run, retried, never doubles its results; a viewer may not start one. Both
databases."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from maintctl.config import parse_config
from maintctl.domain.checks import Result, Status
from maintctl.domain.errors import NotFound, RuleViolation
from maintctl.domain.roles import Forbidden, Principal, Role
from maintctl.services import jobs, runs, windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import validation as store
from maintctl.store.db import Database
from maintctl.store.tables import CheckResultRow
from maintctl.worker import Worker
from tests.checks.servers import Answer, Http
from tests.conftest import PLANNED_OUTAGE, Clock

RITA = Principal("rita", Role.REQUESTER)
TUNING = jobs.Tuning(lease=timedelta(seconds=60), max_attempts=3)


def team(db: Database, clock: Clock, tmp_path: Path, url: str) -> Deps:
    config = parse_config(
        "checks:\n"
        f"  - {{name: fast, group: services, kind: http, url: '{url}/fast', tags: [smoke]}}\n"
        f"  - {{name: slow, group: services, kind: http, url: '{url}/slow', timeout: 60s}}\n",
        "team.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def window(deps: Deps) -> str:
    with deps.db.write() as session:
        return windows.create(deps, session, {**PLANNED_OUTAGE, "systems": ["api"]}, RITA).id


def names(deps: Deps, number: int) -> list[str]:
    with deps.db.read() as session:
        return [r.name for _, r in store.results(session, number)]


def test_the_worker_runs_a_stored_run_writing_each_result_as_it_finishes(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer(), "/slow": Answer(delay=60)}) as server:
        deps = team(db, clock, tmp_path, server.url)
        wid = window(deps)
        with deps.db.write() as session:
            number = runs.start(deps, session, RITA, runs.Ask(window_id=wid)).id
        worker = Worker(deps, TUNING, name="w")
        stepping = threading.Thread(target=worker.step)
        stepping.start()
        # The fast check's result is stored while the slow one still waits (up to 400 x 50ms).
        for _ in range(400):
            if names(deps, number) == ["fast"]:
                break
            time.sleep(0.05)
        assert names(deps, number) == ["fast"]
        with deps.db.read() as session:
            assert runs.get(session, number).status == "running"
        server.release.set()
        stepping.join(timeout=60)
    with deps.db.read() as session:
        row = runs.get(session, number)
        assert (row.status, row.window_id, row.started_by) == ("passed", wid, "rita")
        assert row.config_hash == deps.config.hash and row.finished_at is not None
    assert names(deps, number) == ["fast", "slow"]


def test_a_killed_workers_run_retried_does_not_double_its_results(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer(), "/slow": Answer()}) as server:
        deps = team(db, clock, tmp_path, server.url)
        with deps.db.write() as session:
            number = runs.start(deps, session, RITA, runs.Ask()).id
        # The first worker claims the job, writes one result and is killed.
        first = jobs.claim(deps, "dead-worker", TUNING)
        assert first is not None
        with deps.db.write() as session:
            store.begin(session, number, deps.config.hash)
        with deps.db.write() as session:
            store.put_result(
                session,
                number,
                Result("fast", "services", "http", Status.PASS, 1, "ms", 1, "Healthy"),
                clock(),
            )
        # Its lease runs out; the retry runs the whole suite again.
        clock.now += timedelta(seconds=61)
        again = jobs.claim(deps, "w2", TUNING)
        assert again is not None and again.id == first.id
        assert jobs.run(deps, again, "w2", TUNING) == "done"
    with deps.db.read() as session:
        count = session.scalar(
            select(func.count()).select_from(CheckResultRow).where(CheckResultRow.run_id == number)
        )
        assert count == 2
        assert runs.get(session, number).status == "passed"


def test_a_viewer_may_not_validate_and_nothing_is_written(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = team(db, clock, tmp_path, "http://127.0.0.1:9")
    viewer = pytest.raises(Forbidden, match="validate needs requester or higher")
    with viewer, deps.db.write() as session:
        runs.start(deps, session, Principal("vic", Role.VIEWER), runs.Ask())
    with deps.db.read() as session, pytest.raises(NotFound):
        runs.get(session, 1)


def test_a_baseline_needs_a_window_and_a_comparison_needs_a_baseline(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = team(db, clock, tmp_path, "http://127.0.0.1:9")
    wid = window(deps)
    with deps.db.write() as session:
        with pytest.raises(RuleViolation, match="a baseline is kept on a window"):
            runs.start(deps, session, RITA, runs.Ask(purpose="baseline"))
        with pytest.raises(RuleViolation, match=f"the window {wid} has no baseline"):
            runs.start(deps, session, RITA, runs.Ask(window_id=wid, purpose="compare"))
        assert runs.baseline_captured(session, wid) is None


def test_finished_runs_past_their_retention_are_pruned_with_their_results(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer(), "/slow": Answer()}) as server:
        deps = team(db, clock, tmp_path, server.url)
        with deps.db.write() as session:
            old = runs.start(deps, session, RITA, runs.Ask(), enqueue=False).id
        runs.execute(deps, old)
        clock.now += runs.RETENTION + timedelta(seconds=1)
        with deps.db.write() as session:
            queued = runs.start(deps, session, RITA, runs.Ask(), enqueue=False).id
    assert runs.prune(deps) == 1
    with deps.db.read() as session:
        assert runs.get(session, queued).status == "queued"
        with pytest.raises(NotFound):
            runs.get(session, old)
        assert not session.scalar(select(func.count()).select_from(CheckResultRow))
