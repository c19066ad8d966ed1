"""GET /api/v1/windows/{id}/render: a notice preview over HTTP; unknown names are a 422."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.domain.roles import Principal, Role
from maintctl.services import windows
from maintctl.services.deps import Deps

ALICE = Principal("alice", Role.ADMIN)


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as test_client:
        yield test_client


@pytest.fixture
def wid(deps: Deps) -> str:
    raw = {
        "type": "planned-outage",
        "start": datetime(2030, 1, 6, 2, tzinfo=UTC).isoformat(),
        "end": datetime(2030, 1, 6, 4, tzinfo=UTC).isoformat(),
        "systems": ["api"],
        "owner": "sre",
        "description": "internal {{ 7*7 }} notes",
        "public_title": "Database upgrade",
    }
    with deps.db.write() as session:
        return windows.create(deps, session, raw, ALICE).id


def test_it_renders_a_customer_notice_without_internal_fields(client: TestClient, wid: str) -> None:
    answer = client.get(
        f"/api/v1/windows/{wid}/render", params={"kind": "initial", "audience": "partners"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["subject"] == "[Scheduled Maintenance] Database upgrade - Sunday, 2030-01-06"
    assert (body["window"], body["kind"], body["audience"], body["channel"]) == (
        wid,
        "initial",
        "partners",
        None,
    )
    assert "internal" not in body["text"] + body["html"] + body["chat"]
    assert body["html"].startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "soon"}, "kind"),
        ({"kind": "initial", "audience": "nobody"}, "audience"),
        ({"kind": "initial", "channel": "nowhere"}, "channel"),
    ],
)
def test_an_unknown_kind_audience_or_channel_is_a_422_naming_it(
    client: TestClient, wid: str, params: dict[str, str], field: str
) -> None:
    answer = client.get(f"/api/v1/windows/{wid}/render", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [p["field"] for p in answer.json()["problems"]] == [field]


def test_an_unknown_window_is_a_404(client: TestClient) -> None:
    answer = client.get("/api/v1/windows/MNT-2030-9999/render", params={"kind": "initial"})
    assert answer.status_code == 404
