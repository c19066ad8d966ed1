"""A watch run by the worker: a retried round plans its successor once; a round past the
deadline is never planned; an ended watch is pruned with its rounds; a round that could not run
fails the watch. Both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from maintctl.config import parse_config
from maintctl.domain.errors import NotFound
from maintctl.services import runs, watches
from maintctl.services.deps import Deps
from maintctl.store import validation as store
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.checks.servers import Answer, Http
from tests.conftest import Clock
from tests.services.test_runs import RITA, TUNING, team


def started(deps: Deps, duration: str, every: str) -> int:
    with deps.db.write() as session:
        return watches.start(deps, session, RITA, runs.Ask(quick=True), duration, every).id


def rounds(deps: Deps, number: int) -> list[int]:
    with deps.db.read() as session:
        return [r.id for r in store.watch_runs(session, number, 10)]


def test_a_retried_round_plans_the_next_once_and_none_past_the_deadline(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer()}) as server:
        deps = team(db, clock, tmp_path, server.url)
        number = started(deps, "1m", "40s")  # 2 rounds: at 0s and 40s
        worker = Worker(deps, TUNING, name="w")
        assert worker.step()
        first = rounds(deps, number)[0]
        with deps.db.read() as session:
            done = runs.get(session, first)
        watches.plan_next(deps, done)  # as a job run again after a kill would
        assert len(rounds(deps, number)) == 2
        clock.now += timedelta(seconds=70)  # round 2 runs late, after the deadline passed
        assert worker.step()
        assert not worker.step()
        with deps.db.read() as session:
            view = watches.view(session, watches.get(session, number))
    assert view["status"] == "finished" and len(view["rounds"]) == 2
    assert view["verdict"]["ok"] is True


def test_a_round_that_could_not_run_fails_the_watch(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer()}) as server:
        deps = team(db, clock, tmp_path, server.url)
        number = started(deps, "1s", "1s")  # 2 rounds
        changed = parse_config("checks: []\n", "team.yaml", tmp_path)
        gone = Deps.build(deps.db, changed, clock=clock)
        worker = Worker(gone, TUNING, name="w")
        assert worker.step()
        clock.now += timedelta(seconds=1)
        assert worker.step()
        with deps.db.read() as session:
            view = watches.view(session, watches.get(session, number))
    assert [r["status"] for r in view["rounds"]] == ["error", "error"]
    assert view["verdict"]["failed_rounds"] == [1, 2]
    assert view["rounds"][0]["failures"][0]["name"] == "(run)"


def test_an_ended_watch_is_pruned_with_its_rounds(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/fast": Answer()}) as server:
        deps = team(db, clock, tmp_path, server.url)
        number = started(deps, "1s", "1s")
        worker = Worker(deps, TUNING, name="w")
        assert worker.step()
        clock.now += timedelta(seconds=1)
        assert worker.step()
        clock.now += runs.RETENTION + timedelta(seconds=2)
        assert runs.prune(deps) == 3  # 2 rounds and the watch
    with deps.db.read() as session, pytest.raises(NotFound):
        watches.get(session, number)
