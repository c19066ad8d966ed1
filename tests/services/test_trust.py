"""Bounds on what the workflow and accounts accept, and the local operator in the audit trail."""

from __future__ import annotations

import pytest

from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Status
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import audit
from tests.conftest import PLANNED_OUTAGE

RITA = Principal("rita", Role.REQUESTER)
TOM = Principal("tom", Role.TEAM_LEAD)
LOCAL = Principal("root", Role.ADMIN, local_user="root")


def _pending(deps: Deps) -> str:
    with deps.db.write() as session:
        made = windows.create(deps, session, {**PLANNED_OUTAGE, "systems": ["db"]}, RITA)
        workflow.submit(deps, session, made.id, RITA)
    return made.id


@pytest.mark.parametrize(
    ("action", "text", "rule"),
    [
        ("approve", "x" * 2001, "too-long"),
        ("reject", "x" * 2001, "too-long"),
        ("approve", "fine\x1b[31m", "control-character"),
        ("reject", "no\x00", "control-character"),
    ],
)
def test_a_reason_or_comment_past_its_bound_is_refused_with_nothing_written(
    deps: Deps, action: str, text: str, rule: str
) -> None:
    window_id = _pending(deps)
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        getattr(workflow, action)(deps, session, window_id, TOM, text)
    [problem] = caught.value.problems
    assert problem.field == ("comment" if action == "approve" else "reason")
    assert problem.rule == rule
    with deps.db.read() as session:
        assert windows.require(session, window_id).status == Status.PENDING_APPROVAL
        assert len(audit.history(session, window_id)) == 2


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [
        ("a" * 65, "", "name"),
        ("../x", "", "name"),
        ("ok", "e" * 321, "email"),
        ("ok", "a@b.c\nBcc: all@b.c", "email"),
    ],
)
def test_add_user_bounds_the_name_and_email(deps: Deps, name: str, email: str, field: str) -> None:
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        accounts.add_user(session, LOCAL, name, "viewer", email, deps.clock())
    assert [p.field for p in caught.value.problems] == [field]
    with deps.db.read() as session:
        assert accounts.list_users(session, LOCAL) == []
        assert accounts.audit_trail(session, LOCAL, 10) == []


def test_local_mode_records_the_os_user_in_the_account_audit_trail(deps: Deps) -> None:
    now = deps.clock()
    with deps.db.write() as session:
        accounts.add_user(session, LOCAL, "tom", "team-lead", "tom@example.com", now)
    with deps.db.write() as session:
        as_tom = accounts.local_principal(session, "root", "tom")
        accounts.create_token(session, as_tom, None, now)
    with deps.db.read() as session:
        trail = accounts.audit_trail(session, LOCAL, 10)
    assert [(e.actor, e.action, e.detail.get("local_user")) for e in trail] == [
        ("tom", "token-create", "root"),
        ("root", "token-create", "root"),
        ("root", "user-add", "root"),
    ]
