"""The moves during a window: start, progress, complete, abort, with their rules and records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from maintctl.domain import bounds
from maintctl.domain.errors import NotFound, RuleViolation, StaleError, StateError
from maintctl.domain.model import Status
from maintctl.domain.roles import Forbidden, Principal, Role
from maintctl.services import accounts, lifecycle, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import audit
from tests.conftest import Clock

RITA = Principal("rita", Role.REQUESTER)
OTTO = Principal("otto", Role.REQUESTER)
TOM = Principal("tom", Role.TEAM_LEAD)
EMMA = Principal("emma", Role.ENGINEERING_MANAGER)
VICTOR = Principal("victor", Role.VP_ENGINEERING)
ROOT = Principal("root", Role.ADMIN)
VERA = Principal("vera", Role.VIEWER)
START = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
PLANNED = {
    "type": "planned-outage",
    "start": "2026-12-06T02:00:00Z",
    "end": "2026-12-06T04:00:00Z",
    "systems": ["db"],
    "description": "Database upgrade",
}


def scheduled(deps: Deps) -> str:
    """A planned outage requested by rita and signed by its three levels."""
    with deps.db.write() as session:
        wid = windows.create(deps, session, PLANNED, RITA).id
        workflow.submit(deps, session, wid, RITA)
        for signer in (TOM, EMMA, VICTOR):
            workflow.approve(deps, session, wid, signer)
    return wid


def move(deps: Deps, action: str, wid: str, who: Principal, *args: Any, **kw: Any) -> Any:
    with deps.db.write() as session:
        return getattr(lifecycle, action)(deps, session, wid, who, *args, **kw)


def started(deps: Deps, clock: Clock) -> str:
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    return wid


def trail(deps: Deps, wid: str) -> list[tuple[str, str | None, str | None]]:
    with deps.db.read() as session:
        return [(r.action, r.from_status, r.to_status) for r in audit.history(session, wid)]


def test_it_starts_a_scheduled_window_and_records_the_actual_start_and_lead(
    deps: Deps, clock: Clock
) -> None:
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=10)
    moved = move(deps, "start", wid, RITA)
    assert moved.status == Status.IN_PROGRESS
    assert (moved.lead, moved.actual_start, moved.actual_end) == ("rita", clock.now, None)
    with deps.db.read() as session:
        stored = windows.require(session, wid)
        row = audit.history(session, wid)[-1]
    assert (stored.status, stored.lead, stored.actual_start) == (
        Status.IN_PROGRESS,
        "rita",
        clock.now,
    )
    assert (row.action, row.from_status, row.to_status, row.actor) == (
        "start",
        "scheduled",
        "in_progress",
        "rita",
    )
    assert row.detail["lead"] == "rita"


def test_it_refuses_a_start_more_than_15_minutes_early_without_early(
    deps: Deps, clock: Clock
) -> None:
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=16)
    with pytest.raises(RuleViolation) as caught:
        move(deps, "start", wid, RITA)
    assert caught.value.problems[0].rule == "early-start"
    assert "--early" in caught.value.problems[0].fix
    assert move(deps, "start", wid, RITA, early=True).status == Status.IN_PROGRESS
    with deps.db.read() as session:
        assert audit.history(session, wid)[-1].detail["early"] is True


def test_it_refuses_to_start_a_window_that_is_not_scheduled(deps: Deps, clock: Clock) -> None:
    with deps.db.write() as session:
        draft = windows.create(deps, session, {**PLANNED, "systems": ["cache"]}, RITA).id
    wid = started(deps, clock)
    with pytest.raises(StateError):
        move(deps, "start", draft, RITA)
    first = move(deps, "start", wid, RITA)  # in progress already: a repeat does nothing
    assert move(deps, "start", wid, RITA).version == first.version
    move(deps, "complete", wid, RITA)
    with pytest.raises(StateError):
        move(deps, "start", wid, RITA)


def test_a_viewer_an_admin_and_another_requester_may_not_start_it(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START
    for who in (VERA, OTTO, ROOT):  # 3 refused identities
        with pytest.raises(Forbidden):
            move(deps, "start", wid, who)
    assert move(deps, "start", wid, TOM).lead == "tom"


def test_the_lead_named_at_start_must_be_an_enabled_account(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START
    with pytest.raises(RuleViolation) as caught:
        move(deps, "start", wid, RITA, lead="nobody")
    assert caught.value.problems[0].rule == "unknown-account"
    with deps.db.write() as session:
        accounts.add_user(session, ROOT, "otto", "requester", "", clock.now)
        accounts.add_user(session, ROOT, "gone", "requester", "", clock.now)
        accounts.disable_user(session, ROOT, "gone", clock.now)
    with pytest.raises(RuleViolation):
        move(deps, "start", wid, RITA, lead="gone")
    assert move(deps, "start", wid, RITA, lead="otto").lead == "otto"
    # The lead may now move the window though another requester filed it.
    clock.now = START + timedelta(minutes=30)
    assert move(deps, "complete", wid, OTTO).status == Status.COMPLETED


def test_progress_keeps_updates_in_order_and_refuses_bad_ones(deps: Deps, clock: Clock) -> None:
    wid = started(deps, clock)
    eta = START + timedelta(hours=1, minutes=30)
    moved, first_id, update = move(
        deps, "progress", wid, RITA, step=3, of=7, task="Migrating", eta=eta, public="Going well"
    )
    assert (update.step, update.of, update.task, update.eta, update.public, update.by) == (
        3,
        7,
        "Migrating",
        eta,
        "Going well",
        "rita",
    )
    assert moved.version == 7  # create 1, submit, 3 signatures, start, progress
    move(deps, "progress", wid, TOM, step=4, of=7, task="Checking", status="delayed")
    with deps.db.read() as session:
        page = lifecycle.update_page(session, wid, limit=1)
        rest = lifecycle.update_page(session, wid, after=page.next)
    assert [u.task for _, u in page.updates] == ["Migrating"] and page.next == first_id
    assert [(u.task, u.status.value) for _, u in rest.updates] == [("Checking", "delayed")]
    assert rest.next is None
    bad: list[dict[str, Any]] = [  # 5 refused updates
        {"step": 8, "of": 7, "task": "x"},
        {"step": 0, "of": 7, "task": "x"},
        {"step": 1, "of": 7, "task": "  "},
        {"step": 1, "of": 7, "task": "x", "status": "late"},
        {"step": 1, "of": 7, "task": "x" * (bounds.TEXT_LIMITS["task"] + 1)},
    ]
    for fields in bad:
        with pytest.raises(RuleViolation):
            move(deps, "progress", wid, RITA, **fields)
    assert ("progress", "in_progress", "in_progress") in trail(deps, wid)


def test_progress_needs_a_window_in_progress(deps: Deps) -> None:
    wid = scheduled(deps)
    with pytest.raises(StateError):
        move(deps, "progress", wid, RITA, step=1, of=2, task="x")


def test_a_window_keeps_at_most_its_bound_of_updates(
    deps: Deps, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "MAX_UPDATES", 3)
    wid = started(deps, clock)
    for n in range(3):  # 3 kept, the fourth refused
        move(deps, "progress", wid, RITA, step=n + 1, of=4, task=f"step {n + 1}")
    with pytest.raises(RuleViolation) as caught:
        move(deps, "progress", wid, RITA, step=4, of=4, task="one too many")
    assert caught.value.problems[0].rule == "too-many"


def test_complete_records_the_actual_end_and_passes_verifying_at_once(
    deps: Deps, clock: Clock
) -> None:
    wid = started(deps, clock)
    clock.now = START + timedelta(hours=2, minutes=10)
    done = move(deps, "complete", wid, RITA)
    assert (done.status, done.actual_end) == (Status.COMPLETED, clock.now)
    assert lifecycle.actual_duration(done) == "2h15m"
    assert trail(deps, wid)[-2:] == [
        ("complete", "in_progress", "verifying"),
        ("verify", "verifying", "completed"),
    ]
    again = move(deps, "complete", wid, RITA)  # a repeat finishes nothing twice
    assert (again.status, again.version) == (Status.COMPLETED, done.version)


def test_abort_cancels_a_window_in_progress_and_needs_a_reason(deps: Deps, clock: Clock) -> None:
    wid = started(deps, clock)
    for reason in ("", "   ", "x" * (bounds.TEXT_LIMITS["reason"] + 1)):  # 3 refused reasons
        with pytest.raises(RuleViolation):
            move(deps, "abort", wid, RITA, reason)
    with pytest.raises(Forbidden):
        move(deps, "abort", wid, VERA, "no")
    aborted = move(deps, "abort", wid, TOM, "wrong window")
    assert (aborted.status, aborted.cancel_reason) == (Status.CANCELLED, "wrong window")
    assert trail(deps, wid)[-1] == ("abort", "in_progress", "cancelled")
    again = move(deps, "abort", wid, TOM, "again")  # a repeat undoes nothing twice
    assert (again.version, again.cancel_reason) == (aborted.version, "wrong window")


def test_a_stale_version_is_refused_and_nothing_is_written(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START
    with pytest.raises(StaleError):
        move(deps, "start", wid, RITA, expected_version=1)
    with deps.db.read() as session:
        assert windows.require(session, wid).status == Status.SCHEDULED
    moved = move(deps, "start", wid, RITA, expected_version=5)
    with pytest.raises(StaleError):
        move(deps, "complete", wid, RITA, moved.version - 1)


def test_an_unknown_window_is_not_found(deps: Deps) -> None:
    with pytest.raises(NotFound):
        move(deps, "start", "MNT-2026-9999", RITA)
