"""Action items (`maintctl action`): added to a window's review, listed, done, and reminded.

Adding an item plans an `actions.overdue` job due at its due time, keyed by the item: when it
runs and the item is still open, the owner gets one `action-overdue` message (services/people.py)
and internal engineering one plain message, both keyed by the item, so a retried or repeated job
never reminds twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import pages, review
from maintctl.domain.errors import NotFound, Problem, RuleViolation, refuse
from maintctl.domain.roles import (
    Principal,
    account_name_problem,
    forbid,
    require_operator,
    require_writer,
)
from maintctl.domain.times import TimeParseError, format_instant
from maintctl.services import accounts as account_service
from maintctl.services import jobs, people
from maintctl.services.deps import Deps
from maintctl.services.windows import require
from maintctl.store import actions as store
from maintctl.store import audit, windows
from maintctl.store import jobs as job_store
from maintctl.store.actions import Action

OVERDUE_KIND = "actions.overdue"
ACTION_OVERDUE = "action-overdue"  # the people message's kind (templates/notices/)


def _owner(session: Session, name: str) -> str:
    """The owner: an enabled account, or a problem naming the fix."""
    fix = "name an enabled account (maintctl user list)"
    return account_service.require_enabled(session, name, "owner", fix)


def add(
    deps: Deps, session: Session, window_id: str, who: Principal, what: str, owner: str, due: str
) -> Action:
    """Add an action item to a window's review; refused, with nothing written, on bad input."""
    window = require(session, window_id)
    require_operator(who, window.requested_by, window.lead, f"adding an action to {window.id}")
    refuse(review.action_problems(what, store.count(session, window.id)))
    try:
        due_at = review.parse_due(due)
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None
    _owner(session, owner)
    now = deps.clock()
    item = store.add(session, window.id, what.strip(), owner, due_at, who.name, now)
    label = review.action_label(item.id)
    extra = {"action": label, "owner": owner, "due": format_instant(due_at)}
    audit.record(session, window, who.name, "action-add", window.status, now, extra=extra)
    key = f"{OVERDUE_KIND}:{item.id}"
    payload = {"action": item.id}
    job_store.enqueue(session, OVERDUE_KIND, payload, due_at, key, now, deps.config.hash)
    return item


def require_action(session: Session, action_id: int) -> Action:
    found = store.get(session, action_id)
    if found is None:
        label = review.action_label(action_id)
        raise NotFound(
            [Problem("id", "not-found", f"there is no action {label}", "maintctl action list")]
        )
    return found


def done(deps: Deps, session: Session, action_id: int, who: Principal) -> tuple[Action, bool]:
    """Mark an item done (its owner, the window's requester or lead, or an approver)."""
    item = require_action(session, action_id)
    window = require(session, item.window)
    label = review.action_label(item.id)
    if not (who.name in (item.owner, window.requested_by, window.lead) or who.rank):
        require_writer(who, f"marking {label} done")
        raise forbid(
            f"marking {label} done",
            f"its owner ({item.owner}), the window's requester or lead, or team-lead or higher",
        )
    now = deps.clock()
    changed = store.finish(session, item.id, who.name, now)
    if changed:
        audit.record(
            session, window, who.name, "action-done", window.status, now, extra={"action": label}
        )
    found = store.get(session, item.id)
    assert found is not None
    return found, changed


@dataclass(frozen=True)
class ActionPage:
    items: list[Action]
    next: int | None  # the id the next page starts after


def listing(
    deps: Deps,
    who: Principal,
    *,
    open_only: bool = False,
    owner: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> ActionPage:
    """Action items in id order, one bounded page (anyone who may read windows)."""
    del who
    if owner is not None and (problem := account_name_problem(owner, "owner")):
        raise RuleViolation([problem])
    size = pages.page_size(limit)
    with deps.db.read() as session:
        found = store.page(session, after=after, limit=size + 1, open_only=open_only, owner=owner)
    if len(found) <= size:
        return ActionPage(found, None)
    return ActionPage(found[:size], found[size - 1].id)


def overdue_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Remind the owner of an item still open at its due time, once."""
    action_id = payload.get("action")
    if not isinstance(action_id, int):
        raise jobs.JobError("the payload names no action", permanent=True)
    now = deps.clock()
    with deps.db.write() as session:
        item = store.get(session, action_id)
        label = review.action_label(action_id)
        if item is None:
            return f"{label} no longer exists"
        if item.done_at is not None:
            return f"{label} is done: nothing to remind"
        if now < item.due_at:
            return f"{label} is not due until {format_instant(item.due_at)}"
        window = windows.get(session, item.window)
        if window is None:
            return f"{label}'s window no longer exists"
        extra = {"action": label, "what": item.what, "due": format_instant(item.due_at)}
        planned = people.plan(deps, session, window, ACTION_OVERDUE, item.owner, label, extra)
        # And the team, as the runbook's internal-engineering channel hears of overdue work.
        text = (
            f"{label} on {window.id} is overdue (due {format_instant(item.due_at)}), "
            f"owner {item.owner}: {item.what}\nMark it done with `maintctl action done "
            f"{action_id}`."
        )
        subject = f"[maintctl] {label} on {window.id} is overdue"
        told = jobs.tell_engineering(
            deps, session, subject, text, "action.overdue", f"{OVERDUE_KIND}:{action_id}"
        )
    return (
        f"reminded {item.owner} of {label} ({planned} sends) and internal engineering ({told})"
        if planned
        else f"{item.owner} cannot be reached; told internal engineering ({told})"
    )


jobs.register(OVERDUE_KIND, overdue_job)
