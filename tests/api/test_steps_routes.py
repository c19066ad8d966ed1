"""The steps, log and rollback routes over HTTP: the JSON shapes, the log's pages, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps
from tests.api.test_lifecycle_routes import SIGNERS
from tests.conftest import ALICE, PLANNED_OUTAGE

STEPS = [{"text": "Stop", "command": "systemctl stop app", "timeout": "90s"}, {"text": "Look"}]


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as http:
        yield http


@pytest.fixture
def wid(deps: Deps) -> str:
    """A planned outage with steps, filed by alice (the local user), signed and started."""
    with deps.db.write() as session:
        made = windows.create(
            deps, session, {**PLANNED_OUTAGE, "systems": ["db"], "steps": STEPS}, ALICE
        )
        workflow.submit(deps, session, made.id, ALICE)
        for signer in SIGNERS:
            workflow.approve(deps, session, made.id, signer)
    return made.id


def test_the_window_shows_its_steps_and_a_step_is_begun_and_finished(
    client: TestClient, wid: str
) -> None:
    url = f"/api/v1/windows/{wid}"
    shown = client.get(url).json()
    assert shown["steps"][0] == {
        "text": "Stop",
        "command": "systemctl stop app",
        "timeout": "1m30s",
    }
    assert shown["steps"][1]["command"] is None and len(shown["signed_hash"]) == 64
    refused = client.post(f"{url}/steps", json={"phase": "run", "number": 1})
    assert refused.status_code == 409 and refused.json()["problems"][0]["rule"] == "state"
    assert client.post(f"{url}/start", json={"early": True}).status_code == 200
    began = client.post(f"{url}/steps", json={"phase": "run", "number": 1})
    assert began.status_code == 201 and began.json()["state"] == "running"
    rid = began.json()["id"]
    done = client.post(f"{url}/steps/{rid}/finish", json={"state": "failed", "exit_code": 2})
    assert done.status_code == 200 and done.json()["exit_code"] == 2
    again = client.post(f"{url}/steps/{rid}/finish", json={"state": "passed"})
    assert again.status_code == 409
    plan = client.get(f"{url}/steps").json()
    assert plan["signed_fields_match"] is True and plan["phases"]["run"]["resume_at"] == 1
    assert plan["phases"]["run"]["steps"][0]["last"]["state"] == "failed"


def test_the_log_is_read_a_page_at_a_time_after_a_seq(client: TestClient, wid: str) -> None:
    url = f"/api/v1/windows/{wid}/log"
    client.post(f"/api/v1/windows/{wid}/start", json={"early": True})
    sent = client.post(url, json={"lines": [f"line {n}" for n in range(5)], "phase": "run"})
    assert sent.status_code == 201 and sent.json() == {"kept": 5, "full": False}
    first = client.get(url, params={"limit": 2})
    assert [x["line"] for x in first.json()] == ["line 0", "line 1"]
    assert first.headers["link"] == f'</api/v1/windows/{wid}/log?limit=2&after=2>; rel="next"'
    rest = client.get(url, params={"after": 2})
    assert [x["seq"] for x in rest.json()] == [3, 4, 5] and "link" not in rest.headers
    too_many = client.post(url, json={"lines": ["x"] * 501})
    assert too_many.status_code == 422


def test_rollback_over_http_moves_the_window_and_answers_its_duration(
    client: TestClient, wid: str
) -> None:
    url = f"/api/v1/windows/{wid}"
    client.post(f"{url}/start", json={"early": True})
    done = client.post(f"{url}/rollback", json={"reason": "errors"})
    assert done.status_code == 200
    assert done.json()["status"] == "rolled_back" and done.json()["actual_duration"] == "0m"
    assert client.post(f"{url}/rollback", json={}).status_code == 409
