"""Readiness (`maintctl precheck`, `maintctl ack`): each checklist item judged or attested.

Judged items are settled by a judge from the records; a judge is registered by the item's full
name (`register_judge("precheck.baseline-captured", fn)`), and an item with none never passes.
Attested items are settled by acknowledgements, each person's own, all in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from maintctl.config import Contact
from maintctl.domain import bounds, checklists
from maintctl.domain.checklists import ATTESTED, JUDGED, TEAM, Item, Line
from maintctl.domain.errors import Problem, RuleViolation, StateError
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import Principal, forbid, require_writer
from maintctl.services.deps import Deps
from maintctl.services.windows import require
from maintctl.store import acks, audit

PRECHECK = "precheck"
ONCALL = "precheck.on-call-briefed"
# Acknowledging makes no sense on a window that will not run.
_CLOSED = (Status.CANCELLED, Status.CLOSED)
# Post-maintenance items attest work after the window: acked once it ended, closed or not (the
# long-term list runs on for days after a close).
_ENDED = (Status.COMPLETED, Status.ROLLED_BACK, Status.CLOSED)


@dataclass(frozen=True)
class Judging:
    """What a judge looks at: the window, now, and the open session to read the records."""

    deps: Deps
    session: Session
    window: Window
    now: datetime


@dataclass(frozen=True)
class Finding:
    """A judge's answer: OK or not, what it found, and how to fix it when not."""

    ok: bool
    detail: str = ""
    fix: str = ""


Judge = Callable[[Judging], Finding]
_JUDGES: dict[str, Judge] = {}


def register_judge(item: str, judge: Judge) -> None:
    """Judge the item `list.item` with `judge` from now on (the last registration wins)."""
    _JUDGES[item] = judge


@dataclass(frozen=True)
class Report:
    window: str
    lines: list[Line]
    # The runbook's Contact List entries for this window: those for all systems or for one of its.
    contacts: tuple[Contact, ...] = ()

    @property
    def ready(self) -> bool:
        return checklists.ready(self.lines)


def judge_list(deps: Deps, session: Session, window: Window, checklist: str) -> list[Line]:
    """Every item of one checklist on the window, in the policy's order."""
    from maintctl.services import aftercare, judges  # noqa: F401 - registers the built-in judges

    standing = acks.standing(session, window.id)
    now = deps.clock()
    lines = []
    for item in deps.config.policy.checklists.get(checklist, []):
        name = checklists.full_name(checklist, item)
        if item.kind == JUDGED:
            lines.append(_judged(Judging(deps, session, window, now), name, item))
            continue
        acked = [a.account for a in standing if a.item == name]
        if item.each == TEAM:
            lines.append(checklists.team_line(name, item, window.id, window.spec.team, set(acked)))
        else:
            lines.append(checklists.attested_line(name, item, window.id, acked))
    return lines


def _judged(judging: Judging, name: str, item: Item) -> Line:
    judge = _JUDGES.get(name)
    if judge is None:
        return checklists.unjudged(name, item)
    found = judge(judging)
    return Line(name, item.title, JUDGED, found.ok, found.detail, "" if found.ok else found.fix)


def precheck(deps: Deps, window_id: str, who: Principal) -> Report:
    """The window's readiness: every item of the `precheck` checklist."""
    require_writer(who, "running a precheck")
    with deps.db.read() as session:
        window = require(session, window_id)
        found = judge_list(deps, session, window, PRECHECK)
    contacts = contacts_for(deps.config.contacts, window.spec.systems)
    return Report(window.id, [_with_contacts(x, contacts) for x in found], contacts)


def contacts_for(contacts: tuple[Contact, ...], systems: list[str]) -> tuple[Contact, ...]:
    """The contacts that answer for every system, or for one of the window's."""
    return tuple(c for c in contacts if not c.systems or set(c.systems) & set(systems))


def _with_contacts(line: Line, contacts: tuple[Contact, ...]) -> Line:
    """Who to brief, named in the fix of the on-call item while it is missing."""
    if line.ok or line.name != ONCALL or not contacts:
        return line
    named = ", ".join(f"{c.duty} {c.contact}" for c in contacts)
    return replace(line, fix=f"brief {named}; then {line.fix}")


@dataclass(frozen=True)
class Acked:
    window: str
    item: str
    account: str
    acknowledged: bool
    changed: bool
    at: datetime


def ack(
    deps: Deps, session: Session, window_id: str, name: str, who: Principal, undo: bool = False
) -> Acked:
    """`who` acknowledges (or withdraws) an attested item, as themself; judged items refuse."""
    window = require(session, window_id)
    name = name.strip().lower()
    found = checklists.find(deps.config.policy.checklists, name)
    if found is None:
        raise RuleViolation([checklists.unknown(deps.config.policy.checklists, name)])
    item = found[1]
    if item.kind != ATTESTED:
        raise RuleViolation(
            [
                Problem(
                    "item",
                    "judged-item",
                    f"{name} is judged from the records, never acknowledged",
                    f"maintctl precheck {window.id} says what it is missing",
                )
            ]
        )
    _may_ack(who, window, name, item)
    if found[0] in deps.config.policy.checklist_due:
        _may_ack_after(window, name)
    elif window.status in _CLOSED:
        raise StateError(
            [Problem("status", "state", f"{window.id} is {window.status.value}", "nothing to ack")]
        )
    now = deps.clock()
    mine = any(a.item == name and a.account == who.name for a in acks.standing(session, window.id))
    changed = mine if undo else not mine
    if undo and not mine:
        raise RuleViolation(
            [Problem("item", "not-acknowledged", f"you have not acknowledged {name}", "")]
        )
    if changed and not undo and acks.count(session, window.id) >= bounds.ACKS_PER_WINDOW_MAX:
        # Each ack is a row kept for the record, undone or not: toggling must not grow it forever.
        raise RuleViolation(
            [
                Problem(
                    "item",
                    "too-many",
                    f"{window.id} has {bounds.ACKS_PER_WINDOW_MAX} acknowledgements on record",
                    "no more are kept on this window",
                )
            ]
        )
    if changed:
        if undo:
            acks.withdraw(session, window.id, name, who.name, now)
        else:
            acks.add(session, window.id, name, who.name, now)
        extra = {"item": name, **who.credential}
        action = "ack-undo" if undo else "ack"
        audit.record(session, window, who.name, action, window.status, now, extra=extra)
    return Acked(window.id, name, who.name, not undo, changed, now)


def _may_ack_after(window: Window, name: str) -> None:
    """A post-maintenance item is acknowledged once the window has completed or rolled back."""
    if window.status not in _ENDED:
        raise StateError(
            [
                Problem(
                    "status",
                    "not-ended",
                    f"{window.id} is {window.status.value}: {name} is acknowledged once the "
                    "window has completed or rolled back",
                    f"finish the work first: maintctl complete {window.id}",
                )
            ]
        )


def _may_ack(who: Principal, window: Window, name: str, item: Item) -> None:
    """Each team member for themself; other items: the team, requester, lead or an approver."""
    require_writer(who, f"acknowledging {name}")
    if who.name in window.spec.team:
        return
    if item.each == TEAM:
        raise forbid(
            f"acknowledging {name} on {window.id}",
            f"a member of its team ({', '.join(window.spec.team) or 'none named'})",
            f"each member acks for themself; add someone with window modify {window.id} --team",
        )
    if who.name in (window.requested_by, window.lead) or who.rank:
        return
    raise forbid(
        f"acknowledging {name} on {window.id}",
        f"a member of its team, its requester ({window.requested_by}), its lead, or team-lead "
        f"or higher (you are {who.role.value})",
    )
