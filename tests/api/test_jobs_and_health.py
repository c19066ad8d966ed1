"""GET /api/v1/jobs (keyset paged, any account) and the public /health."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.worker import Worker
from tests.cli.test_cli import local, run
from tests.conftest import NOW, Clock

__all__ = ["local"]


def test_jobs_are_listed_newest_first_with_a_link_to_the_next_page(deps: Deps) -> None:
    for number in range(5):
        jobs.enqueue(deps, "test.none", {"n": number}, NOW, f"page-{number}")
    http = TestClient(create_app(deps))

    first = http.get("/api/v1/jobs", params={"limit": 2, "status": "pending"})
    assert first.status_code == 200
    assert [j["key"] for j in first.json()] == ["page-4", "page-3"]
    link = first.headers["link"]
    assert link.endswith('; rel="next"') and "status=pending" in link
    following = http.get(link[1 : link.index(">")])
    assert [j["key"] for j in following.json()] == ["page-2", "page-1"]
    job = first.json()[0]
    assert job["status"] == "pending" and job["due_at"] == "2026-11-27T12:00:00Z"
    assert job["payload"] == {"n": 4} and job["config_hash"] == deps.config.hash


def test_jobs_refuses_an_unknown_status_and_a_limit_past_the_bound(deps: Deps) -> None:
    http = TestClient(create_app(deps))
    refused = http.get("/api/v1/jobs", params={"status": "lost"})
    assert refused.status_code == 422 and "pending, running, done, dead" in refused.text
    assert http.get("/api/v1/jobs", params={"limit": 1001}).status_code == 422


def test_health_warns_until_a_worker_beats_and_names_the_config_hash(
    deps: Deps, clock: Clock
) -> None:
    http = TestClient(create_app(deps))

    before = http.get("/health")
    assert before.status_code == 200
    assert before.headers["content-type"] == "application/health+json"
    body = before.json()
    assert body["status"] == "warn" and body["configHash"] == deps.config.hash
    assert body["checks"]["database:responseTime"][0]["status"] == "pass"
    assert body["checks"]["worker:heartbeat"][0]["status"] == "warn"

    Worker(deps, name="w-1").step()
    clock.now += timedelta(seconds=30)
    beating = http.get("/health").json()
    (beat,) = beating["checks"]["worker:heartbeat"]
    assert beating["status"] == "pass" and beat["componentId"] == "w-1"
    assert beat["observedValue"] == 30.0 and beat["configHash"] == deps.config.hash

    clock.now += timedelta(hours=1)  # the worker stopped an hour ago
    assert http.get("/health").json()["status"] == "warn"
    assert http.get("/healthz").json() == {"status": "ok"}  # unchanged


def test_the_config_hash_is_stable_and_follows_the_policy(tmp_path: Path) -> None:
    from maintctl.config import load_config, parse_config

    assert load_config(None).hash == load_config(None).hash
    changed = parse_config("policy: {types: {planned-outage: {notice: 8d}}}\n", "x.yaml", tmp_path)
    same = parse_config("{}\n", "elsewhere.yaml", tmp_path)
    assert same.hash == load_config(None).hash != changed.hash


def test_maintctl_jobs_shows_pending_work_to_a_viewer(local: Path, deps: Deps) -> None:
    for number in range(3):
        jobs.enqueue(deps, "test.none", {}, NOW, f"cli-{number}")
    code, out, _ = run("jobs", "--json", "--status", "pending")
    assert code == 0 and [j["key"] for j in json.loads(out)] == [
        "cli-2",
        "cli-1",
        "cli-0",
    ]
    code, out, _ = run("jobs", "--limit", "2")
    assert code == 0 and "test.none" in out and "More: maintctl jobs --limit 2 --before" in out
    code, _, err = run("jobs", "--status", "lost")
    assert code == 2 and "lost" in err


def test_health_fails_with_503_when_the_database_cannot_be_reached(
    tmp_path: Path, clock: Clock
) -> None:
    from maintctl.config import load_config
    from maintctl.store.db import Database

    unusable = Database(f"sqlite:///{tmp_path}")  # a directory, not a database file
    http = TestClient(create_app(Deps.build(unusable, load_config(None), clock=clock)))

    answer = http.get("/health")

    assert answer.status_code == 503 and answer.headers["content-type"] == "application/health+json"
    body = answer.json()
    (database,) = body["checks"]["database:responseTime"]
    assert body["status"] == "fail" and database["status"] == "fail"
    assert "directory" in database["output"]
