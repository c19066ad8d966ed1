"""/api/v1/mode and the mode members of the public /health (contract9.md §3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.config import Config
from maintctl.services import accounts
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.services.test_lifecycle import ROOT

MEMBERS = {"maintenanceMode", "trafficMode", "message", "until", "systems"}


@pytest.fixture
def served(db: Database, config: Config, clock: Clock) -> Deps:
    """A server's deps: every call needs a token."""
    return Deps.build(db, config, clock=clock)


def tokens(deps: Deps) -> dict[str, str]:
    with deps.db.write() as session:
        return {
            role: accounts.add_user(session, ROOT, f"{role}-1", role, "", deps.clock()).secret
            for role in ("viewer", "team-lead")
        }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_serves_the_global_state_and_each_scoped_one(served: Deps) -> None:
    deps = served
    http = TestClient(create_app(deps))
    quiet = http.get("/health").json()
    assert {k: quiet[k] for k in MEMBERS} == {
        "maintenanceMode": False,
        "trafficMode": "normal",
        "message": None,
        "until": None,
        "systems": {},
    }
    lead = bearer(tokens(deps)["team-lead"])
    answer = http.post(
        "/api/v1/mode/maintenance",
        json={"enabled": True, "message": "Back at 04:00 UTC.", "reason": "upgrade"},
        headers=lead,
    )
    assert answer.status_code == 200 and answer.json()["global"] is True
    http.post("/api/v1/mode/traffic", json={"mode": "read-only", "systems": ["db"]}, headers=lead)
    body = http.get("/health").json()
    assert body["maintenanceMode"] is True and body["trafficMode"] == "normal"
    assert body["message"] == "Back at 04:00 UTC." and body["status"] in ("pass", "warn")
    assert body["systems"] == {
        "db": {"maintenanceMode": False, "trafficMode": "read-only", "message": None, "until": None}
    }


def test_a_viewer_reads_who_why_and_since_per_scope_but_cannot_change_them(
    served: Deps,
) -> None:
    deps = served
    http = TestClient(create_app(deps))
    made = tokens(deps)
    http.post(
        "/api/v1/mode/traffic",
        json={"mode": "maintenance", "systems": ["api"], "reason": "cut over"},
        headers=bearer(made["team-lead"]),
    )
    found = http.get("/api/v1/mode", headers=bearer(made["viewer"]))
    assert found.status_code == 200
    (state,) = found.json()["states"]
    assert state == {
        "kind": "traffic",
        "scope": "api",
        "value": "maintenance",
        "message": None,
        "window": None,
        "until": None,
        "by": "team-lead-1",
        "reason": "cut over",
        "since": "2026-11-27T12:00:00Z",
    }
    refused = http.post(
        "/api/v1/mode/traffic", json={"mode": "normal"}, headers=bearer(made["viewer"])
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert http.get("/api/v1/mode").status_code == 401


def test_health_leaves_the_mode_members_out_when_the_database_cannot_be_reached(
    tmp_path: Path, clock: Clock
) -> None:
    from maintctl.config import load_config
    from maintctl.store.db import Database

    unusable = Database(f"sqlite:///{tmp_path}")  # a directory, not a database file
    http = TestClient(create_app(Deps.build(unusable, load_config(None), clock=clock)))
    answer = http.get("/health")
    assert answer.status_code == 503 and not MEMBERS & set(answer.json())


def test_every_change_is_in_the_mode_audit_trail_newest_first_and_paged(served: Deps) -> None:
    http = TestClient(create_app(served))
    made = tokens(served)
    for mode_ in ("read-only", "maintenance", "normal"):
        http.post(
            "/api/v1/mode/traffic",
            json={"mode": mode_, "reason": f"to {mode_}"},
            headers=bearer(made["team-lead"]),
        )
    first = http.get("/api/v1/mode/changes?limit=2", headers=bearer(made["viewer"]))
    assert [(c["value"], c["by"], c["reason"]) for c in first.json()] == [
        ("normal", "team-lead-1", "to normal"),
        ("maintenance", "team-lead-1", "to maintenance"),
    ]
    assert first.json()[0]["global"] is True and "token" in first.json()[0]["credential"]
    link = first.headers["link"]
    rest = http.get(link[1 : link.index(">")], headers=bearer(made["viewer"]))
    assert [c["value"] for c in rest.json()] == ["read-only"] and "link" not in rest.headers
