"""`complete` with quick checks in team mode: a `verify` run planned as a job; the worker's run
completes the window in its own transaction when it passes (announcing COMPLETED once), and
leaves it verifying when it fails; an abort meanwhile wins over a late pass. Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import parse_config
from maintctl.domain.model import Status
from maintctl.services import events, lifecycle, runs
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import validation as run_store
from maintctl.store.db import Database
from tests.checks.servers import Answer, Http
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, move, started, trail


def server_deps(db: Database, clock: Clock, tmp_path: Path, url: str) -> Deps:
    """A server's deps (no local identity: its worker runs the jobs), one smoke check."""
    config = parse_config(
        f"checks:\n  - {{name: api, group: services, kind: http, url: '{url}/h', tags: [smoke]}}\n",
        "team.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock)


def run_job(deps: Deps, wid: str) -> str:
    """What the worker does with the window's queued verification job."""
    with deps.db.read() as session:
        run = lifecycle.verification(session, wid, unfinished=True)
        assert run is not None
        job = job_store.get(session, f"{runs.KIND}:{run.id}")
        assert job is not None and job.kind == runs.KIND
    return runs.run_job(deps, job.payload)


def test_the_workers_passing_run_completes_the_window_and_a_failing_one_keeps_it_verifying(
    db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = {"/h": Answer(500, b"no")}
    with Http(routes) as server:
        deps = server_deps(db, clock, tmp_path, server.url)
        wid = started(deps, clock)
        assert move(deps, "complete", wid, RITA).status == Status.VERIFYING
        assert run_job(deps, wid) == "V-1 failed"
        with deps.db.read() as session:
            assert lifecycle.current(session, wid).status == Status.VERIFYING
        assert move(deps, "complete", wid, RITA).status == Status.VERIFYING  # plans V-2
        assert move(deps, "complete", wid, RITA).status == Status.VERIFYING  # V-2 still queued
        routes["/h"] = Answer(200, b"ok")
        heard: list[str] = []
        original = events.announce

        def spy(*args: object, **kw: object) -> None:
            heard.append(str(args[2]))
            original(*args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(events, "announce", spy)
        assert run_job(deps, wid) == "V-2 passed"
        assert heard == [events.COMPLETED]
        with deps.db.read() as session:
            assert lifecycle.current(session, wid).status == Status.COMPLETED
            assert run_store.last(session, wid, runs.VERIFY).id == 2  # type: ignore[union-attr]
        assert [t[0] for t in trail(deps, wid)[-2:]] == ["complete", "verify"]


def test_an_abort_while_verifying_wins_over_a_late_pass(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/h": Answer()}) as server:
        deps = server_deps(db, clock, tmp_path, server.url)
        wid = started(deps, clock)
        move(deps, "complete", wid, RITA)
        aborted = move(deps, "abort", wid, RITA, "called off")
        assert trail(deps, wid)[-1] == ("abort", "verifying", "cancelled")
        assert run_job(deps, wid) == "V-1 passed"
        with deps.db.read() as session:
            assert lifecycle.current(session, wid).version == aborted.version
