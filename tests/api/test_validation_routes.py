"""The validation routes over HTTP: a run started here is run by the worker (Worker.step in
process), its results followed a page at a time with `after`; a viewer is refused; a
comparison without a baseline is refused plainly. Both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.config import parse_config
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts, windows
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.checks.servers import Answer, Http
from tests.conftest import PLANNED_OUTAGE, Clock
from tests.services.test_runs import TUNING

ROOT = Principal("root", Role.ADMIN)


def server_deps(db: Database, clock: Clock, tmp_path: Path, url: str) -> Deps:
    config = parse_config(
        "checks:\n"
        + "".join(
            f"  - {{name: c{i}, group: services, kind: http, url: '{url}/ok'}}\n" for i in range(3)
        ),
        "team.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock)


def token(deps: Deps, name: str, role: str) -> dict[str, str]:
    with deps.db.write() as session:
        secret = accounts.add_user(session, ROOT, name, role, "", deps.clock()).secret
    return {"Authorization": f"Bearer {secret}"}


def test_a_run_started_over_http_is_run_by_the_worker_and_followed_by_its_cursor(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with Http({"/ok": Answer()}) as server:
        deps = server_deps(db, clock, tmp_path, server.url)
        rita, vic = token(deps, "rita", "requester"), token(deps, "vic", "viewer")
        with deps.db.write() as session:
            wid = windows.create(
                deps,
                session,
                {**PLANNED_OUTAGE, "systems": ["api"]},
                Principal("rita", Role.REQUESTER),
            ).id
        with TestClient(create_app(deps)) as http:
            refused = http.post("/api/v1/validations", json={"window": wid}, headers=vic)
            assert refused.status_code == 403
            assert refused.headers["content-type"] == "application/problem+json"
            no_base = http.post(
                "/api/v1/validations", json={"window": wid, "baseline": "compare"}, headers=rita
            )
            assert no_base.status_code == 422
            assert no_base.json()["problems"][0]["rule"] == "no-baseline"
            started = http.post("/api/v1/validations", json={"window": wid}, headers=rita)
            assert started.status_code == 202
            run = started.json()
            assert started.headers["location"] == f"/api/v1/validations/{run['id']}"
            assert (run["status"], run["window"], run["started_by"]) == ("queued", wid, "rita")
            assert Worker(deps, TUNING, name="w").step()
            seen: list[dict[str, Any]] = []
            url = f"{started.headers['location']}?limit=2"
            for _ in range(5):  # 3 results, 2 a page: 2 pages and an empty one at most
                page = http.get(url, headers=vic)
                assert page.status_code == 200
                seen += page.json()["results"]
                link = page.headers.get("link")
                if not link:
                    break
                url = link[1 : link.index(">")]
            assert sorted(r["name"] for r in seen) == ["c0", "c1", "c2"]
            assert page.json()["status"] == "passed" and page.json()["passed"] is True
            after = http.get(
                started.headers["location"], params={"after": seen[-1]["cursor"]}, headers=vic
            ).json()
            assert after["results"] == [] and after["cursor"] == seen[-1]["cursor"]
            listed = http.get(f"/api/v1/windows/{wid}/validations", headers=vic).json()
            assert [r["id"] for r in listed] == [run["id"]]
            assert http.get("/api/v1/validations/V-999", headers=vic).status_code == 404
            assert http.get("/api/v1/validations/nope", headers=vic).status_code == 404
