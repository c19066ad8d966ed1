"""The bad-input corpus: every hostile or careless input found so far, through the API and the CLI.

For each case, on both databases: no 500, no traceback, a named problem (field and rule), and not
one row written. The cases are the findings of the hardening review (issue 6) and their
neighbours; a new finding gets a row here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from maintctl.api.app import create_app
from maintctl.cli.main import app as cli
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts
from maintctl.services import windows as service
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from maintctl.store.tables import Base
from tests.conftest import PLANNED_OUTAGE

ROOT = Principal("root", Role.ADMIN)
GOOD = {**PLANNED_OUTAGE, "systems": ["api"]}
LONG = "x" * 201


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None  # the exact status when it matters; else any 4xx


def window(**fields: Any) -> dict[str, Any]:
    return {**GOOD, **fields}


API_CASES = [
    Case(
        "duration of 99999999999 weeks",
        "POST",
        "/api/v1/windows",
        window(end=None, duration="99999999999w"),
    ),
    Case(
        "duration of 3000000 days", "POST", "/api/v1/windows", window(end=None, duration="3000000d")
    ),
    Case(
        "end in the year 9999", "POST", "/api/v1/windows", window(end="9999-12-31T23:00:00-05:00")
    ),
    Case(
        "emergency until 9999",
        "POST",
        "/api/v1/windows",
        window(type="emergency", start="2030-01-01T00:00:00Z", end="9999-12-31T00:00:00Z"),
    ),
    Case(
        "a window of 70 years",
        "POST",
        "/api/v1/windows",
        window(type="zero-downtime", start="2030-01-01T00:00:00Z", end="2100-01-01T00:00:00Z"),
    ),
    Case("owner of 201 characters", "POST", "/api/v1/windows", window(owner=LONG)),
    Case(
        "description of 10001 characters",
        "POST",
        "/api/v1/windows",
        window(description="d" * 10_001),
    ),
    Case(
        "EMT- ID with 30 extra digits",
        "POST",
        "/api/v1/windows",
        window(id="EMT-203001010000" + "1" * 30),
    ),
    Case("201 systems", "POST", "/api/v1/windows", window(systems=[f"s{i}" for i in range(201)])),
    Case("a system name with a slash first", "POST", "/api/v1/windows", window(systems=["/etc"])),
    Case("a naive start", "POST", "/api/v1/windows", window(start="2026-12-06T02:00:00")),
    Case(
        "an X between date and time",
        "POST",
        "/api/v1/windows",
        window(start="2026-12-06X02:00:00Z"),
    ),
    Case("a date with Z", "POST", "/api/v1/windows", window(start="2030-02-03Z")),
    Case(
        "a terminal escape in the description",
        "POST",
        "/api/v1/windows",
        window(description="\x1b[31mred\x1b[0m"),
    ),
    Case("NUL in the description", "POST", "/api/v1/windows", window(description="a\x00b")),
    Case(
        "a lone surrogate in the description",
        "POST",
        "/api/v1/windows",
        content=json.dumps(window(description="PLACEHOLDER"))
        .replace("PLACEHOLDER", "\\ud800")
        .encode(),
    ),
    Case(
        "100,000 nested brackets",
        "POST",
        "/api/v1/windows",
        content=b"[" * 100_000 + b"]" * 100_000,
    ),
    Case(
        "a 2 MB body",
        "POST",
        "/api/v1/windows",
        content=json.dumps(window(description="x" * 2_000_000)).encode(),
        status=413,
    ),
    Case("invalid UTF-8", "POST", "/api/v1/windows", content=b'{"description": "\xff\xfe"}'),
    Case("not JSON", "POST", "/api/v1/windows", content=b"{type: planned"),
    Case("an unknown field", "POST", "/api/v1/windows", window(colour="red")),
    Case("check on 9999-12-31", "GET", "/api/v1/check", params={"date": "9999-12-31"}),
    Case("check on 2026-02-30", "GET", "/api/v1/check", params={"date": "2026-02-30"}),
    Case("calendar for 9999-12", "GET", "/api/v1/calendar", params={"month": "9999-12"}),
    Case("calendar for month 13", "GET", "/api/v1/calendar", params={"month": "2026-13"}),
    Case(
        "slots after 9999-12-01",
        "GET",
        "/api/v1/slots",
        params={"type": "planned-outage", "duration": "2h", "after": "9999-12-01"},
    ),
    Case(
        "slots after a space-separated time",
        "GET",
        "/api/v1/slots",
        params={"type": "planned-outage", "duration": "2h", "after": "2027-05-09X10:00:00Z"},
    ),
    Case(
        "slots of 300 days of zero-downtime",
        "GET",
        "/api/v1/slots",
        params={"type": "zero-downtime", "duration": "500d"},
    ),
    Case(
        "slots count 0",
        "GET",
        "/api/v1/slots",
        params={"type": "planned-outage", "duration": "2h", "count": 0},
    ),
    Case("a page of 100000", "GET", "/api/v1/windows", params={"limit": 100_000}),
    Case("a forged cursor", "GET", "/api/v1/windows", params={"cursor": "not-a-cursor"}),
    Case(
        "an email of 321 characters",
        "POST",
        "/api/v1/users",
        {"name": "erin", "role": "viewer", "email": "e" * 310 + "@example.com"},
    ),
    Case(
        "an account name with a slash", "POST", "/api/v1/users", {"name": "../x", "role": "viewer"}
    ),
    Case("a token beyond the integer range", "POST", "/api/v1/tokens/1099511627776/revoke"),
    Case("an unknown path", "GET", "/api/v1/nothing-here", status=404),
    Case("a path with a traversal", "POST", "/api/v1/windows/..%2Fusers%2Fbob%2Fdisable/approve"),
    Case(
        "an action for a window that does not exist",
        "POST",
        "/api/v1/windows/MNT-2026-0999/actions",
        {"what": "x", "owner": "rita", "due": "2026-12-20"},
        status=404,
    ),
    Case(
        "done of an action beyond the integer range", "POST", "/api/v1/actions/1099511627776/done"
    ),
    Case("actions of an owner with a slash", "GET", "/api/v1/actions", params={"owner": "../x"}),
]

WINDOW_CASES = [  # changes to the window MNT-2026-0001 that exists
    Case("emptying the description", "PATCH", "/api/v1/windows/MNT-2026-0001", {"description": ""}),
    Case(
        "a cancel reason of 2001 characters",
        "POST",
        "/api/v1/windows/MNT-2026-0001/cancel",
        {"reason": "r" * 2001},
    ),
    Case("a blank cancel reason", "POST", "/api/v1/windows/MNT-2026-0001/cancel", {"reason": " "}),
    Case(
        "moving it to 9999",
        "PATCH",
        "/api/v1/windows/MNT-2026-0001",
        {"start": "9999-01-01T00:00:00Z", "end": "9999-01-01T02:00:00Z"},
    ),
    Case("a review of a window that never ran", "GET", "/api/v1/windows/MNT-2026-0001/review"),
    Case(
        "writing the review of a window that never ran",
        "PUT",
        "/api/v1/windows/MNT-2026-0001/review",
        {"lessons": "x"},
    ),
    Case(
        "an action due at a naive time",
        "POST",
        "/api/v1/windows/MNT-2026-0001/actions",
        {"what": "x", "owner": "rita", "due": "2026-12-20T10:00:00"},
    ),
    Case(
        "an action owned by nobody known",
        "POST",
        "/api/v1/windows/MNT-2026-0001/actions",
        {"what": "x", "owner": "nobody", "due": "2026-12-20"},
    ),
    Case(
        "an action of 501 characters",
        "POST",
        "/api/v1/windows/MNT-2026-0001/actions",
        {"what": "w" * 501, "owner": "rita", "due": "2026-12-20"},
    ),
    Case("closing a draft", "POST", "/api/v1/windows/MNT-2026-0001/close", {}),
]


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
        }


def assert_named_refusal(response: Any, case: Case) -> None:
    assert response.status_code < 500, (case.name, response.status_code, response.text[:300])
    if case.status is not None:
        assert response.status_code == case.status, (case.name, response.text[:300])
    assert 400 <= response.status_code < 500, (case.name, response.status_code)
    assert response.headers["content-type"].startswith("application/problem+json"), case.name
    problems = response.json()["problems"]
    assert problems and all(p["field"] and p["rule"] for p in problems), (case.name, problems)
    assert "Traceback" not in response.text


@pytest.fixture
def server(deps: Deps) -> Iterator[tuple[TestClient, str]]:
    """The app as a server runs it: tokens required; an admin's and a requester's token."""
    served = Deps.build(deps.db, deps.config, clock=deps.clock)
    with served.db.write() as session:
        accounts.add_user(session, ROOT, "root", "admin", "", deps.clock())
        requester = accounts.add_user(session, ROOT, "rita", "requester", "", deps.clock())
    with TestClient(create_app(served), raise_server_exceptions=False) as http:
        yield http, requester.secret


def send(http: TestClient, case: Case, token: str | None) -> Any:
    headers = {**case.headers, **({"Authorization": f"Bearer {token}"} if token else {})}
    if case.content is not None:
        headers.setdefault("Content-Type", "application/json")
        return http.request(
            case.method, case.path, content=case.content, headers=headers, params=case.params
        )
    return http.request(case.method, case.path, json=case.body, headers=headers, params=case.params)


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_the_api_refuses_each_bad_input_by_name_and_writes_nothing(
    server: tuple[TestClient, str], deps: Deps, case: Case
) -> None:
    http, token = server
    before = row_counts(deps.db)
    assert_named_refusal(send(http, case, token), case)
    assert row_counts(deps.db) == before


@pytest.mark.parametrize("case", WINDOW_CASES, ids=lambda c: c.name)
def test_the_api_refuses_each_bad_change_by_name_and_writes_nothing(
    server: tuple[TestClient, str], deps: Deps, case: Case
) -> None:
    http, token = server
    assert (
        http.post(
            "/api/v1/windows", json=GOOD, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 201
    )
    before = row_counts(deps.db)
    assert_named_refusal(send(http, case, token), case)
    assert row_counts(deps.db) == before


@pytest.mark.parametrize(
    "case", [c for c in API_CASES if c.content is not None], ids=lambda c: c.name
)
def test_the_door_refuses_hostile_bodies_before_asking_for_a_token(
    server: tuple[TestClient, str], deps: Deps, case: Case
) -> None:
    http, _ = server
    before = row_counts(deps.db)
    assert_named_refusal(send(http, case, None), case)
    assert row_counts(deps.db) == before


# The CLI, in local mode: the same refusals as one `error:` line per problem and exit 2.

CLI_CASES: list[tuple[str, list[str]]] = [
    (
        "duration of 99999999999 weeks",
        [
            "window",
            "create",
            "--type",
            "planned-outage",
            "--start",
            "2026-12-06T02:00:00Z",
            "--duration",
            "99999999999w",
            "--description",
            "x",
            "--systems",
            "a",
        ],
    ),
    (
        "end in 9999",
        [
            "window",
            "create",
            "--type",
            "zero-downtime",
            "--start",
            "2030-01-01T00:00:00Z",
            "--end",
            "9999-12-31T23:00:00-05:00",
            "--description",
            "x",
        ],
    ),
    ("check on 9999-12-31", ["check", "--date", "9999-12-31"]),
    ("calendar for 9999-12", ["calendar", "--month", "9999-12"]),
    (
        "slots after 9999-12-01",
        ["slots", "--type", "planned-outage", "--duration", "2h", "--after", "9999-12-01"],
    ),
    ("an ID that walks the path", ["window", "approve", "../users/rq2/disable?x="]),
    ("an ID with a query", ["window", "show", "MNT-2026-0001?format=markdown"]),
    (
        "a terminal escape in the description",
        [
            "window",
            "create",
            "--type",
            "zero-downtime",
            "--start",
            "2030-01-01T00:00:00Z",
            "--duration",
            "1h",
            "--description",
            "\x1b[31mred",
        ],
    ),
    ("an account name with a slash", ["user", "disable", "../windows"]),
    (
        "an action for a window that does not exist",
        ["action", "add", "MNT-2026-0999", "--what", "x", "--owner", "rita", "--due", "2026-12-20"],
    ),
    ("a review of a window that does not exist", ["review", "MNT-2026-0999"]),
    ("an action number that is not one", ["action", "done", "A-../1"]),
]


@pytest.fixture
def local(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "maintctl.yaml"
    config.write_text("{}\n", "utf-8")
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    return config


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c[0])
def test_the_cli_refuses_each_bad_input_in_one_line_per_problem(
    local: Path, db: Database, case: tuple[str, list[str]]
) -> None:
    before = row_counts(db)
    result = CliRunner().invoke(cli, case[1])
    assert result.exit_code == 2, (case[0], result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), (case[0], result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert row_counts(db) == before


FREEZE = "policy:\n  freezes:\n    - {name: f, from: %s, until: %s}\n"
BAD_CONFIGS = {
    "a freeze on 12-32": FREEZE % ('"12-32 00:00"', '"01-02"'),
    "a freeze on 02-30": 'policy:\n  freezes:\n    - {name: f, from: "02-30", until: "03-02"}\n',
    "a freeze in month 13": 'policy:\n  freezes:\n    - {name: f, from: "13-01", until: "12-02"}\n',
    "a freeze at 24:00": FREEZE % ('"12-20 24:00"', '"12-22"'),
    "an annual freeze ending at an instant": (
        'policy:\n  freezes:\n    - {name: f, from: "12-20", until: "2030-01-01T00:00:00Z"}\n'
    ),
    "a one-off freeze ending before it starts": (
        'policy:\n  freezes:\n    - {name: f, from: "2030-01-02T00:00:00Z", '
        'until: "2030-01-01T00:00:00Z"}\n'
    ),
    "a window at 99:30": (
        "policy:\n  windows:\n    primary: {days: [sun], start: 99:30, end: 06:00}\n"
    ),
    "a feed URL that is not a URL": (
        "calendars:\n  - {name: d, kind: deployment, source: 'http://[::1'}\n"
    ),
    "an alias bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_policy_check_refuses_each_bad_config_naming_its_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_CONFIGS[name], "utf-8")
    result = CliRunner().invoke(cli, ["policy", "check", str(path)])
    assert result.exit_code == 2, (name, result.stdout, result.stderr)
    assert f"{path}:" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_a_binary_from_file_is_refused_in_one_line(
    local: Path, tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "request.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    before = row_counts(db)
    result = CliRunner().invoke(cli, ["window", "create", "--from-file", str(path)])
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.stderr
    assert row_counts(db) == before


def test_a_window_made_in_the_service_is_counted(deps: Deps) -> None:
    """The row counter the corpus relies on sees a write (so `unchanged` means something)."""
    before = row_counts(deps.db)
    with deps.db.write() as session:
        service.create(deps, session, GOOD, ROOT)
    after = row_counts(deps.db)
    assert after["windows"] == before["windows"] + 1
