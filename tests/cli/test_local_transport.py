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
from maintctl.services import calendar, windows
from maintctl.services.deps import Deps
from tests.conftest import ALICE, PLANNED_OUTAGE

W = "/api/v1/windows"
ONE = f"{W}/MNT-2026-0001"
GOOD = {**PLANNED_OUTAGE, "systems": ["api"], "start": "2026-12-06T05:00:00Z"}
GOOD.pop("end")
GOOD["duration"] = "1h"

# (method, path, params, json, headers): reads, and refusals that write nothing, so the order
# in which the two transports run them does not matter. 36 cases, then 13 for the moves during a
# window, then 34 for accounts, the calendar and its feed, and the outside calendars.
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
    ("POST", f"{ONE}/start", None, {}, None),
    ("POST", f"{ONE}/start", None, {"early": True, "lead": "nobody"}, None),
    ("POST", f"{ONE}/start", None, {"colour": "red"}, None),
    ("POST", f"{W}/MNT-2026-9999/start", None, {}, None),
    ("POST", f"{ONE}/progress", None, {"step": 1, "of": 2, "task": "t"}, None),
    ("POST", f"{ONE}/progress", None, {"step": 1, "of": 2}, None),
    ("POST", f"{ONE}/progress", None, {"step": 1, "of": 2, "task": "t", "eta": "soon"}, None),
    ("POST", f"{ONE}/complete", None, None, {"If-Match": '"99"'}),
    ("POST", f"{ONE}/abort", None, {"reason": "x"}, None),
    ("POST", f"{ONE}/abort", None, None, None),
    ("GET", f"{ONE}/updates", None, None, None),
    ("GET", f"{ONE}/updates", {"limit": 0}, None, None),
    ("GET", f"{ONE}/updates", {"after": -1}, None, None),
    ("GET", "/api/v1/users", None, None, None),
    ("GET", "/api/v1/tokens", None, None, None),
    ("GET", "/api/v1/audit", None, None, None),
    ("GET", "/api/v1/audit", {"limit": 1}, None, None),
    ("GET", "/api/v1/audit", {"limit": 1, "before": 5}, None, None),
    ("GET", "/api/v1/audit", {"limit": 0}, None, None),
    ("GET", "/api/v1/audit", {"limit": 100_000}, None, None),
    ("GET", "/api/v1/audit", {"limit": "x"}, None, None),
    ("GET", "/api/v1/audit", {"before": 0}, None, None),
    ("GET", "/api/v1/audit", {"before": 2**63}, None, None),
    ("POST", "/api/v1/users", None, {"name": "carol"}, None),
    ("POST", "/api/v1/users", None, {"name": "carol", "role": "king"}, None),
    ("POST", "/api/v1/users", None, {"name": "carol", "role": "viewer", "age": 3}, None),
    ("POST", "/api/v1/users", None, None, None),
    ("POST", "/api/v1/users/nobody/disable", None, None, None),
    ("POST", "/api/v1/users/nobody/role", None, {"role": "viewer"}, None),
    ("POST", "/api/v1/users/nobody/role", None, {}, None),
    ("POST", "/api/v1/tokens", None, {"name": 5}, None),
    ("POST", "/api/v1/tokens", None, {"colour": "red"}, None),
    ("POST", "/api/v1/tokens/abc/revoke", None, None, None),
    ("POST", "/api/v1/tokens/999/revoke", None, None, None),
    ("GET", "/api/v1/calendar", {"month": "2026-12"}, None, None),
    ("GET", "/api/v1/calendar", {"month": "2026-13"}, None, None),
    ("GET", "/api/v1/calendar", {"month": "9999-12"}, None, None),
    ("GET", "/api/v1/calendar", None, None, None),
    ("GET", "/calendar.ics", None, None, None),
    ("GET", "/calendar.ics", None, None, {"If-None-Match": "*"}),
    ("GET", "/calendar.ics", None, None, {"If-None-Match": 'W/"stale", "other"'}),
    ("GET", "/calendar.ics", {"token": "ignored-in-local-mode"}, None, None),
    ("GET", "/api/v1/calendars", None, None, None),
    ("POST", "/api/v1/calendars/refresh", None, None, None),
    ("GET", "/api/v1/nothing-here", None, None, None),
    ("DELETE", "/api/v1/users", None, None, None),
    ("GET", "/healthz", None, None, None),
]
HEADERS = ("content-type", "etag", "link", "location", "www-authenticate", "cache-control")


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


