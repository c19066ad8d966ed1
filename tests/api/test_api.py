"""The HTTP API: shapes, status codes and RFC 9457 problems."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.config import Config
from maintctl.domain.template import TYPE_OPTIONS
from maintctl.logs import RedactTokens
from maintctl.services import accounts
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.conftest import ALICE, PLANNED_OUTAGE, Clock

BODY = {**PLANNED_OUTAGE, "systems": ["api", "db"]}


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as http:
        yield http


def test_it_creates_a_window_and_answers_with_its_stable_shape(client: TestClient) -> None:
    response = client.post("/api/v1/windows", json=BODY)
    assert response.status_code == 201
    assert response.headers["location"] == "/api/v1/windows/MNT-2026-0001"
    body = response.json()
    assert {k: body[k] for k in ("id", "type", "status", "start", "end", "systems")} == {
        "id": "MNT-2026-0001",
        "type": "planned-outage",
        "status": "draft",
        "start": "2026-12-06T02:00:00Z",
        "end": "2026-12-06T04:00:00Z",
        "systems": ["api", "db"],
    }
    assert set(body) >= {
        "owner",
        "description",
        "impact",
        "risk",
        "conflicts",
        "cancel_reason",
        "created_at",
        "updated_at",
    }
    assert body["created_at"] == "2026-11-27T12:00:00Z"
    # Showing one window adds its validation runs' summary (none yet).
    assert client.get("/api/v1/windows/MNT-2026-0001").json() == {
        **body,
        "validation": {},
        "hook_runs": [],
        "effects": [],
    }
    assert client.get("/api/v1/windows").json() == [body]


def test_a_refusal_is_problem_json_with_one_entry_per_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/windows", json={**BODY, "start": "2026-12-06T02:00:00", "risk": "huge"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:maintctl:problem:rule-violation"
    assert {(p["field"], p["rule"]) for p in body["problems"]} == {
        ("start", "time-zone-required"),
        ("risk", "risk-level"),
    }
    assert client.get("/api/v1/windows").json() == []


def test_overlap_is_409_and_names_the_other_window(client: TestClient) -> None:
    client.post("/api/v1/windows", json=BODY)
    response = client.post("/api/v1/windows", json={**BODY, "systems": ["db"]})
    assert response.status_code == 409
    assert "MNT-2026-0001" in response.json()["detail"]


def test_unknown_fields_and_windows_are_clear_4xx(client: TestClient) -> None:
    assert client.post("/api/v1/windows", json={**BODY, "colour": "red"}).status_code == 422
    missing = client.get("/api/v1/windows/MNT-2026-0404")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:maintctl:problem:not-found"


def test_modify_and_cancel(client: TestClient) -> None:
    client.post("/api/v1/windows", json=BODY)
    moved = client.patch("/api/v1/windows/MNT-2026-0001", json={"end": "2026-12-06T03:00:00Z"})
    assert moved.status_code == 200 and moved.json()["end"] == "2026-12-06T03:00:00Z"
    cancelled = client.post("/api/v1/windows/MNT-2026-0001/cancel", json={"reason": "Not needed"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Not needed"
    again = client.post("/api/v1/windows/MNT-2026-0001/cancel", json={"reason": "x"})
    assert again.status_code == 409
    history = client.get("/api/v1/windows/MNT-2026-0001/history").json()
    assert [h["action"] for h in history] == ["create", "modify", "cancel"]


def test_check_and_slots(client: TestClient) -> None:
    client.post("/api/v1/windows", json=BODY)
    report = client.get("/api/v1/check", params={"date": "2026-12-06", "systems": "db"}).json()
    assert report["date"] == "2026-12-06" and report["clear"] is False
    assert report["items"][0]["kind"] == "window" and report["items"][0]["name"] == "MNT-2026-0001"
    slots = client.get(
        "/api/v1/slots",
        params={"type": "planned-outage", "duration": "2h", "systems": "db", "count": 2},
    ).json()
    assert slots == [
        {"start": "2026-12-06T04:00:00Z", "end": "2026-12-06T06:00:00Z", "window": "primary"},
        {"start": "2026-12-06T06:00:00Z", "end": "2026-12-06T08:00:00Z", "window": "extended"},
    ]
    bad = client.get("/api/v1/check", params={"date": "06/12/2026"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "date"
    naive = client.get(
        "/api/v1/slots",
        params={"type": "planned-outage", "duration": "2h", "after": "2026-12-10T00:00:00"},
    )
    assert naive.json()["problems"][0]["rule"] == "time-zone-required"


def test_calendar_feed_and_month(client: TestClient) -> None:
    client.post("/api/v1/windows", json=BODY)
    feed = client.get("/calendar.ics")
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "UID:MNT-2026-0001@maintctl" in feed.text
    assert "STATUS:TENTATIVE" in feed.text
    month = client.get("/api/v1/calendar", params={"month": "2026-12"}).json()
    kinds = {(i["kind"], i["name"]) for i in month["items"]}
    assert {("window", "MNT-2026-0001"), ("freeze", "year-end"), ("note", "patching")} <= kinds


def test_policy_template_markdown_health_and_openapi(client: TestClient) -> None:
    policy = client.get("/api/v1/policy").json()["policy"]
    assert policy["types"]["planned-outage"]["notice"] == "7d"
    assert policy["windows"]["primary"]["start"] == "02:00"
    assert "# Maintenance Request" in client.get("/api/v1/template").text
    client.post("/api/v1/windows", json=BODY)
    markdown = client.get("/api/v1/windows/MNT-2026-0001", params={"format": "markdown"}).text
    assert "- **Request ID:** MNT-2026-0001" in markdown
    assert client.get("/healthz").json() == {"status": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/windows",
        "/api/v1/check",
        "/api/v1/slots",
        "/api/v1/policy",
        "/calendar.ics",
        "/healthz",
    } <= set(paths)


def test_a_filled_template_creates_a_window(client: TestClient) -> None:
    text = client.get("/api/v1/template").text
    filled = (
        text.replace("[Date/Time UTC]", "2026-12-06T02:00:00Z")
        .replace("[Estimated duration]", "2h")
        .replace(f"[{TYPE_OPTIONS}]", "Planned Outage")
        .replace("[List of systems]", "db")
        .replace("[Detailed description of maintenance activity]", "Vacuum full")
    )
    response = client.post("/api/v1/windows", json={"request_markdown": filled})
    assert response.status_code == 201, response.json()
    assert response.json()["end"] == "2026-12-06T04:00:00Z"


def test_a_stale_if_match_gets_412_with_the_current_version(client: TestClient) -> None:
    created = client.post("/api/v1/windows", json=BODY)
    assert created.headers["etag"] == '"1"'
    first = client.patch(
        "/api/v1/windows/MNT-2026-0001", json={"description": "v2"}, headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = client.patch(
        "/api/v1/windows/MNT-2026-0001", json={"description": "v3"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["type"] == "urn:maintctl:problem:stale"
    assert "now at version 2" in stale.json()["detail"]
    assert client.get("/api/v1/windows/MNT-2026-0001").json()["description"] == "v2"


def test_a_calendar_app_may_subscribe_with_the_token_in_the_url(
    db: Database, config: Config, clock: Clock
) -> None:
    server = Deps.build(db, config, clock=clock)
    with server.db.write() as session:
        viewer = accounts.add_user(session, ALICE, "feed", "viewer", "", clock())
    with TestClient(create_app(server)) as http:
        assert http.get("/calendar.ics").status_code == 401
        assert http.get("/calendar.ics", params={"token": "mct_wrong"}).status_code == 401
        feed = http.get("/calendar.ics", params={"token": viewer.secret})
        assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
        # Only the feed takes a token in the URL; the API wants the header.
        assert http.get("/api/v1/windows", params={"token": viewer.secret}).status_code == 401


def test_tokens_in_urls_are_redacted_from_the_access_log() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/calendar.ics?token=mct_secret&x=1", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert "mct_secret" not in record.getMessage()
    assert "/calendar.ics?token=[redacted]&x=1" in record.getMessage()
