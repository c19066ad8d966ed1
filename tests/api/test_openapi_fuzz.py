"""schemathesis against /openapi.json, in-process: no 5xx, and every answer as the schema says.

Each operation gets positive data (valid by the schema) and then negative data (each request
breaks the schema somewhere), bounded by a count per operation and a time budget for the whole run.

Refusals are documented as RFC 9457 `application/problem+json` on every route that can refuse, so
they are held to the schema like any other answer.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from functools import cached_property
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maintctl.api.app import create_app
from maintctl.config import Config
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import notifications
from maintctl.store import validation as validation_store
from maintctl.store.db import Database
from tests.conftest import PLANNED_OUTAGE, Clock

ROOT = Principal("root", Role.ADMIN)
REQUESTER = Principal("spare", Role.REQUESTER)
OPERATIONS = 81  # with jobs, health, 5 life-cycle, render, 4 notify, 10 status page, PATCH user,
# precheck, acks, 3 validation, the watch, suppression, 6 of steps, log and rollback, 4 mode,
# the SLA report, stats and the duration hint, 6 after the window (review x2, actions x3, close),
# 2 emergency, checklists and /metrics
EXAMPLES_PER_OPERATION = 20  # per mode: at most 81 x 20 x 2 = 3,240 generated requests in all
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Per mode: past it, the remaining examples are drawn but not sent, so the test stays short and
# a loaded machine still sends negative data after the positive.
BUDGET_S = 20.0
SEED = 20261127
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PROBLEM_JSON = "application/problem+json"
WINDOW = PLANNED_OUTAGE


class Server:
    """A token-checking app over `db`, an admin token, and things for path parameters to hit.

    Fuzzed path parameters are pinned to things made to be hit: a fuzzed window ID is almost never a
    real one, and a fuzzed token ID or account name could be the admin's own, whose revocation
    would turn every later answer into a 401.
    """

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.deps = Deps.build(db, config, clock=clock)
        self.systems = (f"sys-{n}" for n in itertools.count())
        with db.write() as session:
            self.token = accounts.add_user(session, ROOT, "fuzz-admin", "admin", "", clock()).secret
            self.spare = accounts.add_user(session, ROOT, "spare", "requester", "", clock())
        # Generated cases get it from the config; cases written out pass it to `call`.
        self.auth = {"Authorization": f"Bearer {self.token}"}

    @cached_property
    def schema(self) -> schemathesis.BaseSchema:
        options = schemathesis.Config.from_dict({"seed": SEED, "headers": self.auth})
        return schemathesis.openapi.from_asgi(
            "/openapi.json", create_app(self.deps), config=options
        )

    def window(self, *, submitted: bool = False) -> str:
        with self.deps.db.write() as session:
            made = windows.create(
                self.deps, session, {**WINDOW, "systems": [next(self.systems)]}, REQUESTER
            )
            if submitted:
                workflow.submit(self.deps, session, made.id, REQUESTER)
        return made.id

    def draft(self) -> str:
        """A manual draft about a window of its own."""
        now, about = self.deps.clock(), self.window()
        with self.deps.db.write() as session:
            made = notifications.plan(
                session,
                about,
                "initial",
                "customers-enterprise",
                "mail",
                manual=True,
                due_at=now,
                status=notifications.DRAFT,
                now=now,
            )
        return f"N-{made}"

    def run(self) -> str:
        """A queued validation run, written as the service writes one (no check need exist)."""
        with self.deps.db.write() as session:
            made = validation_store.create(
                session,
                window_id=None,
                mode="full",
                groups=[],
                purpose="check",
                started_by="fuzz-admin",
                now=self.deps.clock(),
                config_hash=None,
            )
        return f"V-{made.id}"

    def watch(self) -> str:
        """A watch with no round yet, written as the service writes one."""
        with self.deps.db.write() as session:
            made = validation_store.create_watch(
                session,
                window_id=None,
                mode="full",
                groups=[],
                duration_s=60,
                every_s=30,
                started_at=self.deps.clock(),
                started_by="fuzz-admin",
            )
        return f"W-{made.id}"

    def targets(self, operation: APIOperation) -> dict[str, str]:
        """Path parameters for `operation`: a window of its own, in the state it acts on."""
        fixed = {"name": self.spare.account.name, "token_id": str(self.spare.id)}
        if "{window_id}" in operation.path:
            signing = operation.path.endswith(("/approve", "/reject"))
            fixed["window_id"] = self.window(submitted=signing)
        if "{notification_id}" in operation.path:
            fixed["notification_id"] = self.draft()
        if "{run_id}" in operation.path:
            fixed["run_id"] = self.run()
        if "{watch_id}" in operation.path:
            fixed["watch_id"] = self.watch()
        return {k: v for k, v in fixed.items() if f"{{{k}}}" in operation.path}


def check(case: Case, response: Response, mode: GenerationMode = GenerationMode.POSITIVE) -> None:
    """No 5xx, and every answer, refusals included, as the schema documents it.

    Negative data (wrong types, missing fields, values out of their schema) must be refused
    as problem+json; the exact refusal status is not held to the schema, since a value can break
    its schema in ways only a route knows (a refusal of the whole body is 422 either way).
    """
    checks = [not_a_server_error, *CONFORMANCE]
    if mode is GenerationMode.NEGATIVE:
        checks = [not_a_server_error, content_type_conformance]
    case.validate_response(response, checks=checks)
    assert response.status_code < 500, response.text
    content_type = response.headers.get("content-type", [""])[0]
    if response.status_code >= 400:
        assert content_type == PROBLEM_JSON
        body = response.json()
        assert body["status"] == response.status_code
        assert body["type"].startswith("urn:maintctl:problem:")


class Budget:
    """A deadline for the whole run: generated cases past it are not sent."""

    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def left(self) -> bool:
        return time.monotonic() < self.until


def fuzz(
    operation: APIOperation,
    fixed: dict[str, str],
    seen: Counter[int],
    mode: GenerationMode,
    budget: Budget,
) -> None:
    """Up to EXAMPLES_PER_OPERATION generated requests to one operation, every answer checked."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=fixed or None))
    def run(case: Case) -> None:
        if not budget.left():
            return
        response = case.call()
        seen[response.status_code] += 1
        check(case, response, mode)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make negative: every parameter is pinned, and there is no body.
        if mode is not GenerationMode.NEGATIVE:
            raise


