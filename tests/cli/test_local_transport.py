"""Local mode's transport answers as the HTTP API does, without building the web app."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.api.handlers import ROUTES
from maintctl.cli.transport import LocalTransport
from maintctl.config import Settings
from maintctl.services import windows
from maintctl.services.deps import Deps
from tests.conftest import ALICE, PLANNED_OUTAGE

W = "/api/v1/windows"
ONE = f"{W}/MNT-2026-0001"
GOOD = {**PLANNED_OUTAGE, "systems": ["api"], "start": "2026-12-06T05:00:00Z"}
GOOD.pop("end")
GOOD["duration"] = "1h"

# (method, path, params, json, headers): reads, and refusals that write nothing, so the order
# in which the two transports run them does not matter. 36 cases.
CASES: list[tuple[str, str, dict[str, Any] | None, Any, dict[str, str] | None]] = [
    ("GET", W, None, None, None),
    ("GET", W, {"limit": 1}, None, None),
    ("GET", W, {"limit": 1, "upcoming": True, "status": ["draft", "scheduled"]}, None, None),
    ("GET", W, {"system": "api,db", "type": "planned-outage"}, None, None),
    ("GET", W, {"from": "2026-12-06", "to": "2026-12-07T00:00:00Z"}, None, None),
    ("GET", W, {"limit": 0}, None, None),
    ("GET", W, {"limit": "many"}, None, None),
    ("GET", W, {"limit": 100_000}, None, None),
    ("GET", W, {"cursor": "tampered"}, None, None),
    ("GET", W, {"status": "nope"}, None, None),
    ("GET", W, {"from": "yesterday"}, None, None),
    ("GET", W, {"upcoming": "perhaps"}, None, None),
    ("GET", ONE, None, None, None),
    ("GET", ONE, {"format": "markdown"}, None, None),
    ("GET", ONE, {"format": "pdf"}, None, None),
    ("GET", f"{W}/MNT-2026-9999", None, None, None),
    ("GET", f"{W}/MNT%2D2026%2D0001", None, None, None),
    ("GET", f"{ONE}/history", None, None, None),
    ("GET", "/api/v1/approvals/pending", None, None, None),
    ("GET", "/api/v1/check", {"date": "2026-12-06", "systems": "api"}, None, None),
    ("GET", "/api/v1/check", {"date": "9999-99-99"}, None, None),
    ("GET", "/api/v1/check", None, None, None),
    ("GET", "/api/v1/slots", {"type": "planned-outage", "duration": "1h"}, None, None),
    (
        "GET",
        "/api/v1/slots",
        {"type": "planned-outage", "duration": "1h", "count": "x"},
        None,
        None,
    ),
    ("GET", "/api/v1/policy", None, None, None),
    ("GET", "/api/v1/template", None, None, None),
    ("GET", "/api/v1/me", None, None, None),
    ("POST", W, None, {"type": "planned-outage"}, None),
    ("POST", W, None, {**GOOD, "colour": "red"}, None),
    ("POST", W, None, {**GOOD, "systems": "api"}, None),
    ("POST", W, None, None, None),
    ("POST", W, None, {**GOOD, "start": "2026-12-06T05:00:00"}, None),
    ("PATCH", ONE, None, {"description": "new"}, {"If-Match": '"99"'}),
    ("POST", f"{ONE}/cancel", None, {}, None),
    ("POST", f"{ONE}/approve", None, {"comment": "ok"}, None),
    ("POST", f"{W}/MNT-2026-9999/submit", None, None, None),
]
HEADERS = ("content-type", "etag", "link", "location", "www-authenticate")


@pytest.fixture
def both(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalTransport, TestClient]]:
    monkeypatch.setenv("USER", "alice")  # the local identity of the `deps` fixture
    monkeypatch.delenv("MAINTCTL_AS", raising=False)
    for start in ("2026-12-06T02:00:00Z", "2026-12-13T02:00:00Z"):
        with deps.db.write() as session:
            fields = {**PLANNED_OUTAGE, "start": start, "systems": ["db"]}
            fields.pop("end")
            windows.create(deps, session, {**fields, "duration": "2h"}, ALICE)
    local = LocalTransport(Settings(), deps)
    with TestClient(create_app(deps), base_url="http://maintctl.local") as http:
        yield local, http


def _seen(response: Any) -> tuple[int, Any, dict[str, str]]:
    kind = response.headers.get("content-type", "")
    body = response.json() if "json" in kind else response.text
    return (
        response.status_code,
        body,
        {h: response.headers[h] for h in HEADERS if h in response.headers},
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[1]} {c[2] or c[3]}" for c in CASES])
def test_the_local_transport_answers_as_the_http_api(
    both: tuple[LocalTransport, TestClient], case: tuple[Any, ...]
) -> None:
    local, http = both
    method, path, params, body, headers = case
    here = _seen(local.request(method, path, params=params, json=body, headers=headers))
    there = _seen(http.request(method, path, params=params, json=body, headers=headers))
    assert here == there


def test_a_successful_create_answers_alike(both: tuple[LocalTransport, TestClient]) -> None:
    local, http = both
    here = _seen(local.request("POST", W, json=GOOD))
    there = _seen(http.request("POST", W, json={**GOOD, "systems": ["web"]}))

    def same(seen: tuple[int, Any, dict[str, str]]) -> Any:
        status, body, headers = seen
        drop = {"id", "systems", "created_at", "updated_at"}
        return status, {k: v for k, v in body.items() if k not in drop}, sorted(headers)

    assert here[0] == 201 and same(here) == same(there)


def test_a_route_not_in_the_table_still_works_through_the_full_app(
    both: tuple[LocalTransport, TestClient],
) -> None:
    local, http = both
    assert not any(r.path == "/api/v1/users" for r in ROUTES)
    assert _seen(local.request("GET", "/api/v1/users")) == _seen(http.get("/api/v1/users"))


def test_local_mode_imports_no_web_stack_and_policy_show_no_database(tmp_path: Any) -> None:
    env = {
        "MAINTCTL_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    probe = (
        "import sys\n"
        "from maintctl.cli.main import app\n"
        "for argv in {argvs!r}:\n"
        "    try:\n"
        "        app(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "heavy = {heavy!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )

    def loaded(argvs: list[list[str]], heavy: set[str]) -> str:
        code = probe.format(argvs=argvs, heavy=heavy)
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip().splitlines()[-1]

    web = {"fastapi", "starlette", "alembic", "httpx", "icalendar", "uvicorn"}
    assert loaded([["policy", "show"]], web | {"sqlalchemy"}) == "[]"
    loaded([["db", "upgrade"]], set())  # Alembic loads when the schema needs it, and only then
    assert loaded([["window", "list"], ["window", "list", "--json"]], web) == "[]"
