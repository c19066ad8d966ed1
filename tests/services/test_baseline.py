"""Baselines: captured on a window, compared at the tolerance's edge on both sides (a loopback
Prometheus API answering its documented shape). Both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maintctl.config import parse_config
from maintctl.services import runs, windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from tests.checks.servers import Answer, Http
from tests.conftest import PLANNED_OUTAGE, Clock
from tests.services.test_runs import RITA


def number(value: str) -> Answer:
    body = {"status": "success", "data": {"resultType": "scalar", "result": [1.0, value]}}
    return Answer(200, json.dumps(body).encode(), "application/json")


def deps_for(db: Database, clock: Clock, tmp_path: Path, url: str) -> Deps:
    config = parse_config(
        "checks:\n"
        f"  - {{name: p99, group: performance, kind: prometheus, url: '{url}', query: p99,"
        " unit: ms, tolerance: {relative: 0.2}}\n"
        f"  - {{name: rps, group: performance, kind: prometheus, url: '{url}/rps', query: rps,"
        " tolerance: {absolute: 10, higher_is_better: true}}\n",
        "team.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def run(deps: Deps, wid: str, purpose: str) -> tuple[str, list[runs.Compared]]:
    with deps.db.write() as session:
        made = runs.start(
            deps, session, RITA, runs.Ask(window_id=wid, purpose=purpose), enqueue=False
        )
    finished = runs.execute(deps, made.id)
    with deps.db.read() as session:
        return finished.status, runs.comparison(deps, session, finished)


# (p99 now, rps now) against a baseline of 100ms and 50 rps: 20% up and 10 down are the edge.
EDGES = [
    ("120", "40", "passed", ["OK", "OK"]),
    ("120.1", "40", "failed", ["DEGRADED", "OK"]),
    ("80", "39.9", "failed", ["OK", "DEGRADED"]),
]


@pytest.mark.parametrize(("p99", "rps", "status", "rows"), EDGES)
def test_a_comparison_holds_at_the_tolerances_edge_and_fails_just_past_it(
    db: Database, clock: Clock, tmp_path: Path, p99: str, rps: str, status: str, rows: list[str]
) -> None:
    routes = {"/api/v1/query": number("100"), "/rps/api/v1/query": number("50")}
    with Http(routes) as server:
        deps = deps_for(db, clock, tmp_path, server.url)
        with deps.db.write() as session:
            wid = windows.create(deps, session, {**PLANNED_OUTAGE, "systems": ["api"]}, RITA).id
        assert run(deps, wid, "baseline") == ("passed", [])
        with deps.db.read() as session:
            assert runs.baseline_captured(session, wid) == clock()
        routes["/api/v1/query"], routes["/rps/api/v1/query"] = number(p99), number(rps)
        got, compared = run(deps, wid, "compare")
    assert got == status
    assert [c.row.status for c in compared] == rows
    first = compared[0].as_dict()
    assert (first["metric"], first["baseline"], first["tolerance"]) == ("p99", "100ms", "+20%")
    assert compared[1].tolerance == "-10"