def test_a_user_and_a_token_made_locally_answer_alike(
    both: tuple[LocalTransport, TestClient],
) -> None:
    local, http = both
    users = "/api/v1/users"
    here = local.request("POST", users, json={"name": "carol", "role": "viewer"})
    there = http.request("POST", users, json={"name": "dave", "role": "viewer"})
    assert (here.status_code, sorted(here.json())) == (201, sorted(there.json()))
    here = local.request("POST", "/api/v1/users/carol/role", json={"role": "requester"})
    there = http.request("POST", "/api/v1/users/dave/role", json={"role": "requester"})
    assert _seen(here)[1]["role"] == _seen(there)[1]["role"] == "requester"
    revoked = local.request("POST", f"/api/v1/tokens/{_token_of_carol(local)}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    # The audit trail is one page of 2 here; its Link header names the next, as the API's.
    assert _seen(local.request("GET", "/api/v1/audit", params={"limit": 2})) == _seen(
        http.get("/api/v1/audit", params={"limit": 2})
    )


def _token_of_carol(local: LocalTransport) -> int:
    tokens = local.request("GET", "/api/v1/tokens").json()
    return int(next(t["id"] for t in tokens if t["name"] == "carol"))


def test_the_local_calendar_feed_comes_in_pieces_with_the_same_bytes(
    both: tuple[LocalTransport, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    local, http = both
    monkeypatch.setattr(calendar, "CHUNK_BYTES", 64)  # the 2 windows' events: several pieces
    pieces = list(local.request("GET", "/calendar.ics").iter_bytes())
    assert len(pieces) > 2 and b"".join(pieces) == http.get("/calendar.ics").content
    assert max(len(p) for p in pieces) < 64 + 2_000  # one event past the mark at most


def test_a_route_not_in_the_table_still_works_through_the_full_app(
    both: tuple[LocalTransport, TestClient],
) -> None:
    local, http = both
    assert not any(r.path == "/healthz" for r in ROUTES)
    assert _seen(local.request("GET", "/healthz")) == _seen(http.get("/healthz"))
    assert local._app is not None  # built for /healthz alone


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

    # Apprise loads only to send or for `policy check`, even with Apprise channels configured.
    config = tmp_path / "m.yaml"
    config.write_text(
        "channels:\n  - {name: c, audience: internal-engineering, url: 'json://h/x'}\n", "utf-8"
    )
    env["MAINTCTL_CONFIG"] = str(config)
    web = {"fastapi", "starlette", "alembic", "httpx", "icalendar", "uvicorn", "apprise"}
    assert loaded([["--help"]], web | {"sqlalchemy"}) == "[]"
    assert loaded([["policy", "show"]], web | {"sqlalchemy"}) == "[]"
    loaded([["db", "upgrade"]], set())  # Alembic loads when the schema needs it, and only then
    assert loaded([["window", "list"], ["window", "list", "--json"]], web) == "[]"
    every = [["user", "list"], ["token", "list"], ["audit"], ["calendar"], ["calendars", "status"]]
    assert loaded(every, web) == "[]"
    # The export writes RFC 5545 with icalendar; the web stack it still does without.
    assert loaded([["calendar", "export"]], web - {"icalendar"}) == "[]"


def test_no_cli_request_in_local_mode_needs_the_full_app(deps: Deps) -> None:
    """Every route the API serves under /api/v1 and /calendar.ics is in ROUTES (the CLI's)."""
    from maintctl.api.app import create_app

    served = {
        (method.upper(), path)
        for path, operations in create_app(deps).openapi()["paths"].items()
        if path.startswith(("/api/", "/calendar"))
        for method in operations
    }
    assert served == {(r.method, r.path) for r in ROUTES}


def test_every_route_in_the_table_names_a_handler_that_exists() -> None:
    """A table entry names its module and function as text: each one must import and resolve,
    or local mode would fail only when that command is typed."""
    import importlib

    missing = []
    for route in ROUTES:
        module, _, name = route.target.partition(":")
        if not callable(getattr(importlib.import_module(module), name, None)):
            missing.append(f"{route.method} {route.path} -> {route.target}")
    assert missing == []
