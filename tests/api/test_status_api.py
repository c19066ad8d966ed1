"""The status page over HTTP: Statuspage's paths, field names and values; 304s; a private page.

The field lists are Statuspage's public Status API as documented (the /api/v2 examples of
metastatuspage.com/api and of Statuspage-hosted pages that publish its reference): every
documented field must be present, with the documented values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts
from maintctl.services.deps import Deps
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, START, move
from tests.services.test_status import page_deps, schedule

PAGE = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
MAINTENANCE = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "page_id",
    "incident_updates",
    "scheduled_for",
    "scheduled_until",
}
UPDATE = {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at"}
SUMMARY = {"page", "components", "incidents", "scheduled_maintenances", "status"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
# As Statuspage writes an instant on a UTC page: 2021-10-28T11:39:27.351Z
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PATHS = (
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)


def server(deps: Deps) -> Deps:
    """The same deps as a server's: tokens, not the local identity."""
    return Deps.build(deps.db, deps.config, clock=deps.clock)


@pytest.fixture
def client(deps: Deps, tmp_path: Path) -> Iterator[tuple[Deps, TestClient]]:
    paged = page_deps(deps, tmp_path)
    with TestClient(create_app(server(paged))) as http:
        yield paged, http


def _instant(value: Any) -> None:
    assert value is None or INSTANT.match(value), value


def _check_page(body: dict[str, Any]) -> None:
    assert body["page"].keys() >= PAGE
    assert body["page"]["time_zone"] == "Etc/UTC"
    _instant(body["page"]["updated_at"])


def _check_component(c: dict[str, Any], page_id: str) -> None:
    assert c.keys() >= COMPONENT
    assert c["status"] in COMPONENT_STATUSES and c["page_id"] == page_id
    _instant(c["created_at"])
    _instant(c["updated_at"])


def _check_maintenance(m: dict[str, Any], page_id: str) -> None:
    assert m.keys() >= MAINTENANCE
    assert m["status"] in MAINTENANCE_STATUSES and m["impact"] == "maintenance"
    assert m["page_id"] == page_id and m["shortlink"].endswith("#" + m["id"])
    for name in ("created_at", "updated_at", "resolved_at", "scheduled_for", "scheduled_until"):
        _instant(m[name])
    for u in m["incident_updates"]:
        assert u.keys() >= UPDATE and u["incident_id"] == m["id"]
        assert u["status"] in MAINTENANCE_STATUSES
        _instant(u["display_at"])
    shown = [u["display_at"] for u in m["incident_updates"]]
    assert shown == sorted(shown, reverse=True)  # newest first
    for c in m.get("components", []):
        _check_component(c, page_id)


def _check(path: str, body: dict[str, Any]) -> None:
    _check_page(body)
    page_id = body["page"]["id"]
    if path.endswith("summary.json"):
        assert body.keys() == SUMMARY and body["incidents"] == []
    if "status" in body:
        assert body["status"]["indicator"] in INDICATORS and body["status"]["description"]
    for c in body.get("components", []):
        _check_component(c, page_id)
    for m in body.get("scheduled_maintenances", []):
        _check_maintenance(m, page_id)


