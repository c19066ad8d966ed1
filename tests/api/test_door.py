"""The door: body size, nesting and text rules before routing and authentication; every error
as problem+json."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.api.door import body_refusal
from maintctl.config import Config
from maintctl.domain import bounds
from maintctl.services import accounts
from maintctl.services.deps import Deps
from maintctl.store import db as store_db
from maintctl.store.db import Database
from tests.conftest import ALICE, PG_URL, PLANNED_OUTAGE, Clock

BODY = {**PLANNED_OUTAGE, "systems": ["db"]}
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def server(db: Database, config: Config, clock: Clock) -> Iterator[TestClient]:
    """A token-checking server; no token is sent unless a test adds one."""
    with TestClient(create_app(Deps.build(db, config, clock=clock))) as http:
        yield http


@pytest.fixture
def admin(db: Database, clock: Clock) -> dict[str, str]:
    with db.write() as session:
        token = accounts.add_user(session, ALICE, "door-admin", "admin", "", clock()).secret
    return {"Authorization": f"Bearer {token}"}


def rule_of(response: object) -> str:
    body = response.json()  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM_JSON  # type: ignore[attr-defined]
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return str(body["problems"][0]["rule"])


def test_it_refuses_a_body_over_the_limit_by_its_length_without_a_token(
    server: TestClient,
) -> None:
    big = b"x" * (bounds.MAX_BODY_BYTES + 1)
    response = server.post("/api/v1/windows", content=big)
    assert response.status_code == 413 and rule_of(response) == "too-large"


def test_it_refuses_a_chunked_body_as_it_streams_past_the_limit(server: TestClient) -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for n in range(8):  # 8 chunks of 256 KiB: the limit is passed at the fifth
            sent.append(n)
            yield b" " * 262_144

    response = server.post("/api/v1/windows", content=chunks())
    assert response.status_code == 413 and rule_of(response) == "too-large"


def test_a_body_at_the_limit_passes_the_door(server: TestClient) -> None:
    body = json.dumps({"description": "x" * (bounds.MAX_BODY_BYTES - 100)}).encode()
    assert len(body) <= bounds.MAX_BODY_BYTES
    assert server.post("/api/v1/windows", content=body).status_code == 401


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_it_refuses_100000_nested_brackets_without_a_token(server: TestClient, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    body = opener * 100_000 + "1" + closer * 100_000
    response = server.post("/api/v1/windows", content=body.encode())
    assert response.status_code == 422 and rule_of(response) == "json-depth"


def test_nesting_at_the_bound_passes_the_door() -> None:
    depth = bounds.MAX_JSON_DEPTH
    assert body_refusal(("[" * depth + "]" * depth).encode()) is None
    assert body_refusal(("[" * (depth + 1) + "]" * (depth + 1)).encode()) == "json-depth"


def test_brackets_inside_strings_are_text_not_nesting() -> None:
    body = json.dumps({"description": "[{" * 1_000 + '\\"[', "x": ["]"]})
    assert body_refusal(body.encode()) is None


def test_an_unterminated_string_costs_one_pass() -> None:
    body = b'{"a": "' + b"\\\\x" * 300_000
    assert body_refusal(body) is None  # not JSON: the route names the shape


def test_it_refuses_a_body_that_is_not_utf8(server: TestClient) -> None:
    response = server.post("/api/v1/windows", content=b'{"description": "caf\xe9"}')
    assert response.status_code == 422 and rule_of(response) == "invalid-utf8"


def test_it_refuses_a_lone_surrogate_in_a_description(
    server: TestClient, admin: dict[str, str], db: Database
) -> None:
    body = json.dumps(BODY)[:-1] + ', "description": "x \\ud800 y"}'
    response = server.post("/api/v1/windows", content=body.encode(), headers=admin)
    assert response.status_code == 422 and rule_of(response) == "lone-surrogate"
    assert server.get("/api/v1/windows", headers=admin).json() == []


def test_a_surrogate_pair_is_one_character_and_accepted(
    server: TestClient, admin: dict[str, str]
) -> None:
    body = json.dumps(BODY)[:-1] + ', "description": "deploy \\ud83d\\ude80"}'
    headers = {**admin, "Content-Type": "application/json"}
    response = server.post("/api/v1/windows", content=body.encode(), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "deploy \U0001f680"


def test_it_refuses_nul_in_a_body_path_or_query(server: TestClient) -> None:
    assert rule_of(server.post("/api/v1/tokens", json={"name": "a\x00b"})) == "nul-character"
    assert rule_of(server.get("/api/v1/windows/MNT-2026-%00")) == "nul-character"
    assert rule_of(server.get("/api/v1/check?date=x%00")) == "nul-character"


def test_unknown_paths_and_wrong_methods_answer_problem_json(server: TestClient) -> None:
    missing = server.get("/no/such/path")
    assert missing.status_code == 404 and rule_of(missing) == "not-found"
    wrong = server.delete("/api/v1/windows")
    assert wrong.status_code == 405 and rule_of(wrong) == "method-not-allowed"
    assert "GET" in wrong.headers["allow"]


def test_an_unexpected_error_answers_500_with_an_id_that_the_log_holds(
    server: TestClient,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from maintctl.services import calendar

    def broken(text: str) -> None:
        raise RuntimeError("a bug, with a secret mct_hidden in its message")

    monkeypatch.setattr(calendar, "month_span", broken)
    with caplog.at_level(logging.ERROR, logger="maintctl"):
        response = server.get("/api/v1/calendar?month=2026-12", headers=admin)
    assert response.status_code == 500 and rule_of(response) == "internal"
    text = response.text
    assert "Traceback" not in text and "RuntimeError" not in text and "mct_hidden" not in text
    error_id = text.split("logged as ")[1][:12]
    assert all(c in "0123456789abcdef" for c in error_id)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's lock")
def test_a_locked_sqlite_database_answers_503_with_retry_after(
    database_url: str, config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "SQLITE_BUSY_MS", 50)
    local = Deps.build(Database(database_url), config, clock=clock, local=accounts_local())
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    with TestClient(create_app(local)) as http:
        holder.execute("BEGIN IMMEDIATE")
        try:
            response = http.post("/api/v1/windows", json=BODY)
        finally:
            holder.execute("ROLLBACK")
    assert response.status_code == 503 and rule_of(response) == "unavailable"
    assert response.headers["retry-after"].isdigit()
    assert "locked" in response.json()["detail"]


def accounts_local() -> object:
    from maintctl.services.deps import LocalIdentity

    return LocalIdentity("alice")


def test_an_unreachable_postgresql_answers_503_naming_it_without_its_password(
    config: Config, clock: Clock
) -> None:
    db = Database("postgresql+psycopg://maintctl:sekrit-pw@127.0.0.1:9/nowhere?connect_timeout=2")
    http = TestClient(create_app(Deps.build(db, config, clock=clock)))  # no lifespan: no migration
    response = http.get("/api/v1/me", headers={"Authorization": "Bearer mct_x"})
    assert response.status_code == 503 and rule_of(response) == "unavailable"
    assert "127.0.0.1:9/nowhere" in response.text and "sekrit-pw" not in response.text


@pytest.mark.skipif(bool(PG_URL), reason="a SQLite file")
def test_a_read_only_sqlite_database_is_readable_and_refuses_writes_with_503(
    database_url: str, config: Config, clock: Clock
) -> None:
    path = Path(database_url.removeprefix("sqlite:///"))
    db = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    with TestClient(
        create_app(Deps.build(db, config, clock=clock, local=accounts_local()))
    ) as http:  # type: ignore[arg-type]
        assert http.get("/api/v1/windows").status_code == 200
        response = http.post("/api/v1/windows", json=BODY)
    assert response.status_code == 503 and "read-only" in response.json()["detail"]


def test_an_http_error_raised_anywhere_keeps_its_status_as_problem_json(deps: Deps) -> None:
    from fastapi import HTTPException

    app = create_app(deps)

    @app.get("/teapot")
    def teapot() -> None:
        raise HTTPException(418, "short and stout")

    with TestClient(app) as http:
        response = http.get("/teapot")
    assert response.status_code == 418 and rule_of(response) == "invalid"


@pytest.mark.skipif(not PG_URL, reason="needs the PostgreSQL lane")
def test_a_wrong_postgresql_password_answers_503_without_it(config: Config, clock: Clock) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(password="sekrit-pw").render_as_string(hide_password=False)
    http = TestClient(create_app(Deps.build(Database(url), config, clock=clock)))
    response = http.get("/api/v1/me", headers={"Authorization": "Bearer mct_x"})
    assert response.status_code == 503 and rule_of(response) == "unavailable"
    assert "password" in response.text and "sekrit-pw" not in response.text