def failure(label: str, exc: BaseException) -> str:
    return f"{label}: {type(exc).__name__}: {exc}"


def test_the_api_answers_as_its_schema_says(db: Database, config: Config, clock: Clock) -> None:
    server = Server(db, config, clock)
    seen: dict[str, Counter[int]] = {}
    failures = []
    for mode in MODES:  # every operation gets positive data first, then negative
        budget = Budget(BUDGET_S)
        for result in server.schema.get_all_operations():
            operation = result.ok()
            label = f"{mode.value} {operation.label}"
            seen[label] = Counter()
            if not budget.left():
                continue  # not even drawn: drawing alone costs as much as sending
            try:
                fuzz(operation, server.targets(operation), seen[label], mode, budget)
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; all reported
                failures.append(failure(label, exc))
    assert not failures, "\n\n".join(failures)
    assert len(seen) == OPERATIONS * len(MODES), sorted(seen)
    sent = sum(sum(s.values()) for s in seen.values())
    assert sent <= OPERATIONS * EXAMPLES_PER_OPERATION * len(MODES)
    # The pinned path parameters take the fuzzing past 404: most operations answer 2xx.
    positive = {k: s for k, s in seen.items() if k.startswith(GenerationMode.POSITIVE.value)}
    succeeded = {label for label, s in positive.items() if any(code < 300 for code in s)}
    assert len(succeeded) >= 18, {label: dict(s) for label, s in seen.items()}
    # Negative data is refused, never served: no generated negative request answers 2xx... except
    # where the schema cannot say what is wrong (a query parameter the route ignores).
    refused = sum(
        n
        for k, s in seen.items()
        if k.startswith("negative")
        for code, n in s.items()
        if code >= 400
    )
    assert refused > 0, {label: dict(s) for label, s in seen.items()}