def test_every_path_answers_with_statuspage_fields_and_values(
    client: tuple[Deps, TestClient], clock: Clock
) -> None:
    deps, http = client
    later = schedule(deps, systems=["web"])
    now = schedule(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", now, RITA)
    move(deps, "progress", now, RITA, step=1, of=2, task="t", public="Going well.")
    for path in PATHS:
        answer = http.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["access-control-allow-origin"] == "*"
        _check(path, answer.json())
    summary = http.get("/api/v2/summary.json").json()
    assert summary["status"] == {
        "indicator": "maintenance",
        "description": "Service Under Maintenance",
    }
    states = {c["id"]: c["status"] for c in summary["components"]}
    assert states == {"database": "under_maintenance", "website": "operational"}
    assert [m["id"] for m in summary["scheduled_maintenances"]] == [now, later]
    upcoming = http.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert [(m["id"], m["status"]) for m in upcoming["scheduled_maintenances"]] == [
        (later, "scheduled")
    ]
    active = http.get("/api/v2/scheduled-maintenances/active.json").json()
    (running,) = active["scheduled_maintenances"]
    assert (running["id"], running["status"]) == (now, "in_progress")
    assert running["incident_updates"][0]["body"] == "Going well."
    assert http.get("/api/v2/components.json").json()["components"][0]["position"] == 1


def test_a_finished_window_is_in_the_list_of_all_but_not_in_the_summary(
    client: tuple[Deps, TestClient], clock: Clock
) -> None:
    deps, http = client
    wid = schedule(deps)
    clock.now = START
    move(deps, "start", wid, RITA)
    clock.now = START + timedelta(hours=1)
    move(deps, "complete", wid, RITA)
    every = http.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    assert [(m["id"], m["status"]) for m in every] == [(wid, "completed")]
    assert every[0]["resolved_at"] == "2026-12-06T03:00:00.000Z"
    _check_maintenance(every[0], http.get("/api/v2/status.json").json()["page"]["id"])
    assert http.get("/api/v2/summary.json").json()["scheduled_maintenances"] == []
    assert http.get("/api/v2/status.json").json()["status"]["indicator"] == "none"


def test_an_unchanged_page_answers_304_and_a_move_changes_its_etag(
    client: tuple[Deps, TestClient],
) -> None:
    deps, http = client
    for path in (*PATHS, "/status", "/history.atom"):
        first = http.get(path)
        tag = first.headers["etag"]
        assert first.headers["cache-control"] == "public, no-cache"
        assert "last-modified" in first.headers
        again = http.get(path, headers={"If-None-Match": tag})
        assert (again.status_code, again.content) == (304, b"")
    before = http.get("/api/v2/summary.json").headers["etag"]
    schedule(deps)
    changed = http.get("/api/v2/summary.json", headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.headers["etag"] != before


def test_a_private_page_needs_a_token_and_a_viewers_will_do(deps: Deps, tmp_path: Path) -> None:
    private = server(page_deps(deps, tmp_path, ", public: false"))
    with private.db.write() as session:
        secret = accounts.add_user(
            session, Principal("root", Role.ADMIN), "vera", "viewer", "", private.clock()
        ).secret
    with TestClient(create_app(private)) as http:
        for path in (*PATHS, "/status", "/history.atom"):
            refused = http.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["content-type"] == "application/problem+json"
            assert "www-authenticate" in refused.headers
            bad = http.get(path, headers={"Authorization": "Bearer nope"})
            assert bad.status_code == 401
            seen = http.get(path, headers={"Authorization": f"Bearer {secret}"})
            assert seen.status_code == 200, path
            assert seen.headers["cache-control"] == "private, no-cache"
            assert "access-control-allow-origin" not in seen.headers


def test_a_public_page_needs_no_token_and_ignores_a_bad_one(
    client: tuple[Deps, TestClient],
) -> None:
    _deps, http = client
    for path in (*PATHS, "/status", "/history.atom"):
        assert http.get(path).status_code == 200, path
        stale = http.get(path, headers={"Authorization": "Bearer mct_revoked-long-ago"})
        assert stale.status_code == 200, path


def test_the_cli_local_transport_gives_the_same_json(deps: Deps, tmp_path: Path) -> None:
    from maintctl.cli.transport import LocalTransport
    from maintctl.config import Settings

    paged = page_deps(deps, tmp_path)
    schedule(paged)
    local = LocalTransport(Settings(), paged)
    with TestClient(create_app(server(paged))) as http:
        for path in PATHS:
            mine, theirs = local.request("GET", path), http.get(path)
            assert (mine.status_code, mine.json()) == (theirs.status_code, theirs.json())
            assert mine.headers["etag"] == theirs.headers["etag"]
