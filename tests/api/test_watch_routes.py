"""A recovery watch through the API, run by the worker (Worker.step with a hand-moved clock:
no real waiting): a series of validation runs, one job per round due at its round's time;
round 2 of 3 fails against a loopback check server and the verdict names its time. Both
databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.domain.times import format_instant
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.api.test_validation_routes import server_deps, token
from tests.checks.servers import Answer, Http
from tests.conftest import Clock
from tests.services.test_runs import TUNING


def test_a_watch_runs_a_round_per_due_job_and_its_verdict_names_the_failing_round(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/ok": Answer()}) as server:
        deps = server_deps(db, clock, tmp_path, server.url)
        rita, vic = token(deps, "rita", "requester"), token(deps, "vic", "viewer")
        worker = Worker(deps, TUNING, name="w")
        with TestClient(create_app(deps)) as http:
            assert (
                http.post("/api/v1/validations", json={"watch": "1m"}, headers=vic).status_code
                == 403
            )
            bad = http.post(
                "/api/v1/validations", json={"watch": "1m", "every": "2m"}, headers=rita
            )
            assert bad.status_code == 422
            assert [p["field"] for p in bad.json()["problems"]] == ["every"]
            lone = http.post("/api/v1/validations", json={"every": "30s"}, headers=rita)
            assert lone.status_code == 422 and lone.json()["problems"][0]["field"] == "every"
            started = http.post(
                "/api/v1/validations", json={"watch": "1m", "every": "30s"}, headers=rita
            )
            assert started.status_code == 202
            where = started.headers["location"]
            assert where == f"/api/v1/watches/{started.json()['id']}"
            assert started.json()["planned"] == 3
            times = []
            for round_number in (1, 2, 3):  # 3 rounds, each a job due 30s after the last
                times.append(clock.now)
                server.routes["/ok"] = Answer(500) if round_number == 2 else Answer()
                assert worker.step()
                assert not worker.step()  # the next round is not due yet: nothing overlaps
                seen = http.get(where, headers=vic).json()
                assert len(seen["rounds"]) == min(round_number + 1, 3)
                clock.now += timedelta(seconds=30)
            watch = http.get(where, headers=vic).json()
            assert http.get("/api/v1/watches/W-999", headers=vic).status_code == 404
            assert http.get("/api/v1/watches/nope", headers=vic).status_code == 404
        assert not worker.step()  # the watch has ended: no fourth round
        assert watch["status"] == "finished"
        assert [r["status"] for r in watch["rounds"]] == ["passed", "failed", "passed"]
        assert [r["started"] for r in watch["rounds"]] == [format_instant(t) for t in times]
        verdict = watch["verdict"]
        assert (verdict["ok"], verdict["failed_rounds"]) == (False, [2])
        assert verdict["first_failure"]["at"] == format_instant(times[1])
        assert f"round 2 at {format_instant(times[1])}" in verdict["message"]
        assert sorted(r["name"] for r in watch["rounds"][1]["failures"]) == ["c0", "c1", "c2"]
