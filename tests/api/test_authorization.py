"""The authorization matrix: every route, every role, and no, a bad, a revoked or a disabled token.

RULES below is the whole policy as one table. A route the app serves but the table does not name
fails `test_every_route_has_a_rule`, so a new route cannot ship without a decision about who may
call it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from maintctl.api.app import create_app
from maintctl.config import parse_config
from maintctl.domain.review import Written
from maintctl.domain.roles import Principal, Role
from maintctl.services import (
    accounts,
    actions,
    lifecycle,
    review,
    runs,
    steps,
    watches,
    windows,
    workflow,
)
from maintctl.services import emergency as urgent
from maintctl.services.deps import Deps
from maintctl.store import notifications
from maintctl.store.db import Database
from tests.conftest import PLANNED_OUTAGE, Clock

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI lists the included routes in app.routes itself
    iter_route_contexts = list  # type: ignore[assignment]

ROOT = Principal("root", Role.ADMIN)

# One account per role, plus a requester who did not file the windows under test.
IDENTITIES = {
    "viewer": Role.VIEWER,
    "requester": Role.REQUESTER,
    "other-requester": Role.REQUESTER,
    "team-lead": Role.TEAM_LEAD,
    "engineering-manager": Role.ENGINEERING_MANAGER,
    "vp-engineering": Role.VP_ENGINEERING,
    "cto": Role.CTO,
    "admin": Role.ADMIN,
}
# Accounts outside the matrix: a second team lead who signs level 1 of some windows, and an
# account whose tokens and status others try to change.
LEAD_2 = "lead-2"
VICTIM = "victim"

EVERYONE = frozenset(IDENTITIES)
WRITERS = EVERYONE - {"viewer"}
# The window's requester, team-lead or higher, or admin.
OWNER_OR_APPROVER = frozenset(
    {"requester", "team-lead", "engineering-manager", "vp-engineering", "cto", "admin"}
)
# planned-outage's chain is team-lead → engineering-manager → vp-engineering: a level is signed by
# its role or a higher one, never by the requester, never by admin (who signs nothing).
FIRST_LEVEL = frozenset({"team-lead", "engineering-manager", "vp-engineering", "cto"})
SECOND_LEVEL = frozenset({"engineering-manager", "vp-engineering", "cto"})
ADMIN = frozenset({"admin"})
# Moves during a window: its requester (or lead), or team-lead or higher; not admin, not viewer.
OPERATOR = frozenset({"requester"}) | FIRST_LEVEL
# Sending a manual draft: the window's requester, or team-lead or higher; not admin.
NOTICE_SENDER = frozenset({"requester"}) | FIRST_LEVEL

PUBLIC = frozenset(
    {
        ("GET", "/healthz"),
        ("GET", "/health"),
        ("GET", "/openapi.json"),
        ("HEAD", "/openapi.json"),
        ("GET", "/docs"),
        ("HEAD", "/docs"),
        ("GET", "/docs/oauth2-redirect"),
        ("HEAD", "/docs/oauth2-redirect"),
        ("GET", "/redoc"),
        ("HEAD", "/redoc"),
        # The status page, public by default (status_page.public; tests/api/test_status_api.py
        # checks a private one).
        ("GET", "/status"),
        ("GET", "/history.atom"),
        ("GET", "/api/v2/summary.json"),
        ("GET", "/api/v2/status.json"),
        ("GET", "/api/v2/components.json"),
        ("GET", "/api/v2/scheduled-maintenances.json"),
        ("GET", "/api/v2/scheduled-maintenances/upcoming.json"),
        ("GET", "/api/v2/scheduled-maintenances/active.json"),
        ("GET", "/api/v2/incidents.json"),
        ("GET", "/api/v2/incidents/unresolved.json"),
    }
)

# (method, path) -> {scenario: the identities allowed}. State-dependent routes have several.
RULES: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    ("GET", "/api/v1/windows"): {"": EVERYONE},
    ("POST", "/api/v1/windows"): {"": WRITERS},
    ("GET", "/api/v1/windows/{window_id}"): {"": EVERYONE},
    ("PATCH", "/api/v1/windows/{window_id}"): {"": OWNER_OR_APPROVER},
    ("POST", "/api/v1/windows/{window_id}/cancel"): {"": OWNER_OR_APPROVER},
    ("POST", "/api/v1/windows/{window_id}/submit"): {"": OWNER_OR_APPROVER},
    ("POST", "/api/v1/windows/{window_id}/approve"): {
        "first level": FIRST_LEVEL,
        "second level": SECOND_LEVEL,
    },
    ("POST", "/api/v1/windows/{window_id}/reject"): {
        "first level": FIRST_LEVEL,
        "second level": SECOND_LEVEL,
    },
    ("GET", "/api/v1/windows/{window_id}/history"): {"": EVERYONE},
    ("POST", "/api/v1/windows/{window_id}/start"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/progress"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/complete"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/abort"): {"": OPERATOR},
    ("GET", "/api/v1/windows/{window_id}/updates"): {"": EVERYONE},
    ("GET", "/api/v1/windows/{window_id}/render"): {"": EVERYONE},
    ("GET", "/api/v1/approvals/pending"): {"": EVERYONE},
    ("GET", "/api/v1/check"): {"": EVERYONE},
    ("GET", "/api/v1/slots"): {"": EVERYONE},
    ("GET", "/api/v1/calendar"): {"": EVERYONE},
    ("GET", "/calendar.ics"): {"": EVERYONE},
    ("POST", "/api/v1/users"): {"": ADMIN},
    ("GET", "/api/v1/users"): {"": ADMIN},
    ("PATCH", "/api/v1/users/{name}"): {"": ADMIN},
    ("POST", "/api/v1/users/{name}/disable"): {"": ADMIN},
    ("POST", "/api/v1/users/{name}/role"): {"": ADMIN},
    ("GET", "/api/v1/audit"): {"": ADMIN},
    ("POST", "/api/v1/tokens"): {"for self": EVERYONE, "for another": ADMIN},
    ("GET", "/api/v1/tokens"): {"": EVERYONE},
    ("POST", "/api/v1/tokens/{token_id}/revoke"): {"own": EVERYONE, "another's": ADMIN},
    ("GET", "/api/v1/policy"): {"": EVERYONE},
    ("GET", "/api/v1/template"): {"": EVERYONE},
    ("GET", "/api/v1/me"): {"": EVERYONE},
    ("GET", "/api/v1/calendars"): {"": EVERYONE},
    ("POST", "/api/v1/calendars/refresh"): {"": FIRST_LEVEL | ADMIN},
    ("GET", "/api/v1/jobs"): {"": EVERYONE},
    ("GET", "/api/v1/reports/sla"): {"": EVERYONE},
    ("GET", "/api/v1/stats"): {"": EVERYONE},
    ("GET", "/api/v1/stats/duration"): {"": EVERYONE},
    ("GET", "/api/v1/notifications"): {"": EVERYONE},
    ("GET", "/api/v1/notifications/{notification_id}"): {"": EVERYONE},
    ("POST", "/api/v1/notifications/{notification_id}/send"): {"": NOTICE_SENDER},
    ("GET", "/api/v1/windows/{window_id}/notifications"): {"": EVERYONE},
    # Readiness: the precheck for every writer; an ack by the window's team, requester, lead
    # or team-lead or higher, each as themself (the shared window has no team).
    ("GET", "/api/v1/windows/{window_id}/precheck"): {"": WRITERS},
    ("POST", "/api/v1/windows/{window_id}/acks"): {"": OPERATOR},
    # After the work: the post-maintenance lists and /metrics (unless metrics.public) for anyone.
    ("GET", "/api/v1/windows/{window_id}/checklists"): {"": EVERYONE},
    ("GET", "/metrics"): {"": EVERYONE},
    ("POST", "/api/v1/validations"): {"": WRITERS},
    ("GET", "/api/v1/validations/{run_id}"): {"": EVERYONE},
    ("GET", "/api/v1/windows/{window_id}/validations"): {"": EVERYONE},
    ("GET", "/api/v1/watches/{watch_id}"): {"": EVERYONE},
    ("GET", "/api/v1/windows/{window_id}/suppression"): {"": EVERYONE},
    # Walking the steps: read by everyone; run, logged and rolled back by the operators.
    ("GET", "/api/v1/windows/{window_id}/steps"): {"": EVERYONE},
    ("POST", "/api/v1/windows/{window_id}/steps"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/steps/{result_id}/finish"): {"": OPERATOR},
    ("GET", "/api/v1/windows/{window_id}/log"): {"": EVERYONE},
    ("POST", "/api/v1/windows/{window_id}/log"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/rollback"): {"": OPERATOR},
    # Maintenance and traffic mode: any account reads them; team-lead or higher changes them.
    ("GET", "/api/v1/mode"): {"": EVERYONE},
    ("GET", "/api/v1/mode/changes"): {"": EVERYONE},
    ("POST", "/api/v1/mode/maintenance"): {"": FIRST_LEVEL},
    ("POST", "/api/v1/mode/traffic"): {"": FIRST_LEVEL},
    # After the window: the review is read by all, written by its operators; an action is done
    # by its owner too (here the viewer); close by team-lead or higher, forced by admin alone.
    ("GET", "/api/v1/windows/{window_id}/review"): {"": EVERYONE},
    ("PUT", "/api/v1/windows/{window_id}/review"): {"": OPERATOR},
    ("POST", "/api/v1/windows/{window_id}/actions"): {"": OPERATOR},
    ("GET", "/api/v1/actions"): {"": EVERYONE},
    ("POST", "/api/v1/actions/{action_id}/done"): {"": OPERATOR | {"viewer"}},
    ("POST", "/api/v1/windows/{window_id}/close"): {"": FIRST_LEVEL, "forced": ADMIN},
    # Emergency start: a requester or an approver (DESIGN.md); admin only in local mode.
    ("POST", "/api/v1/emergencies"): {
        "": frozenset({"requester", "other-requester"}) | FIRST_LEVEL
    },
    ("POST", "/api/v1/emergencies/{window_id}/resolve"): {"": OPERATOR},
}

# Refusals that answer as if the thing did not exist, so a caller learns nothing about it.
HIDDEN = {("POST", "/api/v1/tokens/{token_id}/revoke")}

WINDOW = {**PLANNED_OUTAGE, "steps": [{"text": "check", "command": "true"}]}


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, flattened through included routers."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }


@dataclass
class World:
    """One app over one database, with an account and token per identity."""

    deps: Deps
    http: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    numbers: Iterator[int] = field(default_factory=itertools.count)
    shared_window: str = ""

    def add_account(self, name: str, role: Role) -> accounts.IssuedToken:
        with self.deps.db.write() as session:
            return accounts.add_user(session, ROOT, name, role.value, "", self.deps.clock())

    def systems(self) -> list[str]:
        # Each window on a system of its own, so no two of them overlap.
        return [f"sys-{next(self.numbers)}"]

    def window(
        self,
        *,
        submitted: bool = False,
        signed_once: bool = False,
        scheduled: bool = False,
        started: bool = False,
        completed: bool = False,
        reviewed: bool = False,
        emergency: bool = False,
    ) -> str:
        """A new planned outage filed by `requester`; pending approval when submitted,
        signed by its three levels when scheduled, and started early by its requester; with
        `emergency`, an emergency of `requester`'s that a VP's signature started."""
        started = started or completed or reviewed
        requester = Principal("requester", Role.REQUESTER)
        if emergency:
            ask = urgent.Ask("a reason", "an impact", "1h", (self.systems()[0],))
            with self.deps.db.write() as session:
                made = urgent.start(self.deps, session, requester, ask)
                workflow.approve(
                    self.deps, session, made.id, Principal("vp-2", Role.VP_ENGINEERING)
                )
            return made.id
        with self.deps.db.write() as session:
            made = windows.create(
                self.deps, session, {**WINDOW, "systems": self.systems()}, requester
            )
            if submitted or signed_once or scheduled or started:
                workflow.submit(self.deps, session, made.id, requester)
            if signed_once or scheduled or started:
                workflow.approve(self.deps, session, made.id, Principal(LEAD_2, Role.TEAM_LEAD))
            if scheduled or started:
                for name, role in (
                    ("em-2", Role.ENGINEERING_MANAGER),
                    ("vp-2", Role.VP_ENGINEERING),
                ):
                    workflow.approve(self.deps, session, made.id, Principal(name, role))
            if started:
                lifecycle.start(self.deps, session, made.id, requester, early=True)
            if completed or reviewed:
                lifecycle.complete(self.deps, session, made.id, requester)
            if reviewed:
                texts = Written(lessons="learned")
                review.edit(self.deps, session, made.id, requester, texts)
        return made.id

    def action(self) -> int:
        """An open action item on the shared window, owned by the viewer."""
        with self.deps.db.write() as session:
            requester = Principal("requester", Role.REQUESTER)
            made = actions.add(
                self.deps, session, self.shared_window, requester, "do it", "viewer", "2026-12-20"
            )
        return made.id

    def begun(self, window_id: str) -> int:
        """Step 1 of a started window, running (begun by its requester)."""
        with self.deps.db.write() as session:
            requester = Principal("requester", Role.REQUESTER)
            return steps.begin(self.deps, session, window_id, requester, "run", 1).id

    def draft(self) -> str:
        """A fresh manual draft about the shared window (filed by `requester`)."""
        now = self.deps.clock()
        with self.deps.db.write() as session:
            made = notifications.plan(
                session,
                self.shared_window,
                "initial",
                "customers-enterprise",
                f"mail-{next(self.numbers)}",
                manual=True,
                due_at=now,
                status=notifications.DRAFT,
                now=now,
            )
        return f"N-{made}"

    def run(self) -> str:
        """A queued validation run of the shared window (no job: nothing runs it here)."""
        with self.deps.db.write() as session:
            made = runs.start(
                self.deps, session, ROOT, runs.Ask(window_id=self.shared_window), enqueue=False
            )
        return runs.public_id(made.id)

    def watch(self) -> str:
        """A recovery watch on the shared window (its first round planned; no worker runs it)."""
        with self.deps.db.write() as session:
            made = watches.start(
                self.deps, session, ROOT, runs.Ask(window_id=self.shared_window), "1m", "30s"
            )
        return watches.public_id(made.id)

    def spare_token(self, name: str) -> int:
        """A token of `name` that may be revoked without locking anyone out of the matrix."""
        with self.deps.db.write() as session:
            return accounts.create_token(
                session, Principal(name, IDENTITIES.get(name, Role.VIEWER)), None, self.deps.clock()
            ).id

    def call(
        self, method: str, url: str, token: str | None, body: Any = None, params: Any = None
    ) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.request(method, url, headers=headers, json=body, params=params)

    def arrange(
        self, method: str, path: str, scenario: str, who: str
    ) -> tuple[str, Any, dict[str, str] | None]:
        """URL, JSON body and query for a call by `who` that reaches the authorization decision."""
        key = (method, path)
        needs_fresh = {
            ("POST", "/api/v1/windows/{window_id}/cancel"): {},
            ("POST", "/api/v1/windows/{window_id}/submit"): {},
            ("POST", "/api/v1/windows/{window_id}/approve"): {"submitted": True},
            ("POST", "/api/v1/windows/{window_id}/reject"): {"submitted": True},
            ("POST", "/api/v1/windows/{window_id}/start"): {"scheduled": True},
            ("POST", "/api/v1/windows/{window_id}/progress"): {"started": True},
            ("POST", "/api/v1/windows/{window_id}/complete"): {"started": True},
            ("POST", "/api/v1/windows/{window_id}/abort"): {"started": True},
            ("POST", "/api/v1/windows/{window_id}/rollback"): {"started": True},
            ("POST", "/api/v1/windows/{window_id}/steps"): {"started": True},
            ("POST", "/api/v1/windows/{window_id}/steps/{result_id}/finish"): {"started": True},
            ("GET", "/api/v1/windows/{window_id}/review"): {"completed": True},
            ("PUT", "/api/v1/windows/{window_id}/review"): {"completed": True},
            ("POST", "/api/v1/windows/{window_id}/close"): {"reviewed": True},
            ("POST", "/api/v1/emergencies/{window_id}/resolve"): {"emergency": True},
            ("GET", "/api/v1/windows/{window_id}/checklists"): {"completed": True},
        }
        if key in needs_fresh:
            state = dict(needs_fresh[key])
            if scenario == "second level":
                state = {"signed_once": True}
            made = self.window(**state)
            result_id = self.begun(made) if "{result_id}" in path else 0
            url = path.format(window_id=made, result_id=result_id)
        else:
            url = path.format(
                window_id=self.shared_window,
                name=VICTIM,
                notification_id=self.draft() if "{notification_id}" in path else 0,
                run_id=self.run() if "{run_id}" in path else 0,
                watch_id=self.watch() if "{watch_id}" in path else 0,
                action_id=self.action() if "{action_id}" in path else 0,
                token_id=self.spare_token(who if scenario == "own" else VICTIM)
                if "{token_id}" in path
                else 0,
            )
        bodies: dict[tuple[str, str], Any] = {
            ("POST", "/api/v1/windows"): {**WINDOW, "systems": self.systems()},
            ("PATCH", "/api/v1/windows/{window_id}"): {"description": f"edited by {who}"},
            ("POST", "/api/v1/windows/{window_id}/cancel"): {"reason": "not needed"},
            ("POST", "/api/v1/windows/{window_id}/approve"): {"comment": "fine"},
            ("POST", "/api/v1/windows/{window_id}/reject"): {"reason": "revise the plan"},
            ("POST", "/api/v1/windows/{window_id}/start"): {"early": True},
            ("POST", "/api/v1/windows/{window_id}/progress"): {"step": 1, "of": 2, "task": "t"},
            ("POST", "/api/v1/windows/{window_id}/abort"): {"reason": "called off"},
            ("POST", "/api/v1/validations"): {"window": self.shared_window},
            ("POST", "/api/v1/users"): {"name": f"new-{next(self.numbers)}", "role": "viewer"},
            ("POST", "/api/v1/tokens"): {"name": VICTIM} if scenario == "for another" else {},
            ("POST", "/api/v1/users/{name}/role"): {"role": "viewer"},
            ("PATCH", "/api/v1/users/{name}"): {"email": "someone@example.com"},
            ("POST", "/api/v1/windows/{window_id}/acks"): {"item": "precheck.on-call-briefed"},
            ("POST", "/api/v1/windows/{window_id}/steps"): {"phase": "run", "number": 1},
            ("POST", "/api/v1/windows/{window_id}/steps/{result_id}/finish"): {"state": "passed"},
            ("POST", "/api/v1/windows/{window_id}/log"): {"lines": [f"from {who}"]},
            ("POST", "/api/v1/windows/{window_id}/rollback"): {"reason": "step 1 failed"},
            ("POST", "/api/v1/mode/maintenance"): {"enabled": True, "message": "Back soon."},
            ("POST", "/api/v1/mode/traffic"): {"mode": "read-only", "systems": ["db"]},
            ("PUT", "/api/v1/windows/{window_id}/review"): {"lessons": f"by {who}"},
            ("POST", "/api/v1/windows/{window_id}/actions"): {
                "what": "automate it",
                "owner": "viewer",
                "due": "2026-12-20",
            },
            ("POST", "/api/v1/windows/{window_id}/close"): {"force": True, "reason": "on paper"}
            if scenario == "forced"
            else {},
            ("POST", "/api/v1/emergencies"): {
                "reason": "a reason",
                "impact": "an impact",
                "duration": "1h",
                "systems": self.systems(),
            },
        }
        queries = {
            ("GET", "/api/v1/check"): {"date": "2026-12-06", "systems": "db"},
            ("GET", "/api/v1/slots"): {"type": "planned-outage", "duration": "2h", "systems": "db"},
            ("GET", "/api/v1/calendar"): {"month": "2026-12"},
            ("GET", "/api/v1/reports/sla"): {"month": "2026-12"},
            ("GET", "/api/v1/stats/duration"): {"type": "planned-outage", "duration": "2h"},
            ("GET", "/api/v1/windows/{window_id}/render"): {"kind": "initial"},
        }
        return url, bodies.get(key), queries.get(key)


@pytest.fixture
def world(db: Database, clock: Clock) -> Iterator[World]:
    # One check, so that starting a validation run reaches its decision (nothing runs it).
    config = parse_config(
        "checks: [{name: ok, group: services, kind: tcp, host: 127.0.0.1, port: 9}]\n"
        # Closing waits for no post-maintenance item here, whatever the default policy declares.
        "policy: {checklists: {post-immediate: [], post-short-term: []}}\n",
        "a.yaml",
    )
    deps = Deps.build(db, config, clock=clock)
    with TestClient(create_app(deps)) as http:
        made = World(deps, http)
        for name, role in IDENTITIES.items():
            made.tokens[name] = made.add_account(name, role).secret
        made.add_account(LEAD_2, Role.TEAM_LEAD)
        made.add_account(VICTIM, Role.VIEWER)
        made.shared_window = made.window()
        yield made


def is_problem(response: Response, kind: str) -> bool:
    return (
        response.headers.get("content-type") == "application/problem+json"
        and response.json().get("type") == f"urn:maintctl:problem:{kind}"
    )


def test_every_route_has_a_rule(world: World) -> None:
    served = served_routes(world.http.app)  # type: ignore[arg-type]
    assert not PUBLIC & set(RULES), "a route is both public and ruled"
    assert served - PUBLIC - set(RULES) == set(), "routes without a rule in RULES"
    assert (PUBLIC | set(RULES)) - served == set(), "rules for routes the app no longer serves"


def test_public_routes_answer_without_a_valid_token(world: World) -> None:
    revoked, disabled = bad_credentials(world)
    failures = []
    for method, path in sorted(PUBLIC):
        for label, token in [
            ("no token", None),
            ("bad token", "mct_not-a-token"),
            ("revoked token", revoked),
            ("disabled account", disabled),
            ("viewer", world.tokens["viewer"]),
        ]:
            response = world.call(method, path, token)
            if response.status_code in (401, 403) or response.status_code >= 500:
                failures.append(f"{method} {path} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)


def bad_credentials(world: World) -> tuple[str, str]:
    """A revoked token of an enabled account and a live token of a disabled account."""
    revoked = world.add_account("revoked", Role.ADMIN)
    disabled = world.add_account("disabled", Role.ADMIN)
    now = world.deps.clock()
    with world.deps.db.write() as session:
        accounts.revoke_token(session, ROOT, revoked.id, now)
        accounts.disable_user(session, ROOT, "disabled", now)
    return revoked.secret, disabled.secret


def test_without_a_valid_token_every_other_route_is_401(world: World) -> None:
    revoked, disabled = bad_credentials(world)
    credentials: list[tuple[str, str | None]] = [
        ("no token", None),
        ("empty bearer", ""),
        ("bad token", "mct_not-a-token"),
        ("revoked token", revoked),
        ("disabled account", disabled),
    ]
    failures = []
    for (method, path), scenarios in sorted(RULES.items()):
        for scenario, (label, token) in itertools.product(scenarios, credentials):
            url, body, query = world.arrange(method, path, scenario, "admin")
            response = world.call(method, url, token, body, query)
            if not (
                response.status_code == 401
                and is_problem(response, "unauthenticated")
                and response.headers.get("www-authenticate", "").startswith("Bearer")
            ):
                failures.append(f"{method} {url} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_each_role_is_allowed_exactly_where_the_table_says(world: World) -> None:
    failures = []
    for (method, path), scenarios in sorted(RULES.items()):
        for scenario, allowed in scenarios.items():
            for who in IDENTITIES:
                url, body, query = world.arrange(method, path, scenario, who)
                response = world.call(method, url, world.tokens[who], body, query)
                status = response.status_code
                where = f"{method} {path} [{scenario or '-'}] as {who}: {status}"
                if who in allowed and not 200 <= status < 300:
                    failures.append(f"{where}, expected success: {response.text[:200]}")
                refused = (404, "not-found") if (method, path) in HIDDEN else (403, "forbidden")
                if who not in allowed and not (
                    status == refused[0] and is_problem(response, refused[1])
                ):
                    failures.append(f"{where}, expected {refused[0]} problem+json")
    assert not failures, "\n".join(failures)
