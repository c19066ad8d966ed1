"""The approval workflow: who signs what, in which order, and what sends a window back."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from maintctl.config import Config, parse_config
from maintctl.domain.errors import ConflictError, RuleViolation, StaleError, StateError
from maintctl.domain.model import Status
from maintctl.domain.roles import Forbidden, Principal, Role
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import audit
from maintctl.store.db import Database
from tests.conftest import Clock

RITA = Principal("rita", Role.REQUESTER)
TOM = Principal("tom", Role.TEAM_LEAD)
EMMA = Principal("emma", Role.ENGINEERING_MANAGER)
VICTOR = Principal("victor", Role.VP_ENGINEERING)
CAROL = Principal("carol", Role.CTO)
ROOT = Principal("root", Role.ADMIN)
VERA = Principal("vera", Role.VIEWER)
PLANNED = {
    "type": "planned-outage",
    "start": "2026-12-06T02:00:00Z",
    "end": "2026-12-06T04:00:00Z",
    "systems": ["db"],
    "description": "Database upgrade",
}


def create(deps: Deps, who: Principal = RITA, **over: Any) -> str:
    with deps.db.write() as session:
        return windows.create(deps, session, {**PLANNED, **over}, who).id


def act(deps: Deps, action: str, window_id: str, who: Principal, *args: Any) -> Any:
    with deps.db.write() as session:
        return getattr(workflow, action)(deps, session, window_id, who, *args)


def status(deps: Deps, window_id: str) -> Status:
    with deps.db.read() as session:
        return windows.require(session, window_id).status


def test_a_planned_outage_is_scheduled_after_its_three_levels_sign_in_order(deps: Deps) -> None:
    wid = create(deps)
    assert act(deps, "submit", wid, RITA).status == Status.PENDING_APPROVAL
    assert act(deps, "approve", wid, TOM, "looks fine").status == Status.PENDING_APPROVAL
    assert act(deps, "approve", wid, EMMA).status == Status.PENDING_APPROVAL
    done = act(deps, "approve", wid, VICTOR)
    assert done.status == Status.SCHEDULED
    assert [(s.role, s.signer) for s in done.signatures] == [
        ("team-lead", "tom"),
        ("engineering-manager", "emma"),
        ("vp-engineering", "victor"),
    ]
    with deps.db.read() as session:
        trail = audit.history(session, wid)
    assert [(r.actor, r.action) for r in trail] == [
        ("rita", "create"),
        ("rita", "submit"),
        ("tom", "approve"),
        ("emma", "approve"),
        ("victor", "approve"),
    ]
    assert trail[2].detail["comment"] == "looks fine"


def test_nobody_approves_their_own_request(deps: Deps) -> None:
    wid = create(deps, who=TOM)
    act(deps, "submit", wid, TOM)
    with pytest.raises(Forbidden) as exc:
        act(deps, "approve", wid, TOM)
    assert "someone other than its requester" in str(exc.value)


def test_one_person_signs_at_most_one_level(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    act(deps, "approve", wid, CAROL)  # a higher role may sign the team-lead level
    with pytest.raises(Forbidden):
        act(deps, "approve", wid, CAROL)


def test_a_level_needs_its_role_or_higher_and_admin_signs_nothing(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    act(deps, "approve", wid, TOM)
    with pytest.raises(Forbidden) as exc:
        act(deps, "approve", wid, Principal("tina", Role.TEAM_LEAD))
    assert "engineering-manager or higher (you are team-lead)" in str(exc.value)
    with pytest.raises(Forbidden):
        act(deps, "approve", wid, ROOT)
    with pytest.raises(Forbidden):
        act(deps, "approve", wid, VERA)


def test_a_viewer_cannot_request(deps: Deps) -> None:
    with pytest.raises(Forbidden):
        create(deps, who=VERA)


def test_only_the_requester_an_approver_or_admin_changes_a_window(deps: Deps) -> None:
    wid = create(deps)
    with pytest.raises(Forbidden), deps.db.write() as session:
        windows.cancel(deps, session, wid, "mine now", Principal("rob", Role.REQUESTER))
    with deps.db.write() as session:
        windows.modify(deps, session, wid, {"description": "Upgrade to 16"}, TOM)


def test_reject_sends_it_back_to_draft_and_clears_signatures(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    act(deps, "approve", wid, TOM)
    with pytest.raises(RuleViolation):
        act(deps, "reject", wid, EMMA, " ")
    rejected = act(deps, "reject", wid, EMMA, "Add a rollback plan")
    assert rejected.status == Status.DRAFT and rejected.signatures == []
    assert act(deps, "submit", wid, RITA).status == Status.PENDING_APPROVAL


def test_moving_a_scheduled_window_sends_it_back_to_approval(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    for who in (TOM, EMMA, VICTOR):
        act(deps, "approve", wid, who)
    with deps.db.write() as session:
        edited = windows.modify(deps, session, wid, {"description": "Upgrade to 16.1"}, RITA)
    assert edited.status == Status.SCHEDULED and len(edited.signatures) == 3
    with deps.db.write() as session:
        moved = windows.modify(deps, session, wid, {"systems": ["db", "api"]}, RITA)
    assert moved.status == Status.PENDING_APPROVAL and moved.signatures == []


def test_final_approval_rechecks_notice(deps: Deps, clock: Clock) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    act(deps, "approve", wid, TOM)
    act(deps, "approve", wid, EMMA)
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(RuleViolation) as exc:
        act(deps, "approve", wid, VICTOR)
    assert "earliest allowed start is 2026-12-08T00:00:00Z" in str(exc.value)
    assert status(deps, wid) == Status.PENDING_APPROVAL


def test_an_emergency_needs_one_vp_signature(deps: Deps) -> None:
    wid = create(deps, type="emergency", start="2026-12-20T13:00:00Z", end="2026-12-20T15:00:00Z")
    act(deps, "submit", wid, RITA)
    with pytest.raises(Forbidden):
        act(deps, "approve", wid, EMMA)
    # Signed, an emergency starts at once (DESIGN.md), whatever start it was filed with.
    signed = act(deps, "approve", wid, VICTOR)
    assert signed.status == Status.IN_PROGRESS and signed.actual_start == signed.spec.start


def test_a_type_with_no_approval_chain_is_scheduled_at_submit(db: Database, clock: Clock) -> None:
    config: Config = parse_config(
        "policy:\n  types:\n    zero-downtime:\n      approvals: []\n", "solo.yaml"
    )
    solo = Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))
    wid = create(solo, type="zero-downtime", systems=[])
    assert act(solo, "submit", wid, RITA).status == Status.SCHEDULED


def test_pending_lists_what_i_may_sign_now(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    with deps.db.read() as session:
        assert [w.id for w in workflow.pending(deps, session, TOM)] == [wid]
        assert workflow.pending(deps, session, RITA) == []
        assert workflow.pending(deps, session, ROOT) == []
    act(deps, "approve", wid, TOM)
    with deps.db.read() as session:
        assert workflow.pending(deps, session, TOM) == []
        assert [w.id for w in workflow.pending(deps, session, EMMA)] == [wid]


def test_submit_only_from_draft_and_rechecks_conflicts(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    with pytest.raises(StateError):
        act(deps, "submit", wid, RITA)


def test_a_stale_version_is_refused(deps: Deps) -> None:
    wid = create(deps)
    with pytest.raises(StaleError) as exc, deps.db.write() as session:
        windows.modify(deps, session, wid, {"description": "x"}, RITA, expected_version=7)
    assert "now at version 1" in str(exc.value)


def test_two_approvers_at_the_same_moment_cannot_both_sign_one_level(
    database_url: str, config: Config, clock: Clock
) -> None:
    setup = Deps.build(Database(database_url), config, clock=clock, local=LocalIdentity("a"))
    wid = create(setup)
    act(setup, "submit", wid, RITA)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign(who: Principal) -> None:
        deps = Deps.build(Database(database_url), config, clock=clock, local=LocalIdentity("a"))
        barrier.wait()
        try:
            outcomes.append(act(deps, "approve", wid, who).signatures[-1].signer)
        except (ConflictError, StaleError, Forbidden) as exc:
            outcomes.append(exc.problems[0].rule)
        finally:
            deps.db.dispose()

    tina = Principal("tina", Role.TEAM_LEAD)
    threads = [threading.Thread(target=sign, args=(who,)) for who in (TOM, tina)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with setup.db.read() as session:
        signed = windows.require(session, wid).signatures
    setup.db.dispose()
    assert len(signed) == 1
    assert len(outcomes) == 2 and sum(o in ("tom", "tina") for o in outcomes) == 1


def test_a_change_made_from_an_old_read_never_lands_on_a_newer_window(deps: Deps) -> None:
    wid = create(deps)
    act(deps, "submit", wid, RITA)
    with deps.db.read() as session:
        seen = windows.require(session, wid)
    act(deps, "approve", wid, TOM)
    late = replace(seen, version=seen.version + 1, signatures=[])
    with pytest.raises(ConflictError) as exc, deps.db.write() as session:
        windows.save(session, late)
    assert exc.value.problems[0].rule == "changed-concurrently"
    with deps.db.read() as session:
        assert [s.signer for s in windows.require(session, wid).signatures] == ["tom"]


def test_pending_comes_in_pages_that_skip_what_i_may_not_sign(deps: Deps) -> None:
    # Five pending windows; TOM signed the third already, so four wait for him.
    ids = [create(deps, systems=[f"s{n}"]) for n in range(5)]
    for wid in ids:
        act(deps, "submit", wid, RITA)
    act(deps, "approve", ids[2], TOM)
    seen: list[str] = []
    after = None
    for _ in range(10):  # bounded: two pages of two are expected
        with deps.db.read() as session:
            page = workflow.pending_page(deps, session, TOM, after=after, limit=2)
        seen += [w.id for w in page.windows]
        if page.next is None:
            break
        after = page.next
    assert seen == [ids[0], ids[1], ids[3], ids[4]]
    with deps.db.read() as session:
        assert workflow.pending_page(deps, session, RITA).windows == []
