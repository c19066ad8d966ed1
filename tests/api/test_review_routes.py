"""The review, action and close routes over HTTP: ETags, pages, problem+json."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.services import accounts
from maintctl.services.deps import Deps
from tests.api.test_lifecycle_routes import wid
from tests.conftest import ALICE

__all__ = ["wid"]


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with deps.db.write() as session:
        accounts.add_user(session, ALICE, "otto", "requester", "otto@example.com", deps.clock())
    with TestClient(create_app(deps)) as http:
        yield http


def test_the_review_routes_over_http(client: TestClient, wid: str) -> None:
    url = f"/api/v1/windows/{wid}"
    never = client.get(f"{url}/review")
    assert never.status_code == 422 and never.json()["problems"][0]["rule"] == "never-ran"
    assert client.post(f"{url}/start", json={"early": True}).status_code == 200
    assert client.post(f"{url}/complete").status_code == 200
    shown = client.get(f"{url}/review")
    assert shown.status_code == 200 and shown.headers["etag"] == '"0"'
    assert [m["metric"] for m in shown.json()["metrics"]] == [
        "Duration",
        "Customer Notifications",
        "Validation Checks",
        "Incidents During",
    ]
    body = {"went_well": "<b>quick</b>", "lessons": "stage first"}
    saved = client.put(f"{url}/review", json=body, headers={"If-Match": '"0"'})
    assert saved.status_code == 200 and saved.headers["etag"] == '"1"'
    stale = client.put(f"{url}/review", json=body, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert "\\<b\\>quick\\</b\\>" in client.get(f"{url}/review").json()["markdown"]

    for n in range(3):
        item = {"what": f"item {n}", "owner": "otto", "due": "2026-12-20"}
        assert client.post(f"{url}/actions", json=item).status_code == 201
    first = client.get("/api/v1/actions", params={"limit": 2, "owner": "otto"})
    assert [a["label"] for a in first.json()] == ["A-1", "A-2"]
    assert first.headers["link"] == '</api/v1/actions?after=2&limit=2&owner=otto>; rel="next"'
    rest = client.get("/api/v1/actions?after=2&limit=2&owner=otto")
    assert [a["id"] for a in rest.json()] == [3] and "link" not in rest.headers
    assert client.post("/api/v1/actions/2/done").json()["done"] is True
    assert [a["id"] for a in client.get("/api/v1/actions?open=true").json()] == [1, 3]
    assert client.post("/api/v1/actions/99/done").status_code == 404
    assert client.post("/api/v1/actions/0/done").status_code == 422

    refused = client.post(f"{url}/close", json={})
    assert refused.status_code == 403  # alice is admin: she closes by force only
    forced = client.post(f"{url}/close", json={"force": True, "reason": "done on paper"})
    assert forced.status_code == 200 and forced.json()["status"] == "closed"