def test_successful_answers_match_the_schema(db: Database, config: Config, clock: Clock) -> None:
    """The 2xx answers random data rarely reaches, from valid requests written out."""
    server = Server(db, config, clock)
    draft, pending = server.window(), server.window(submitted=True)
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/v1/windows", {"body": {**WINDOW, "systems": ["api"]}}),
        ("GET", "/api/v1/windows/{window_id}", {"path_parameters": {"window_id": draft}}),
        (
            "GET",
            "/api/v1/windows/{window_id}",
            {"path_parameters": {"window_id": draft}, "query": {"format": "markdown"}},
        ),
        (
            "PATCH",
            "/api/v1/windows/{window_id}",
            {
                "path_parameters": {"window_id": draft},
                "headers": {"If-Match": '"1"'},
                "body": {"description": "Database upgrade to 17"},
            },
        ),
        ("POST", "/api/v1/windows/{window_id}/submit", {"path_parameters": {"window_id": draft}}),
        (
            "POST",
            "/api/v1/windows/{window_id}/cancel",
            {"path_parameters": {"window_id": pending}, "body": {"reason": "not needed"}},
        ),
        ("GET", "/api/v1/check", {"query": {"date": "2026-12-06", "systems": "db"}}),
        (
            "GET",
            "/api/v1/slots",
            {"query": {"type": "planned-outage", "duration": "2h", "systems": "db"}},
        ),
        ("GET", "/api/v1/calendar", {"query": {"month": "2026-12"}}),
        (
            "GET",
            "/api/v1/windows/{window_id}/render",
            {"path_parameters": {"window_id": draft}, "query": {"kind": "reminder-24h"}},
        ),
        ("POST", "/api/v1/users", {"body": {"name": "newcomer", "role": "viewer"}}),
        ("POST", "/api/v1/tokens", {"body": {}}),
    ]
    failures = []
    for method, path, parts in requests:
        case = server.schema[path][method].Case(**parts)
        response = case.call(headers=server.auth)
        label = f"{method} {case.formatted_path} {parts.get('query', '')}"
        try:
            assert response.status_code < 300, response.text
            check(case, response)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(failure(label, exc))
    assert not failures, "\n\n".join(failures)


def test_refusals_are_documented_in_the_schema(db: Database, config: Config, clock: Clock) -> None:
    server = Server(db, config, clock)
    show = server.schema["/api/v1/windows/{window_id}"]["GET"]
    case = show.Case(path_parameters={"window_id": "MNT-2026-9999"})
    response = case.call(headers=server.auth)
    assert response.status_code == 404, "not the refusal this test is about"
    case.validate_response(response, checks=CONFORMANCE)


# What the fuzzing found on PostgreSQL, pinned: text fields there cannot hold NUL (0x00), and text
# with one reached the database instead of being refused, a 500 (psycopg.DataError).
NUL_REQUESTS = [
    ("POST", "/api/v1/tokens", {"name": "a\x00b"}),
    ("GET", "/api/v1/windows/MNT-2026-%00", None),
    ("POST", "/api/v1/users/a%00b/disable", None),
    ("POST", "/api/v1/users", {"name": "newcomer", "role": "viewer", "email": "a\x00b"}),
    ("POST", "/api/v1/windows", {**WINDOW, "systems": ["db"], "description": "a\x00b"}),
    ("GET", "/api/v1/check?date=2026-12-06&systems=a%00b", None),
    ("GET", "/api/v1/slots?type=planned-outage&duration=2h&systems=a%00b", None),
]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    NUL_REQUESTS,
    ids=[f"{m} {u.partition('?')[0]}" for m, u, _ in NUL_REQUESTS],
)
def test_text_with_a_nul_character_is_never_a_server_error(
    db: Database, config: Config, clock: Clock, method: str, url: str, body: Any
) -> None:
    server = Server(db, config, clock)
    with TestClient(create_app(server.deps), raise_server_exceptions=False) as http:
        response = http.request(method, url, json=body, headers=server.auth)
    assert response.status_code < 500, response.text
