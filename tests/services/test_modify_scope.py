"""What a change re-checks, and which changes send a scheduled window back to approval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Status
from maintctl.domain.roles import Principal, Role
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import audit
from tests.conftest import Clock

RITA = Principal("rita", Role.REQUESTER)
TOM = Principal("tom", Role.TEAM_LEAD)
EMMA = Principal("emma", Role.ENGINEERING_MANAGER)
VICTOR = Principal("victor", Role.VP_ENGINEERING)
PLANNED = {
    "type": "planned-outage",
    "start": "2026-12-06T02:00:00Z",
    "end": "2026-12-06T04:00:00Z",
    "systems": ["db"],
    "description": "Database upgrade",
    "execution_plan": ["stop", "upgrade", "start"],
}


def scheduled(deps: Deps) -> str:
    with deps.db.write() as session:
        wid = windows.create(deps, session, PLANNED, RITA).id
    with deps.db.write() as session:
        workflow.submit(deps, session, wid, RITA)
    for who in (TOM, EMMA, VICTOR):
        with deps.db.write() as session:
            workflow.approve(deps, session, wid, who)
    return wid


def modify(deps: Deps, wid: str, **fields: Any) -> Any:
    with deps.db.write() as session:
        return windows.modify(deps, session, wid, fields, RITA)


@pytest.mark.parametrize(
    "change",
    [
        {"risk": "high"},
        {"impact": "read-only for an hour"},
        {"execution_plan": ["stop", "upgrade twice", "start"]},
        {"rollback_plan": ["restore the snapshot"]},
        {"verification_steps": ["run the smoke tests"]},
        {"end": "2026-12-06T03:30:00Z"},
        {"systems": ["db", "api"]},
    ],
)
def test_a_change_to_what_approvers_signed_sends_it_back_to_approval(
    deps: Deps, change: dict[str, Any]
) -> None:
    wid = scheduled(deps)
    changed = modify(deps, wid, **change)
    assert changed.status == Status.PENDING_APPROVAL
    assert changed.signatures == []


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Database upgrade to 16.4"},
        {"justification": "security fixes"},
        {"owner": "dba-team"},
        {"prerequisites": ["snapshot taken"]},
    ],
)
def test_rewording_what_approvers_did_not_sign_keeps_it_scheduled_and_shows_in_history(
    deps: Deps, change: dict[str, Any]
) -> None:
    wid = scheduled(deps)
    changed = modify(deps, wid, **change)
    assert changed.status == Status.SCHEDULED
    assert len(changed.signatures) == 3
    with deps.db.read() as session:
        last = audit.history(session, wid)[-1]
    assert last.action == "modify"
    assert list(last.detail["changes"]) == list(change)


def test_a_typo_is_fixed_inside_the_notice_period(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = datetime(
        2026, 12, 5, 12, tzinfo=UTC
    )  # one day before: planned-outage needs 7 days' notice
    changed = modify(deps, wid, description="Database upgrade (typo fixed)")
    assert changed.status == Status.SCHEDULED
    assert changed.spec.description == "Database upgrade (typo fixed)"


def test_a_change_of_time_inside_the_notice_period_runs_every_rule(
    deps: Deps, clock: Clock
) -> None:
    wid = scheduled(deps)
    clock.now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    with pytest.raises(RuleViolation) as caught:
        modify(deps, wid, end="2026-12-06T03:30:00Z")
    assert "notice" in [p.rule for p in caught.value.problems]
