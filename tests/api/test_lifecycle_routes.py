"""The life-cycle routes over HTTP: versions, the updates' pages, and the window's new fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.domain.roles import Principal, Role
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps
from tests.conftest import ALICE, PLANNED_OUTAGE

SIGNERS = [
    Principal("tom", Role.TEAM_LEAD),
    Principal("emma", Role.ENGINEERING_MANAGER),
    Principal("victor", Role.VP_ENGINEERING),
]


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as http:
        yield http


@pytest.fixture
def wid(deps: Deps) -> str:
    """A planned outage filed by alice (the local user) and signed by its three levels."""
    with deps.db.write() as session:
        made = windows.create(deps, session, {**PLANNED_OUTAGE, "systems": ["db"]}, ALICE)
        workflow.submit(deps, session, made.id, ALICE)
        for signer in SIGNERS:
            workflow.approve(deps, session, made.id, signer)
    return made.id


def test_a_stale_if_match_is_412_and_the_right_one_moves_the_window(
    client: TestClient, wid: str
) -> None:
    url = f"/api/v1/windows/{wid}"
    shown = client.get(url).json()
    assert (shown["lead"], shown["actual_start"], shown["actual_end"]) == (None, None, None)
    stale = client.post(f"{url}/start", json={"early": True}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and client.get(url).json()["status"] == "scheduled"
    early = client.post(f"{url}/start", json={})
    assert early.status_code == 422 and early.json()["problems"][0]["rule"] == "early-start"
    started = client.post(f"{url}/start", json={"early": True}, headers={"If-Match": '"5"'})
    assert started.status_code == 200 and started.headers["etag"] == '"6"'
    body = started.json()
    assert (body["status"], body["lead"], body["actual_start"]) == (
        "in_progress",
        "alice",
        "2026-11-27T12:00:00Z",
    )
    stale = client.post(f"{url}/complete", headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    done = client.post(f"{url}/complete", headers={"If-Match": '"6"'})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["actual_duration"] == "0m"


def test_updates_come_a_page_at_a_time_oldest_first(client: TestClient, wid: str) -> None:
    url = f"/api/v1/windows/{wid}"
    assert client.post(f"{url}/start", json={"early": True}).status_code == 200
    for step in (1, 2, 3):  # 3 updates, read in pages of 2
        answer = client.post(
            f"{url}/progress", json={"step": step, "of": 3, "task": f"step {step}"}
        )
        assert answer.status_code == 201 and answer.json()["step"] == step
    first = client.get(f"{url}/updates", params={"limit": 2})
    assert [u["task"] for u in first.json()] == ["step 1", "step 2"]
    link = first.headers["link"]
    assert link.startswith(f"</api/v1/windows/{wid}/updates?limit=2&after=")
    rest = client.get(link[1 : link.index(">")])
    assert [u["task"] for u in rest.json()] == ["step 3"] and "link" not in rest.headers
    assert set(rest.json()[0]) == {
        "id", "window", "at", "step", "of", "task", "status", "eta", "public", "by",
    }  # fmt: skip
