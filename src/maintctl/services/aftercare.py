"""Post-maintenance checklists (`maintctl checklist`): the runbook's lists after the work.

A post list is a policy checklist with a deadline in `policy.checklist_due`, counted from the
window's completion (its actual end). Its judged items are ticked here from maintctl's own
records (the window's validation, the status page, the completion notices, `close`); the
attested ones by `maintctl ack` once the window has completed or rolled back. At each list's
deadline a job (planned when the window completes or rolls back) reminds the window's lead once
of what is still missing, through the people messages; nothing is sent when the list is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain.checklists import Line
from maintctl.domain.errors import Problem, StateError
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import events, jobs, people
from maintctl.services.deps import Deps
from maintctl.services.precheck import Finding, Judging, judge_list, register_judge
from maintctl.services.windows import require
from maintctl.store import acks, aftercare, notifications
from maintctl.store import jobs as job_store
from maintctl.store import windows as window_store
from maintctl.store.acks import Ack

OVERDUE_KIND = "aftercare.overdue"
CHECKLIST_OVERDUE = "checklist-overdue"  # the people message (templates/notices/)
# A window that ran: its work ended (verifying or later) and it was not called off.
_RAN = (Status.VERIFYING, Status.COMPLETED, Status.ROLLED_BACK, Status.CLOSED)
_ENDED = (Status.COMPLETED, Status.ROLLED_BACK, Status.CLOSED)
_NAMED = 10  # missing items named in one reminder; the rest counted


@dataclass(frozen=True)
class Entry:
    """One item's verdict and the acknowledgements standing on it (who and when)."""

    line: Line
    acks: tuple[Ack, ...] = ()


@dataclass(frozen=True)
class PostList:
    name: str
    due: datetime
    entries: tuple[Entry, ...]

    @property
    def done(self) -> bool:
        return all(e.line.ok for e in self.entries)

    def overdue(self, now: datetime) -> bool:
        return not self.done and now >= self.due


@dataclass(frozen=True)
class Report:
    window: str
    status: str
    completed_at: datetime
    now: datetime
    lists: tuple[PostList, ...]


def post_lists(deps: Deps) -> list[tuple[str, timedelta]]:
    """The post lists the policy declares, with their deadlines after completion."""
    policy = deps.config.policy
    return [(n, due) for n, due in policy.checklist_due.items() if n in policy.checklists]


def checklists(deps: Deps, window_id: str, who: Principal) -> Report:
    """Every post list of a window that ran, each item with its state, who and when."""
    del who  # any account may read a window's records (DESIGN.md, "Who may do what")
    with deps.db.read() as session:
        window = require(session, window_id)
        ended = _ran(window)
        standing = acks.standing(session, window.id)
        found = []
        for name, due in post_lists(deps):
            entries = tuple(
                Entry(line, tuple(a for a in standing if a.item == line.name))
                for line in judge_list(deps, session, window, name)
            )
            found.append(PostList(name, ended + due, entries))
    return Report(window.id, window.status.value, ended, deps.clock(), tuple(found))


def _ran(window: Window) -> datetime:
    """When the window's work ended; a window that never ran has no post-maintenance lists."""
    if window.status in _RAN and window.actual_end is not None:
        return window.actual_end
    raise StateError(
        [
            Problem(
                "id",
                "never-ran",
                f"{window.id} is {window.status.value}: it never ran, so it has no "
                "post-maintenance checklist",
                f"the lists start when the work completes: maintctl complete {window.id}",
            )
        ]
    )


# --- the judges ------------------------------------------------------------------------------


def validation_passed(j: Judging) -> Finding:
    """The window's newest check or compare run since its work began passed."""
    w = j.window
    if not j.deps.config.checks:
        return Finding(
            False,
            "not judged: no checks are configured",
            "add checks: to the config file (docs/checks.md), or drop this item from the policy",
        )
    if w.actual_start is None:
        return Finding(False, "the window never started", "")
    run = aftercare.last_run_since(j.session, w.id, w.actual_start)
    if run is None:
        return Finding(
            False, "no validation run since the work began", f"maintctl validate --window {w.id}"
        )
    if run.status == "passed":
        return Finding(True, f"V-{run.id} passed")
    failed = aftercare.failing(j.session, run.id, 5)
    named = f": {', '.join(failed)}" if failed else ""
    return Finding(
        False,
        f"V-{run.id} {run.status}{named}",
        f"fix what failed, then maintctl validate --window {w.id}",
    )


def status_page_operational(j: Judging) -> Finding:
    """The status page (and each hosted Statuspage) shows the window completed."""
    from maintctl.services.judges import status_page

    if j.window.status not in _ENDED:
        return Finding(False, f"it shows the window {j.window.status.value}", "")
    found = status_page(j)
    if not found.ok:
        return found
    return Finding(True, f"shows it completed ({found.detail})")


def completion_notices_sent(j: Judging) -> Finding:
    """Every completion notice planned for the window was sent."""
    over = (notifications.SKIPPED, notifications.CANCELLED)
    rows = [
        r
        for r in notifications.of_window(j.session, j.window.id)
        if r.kind == "completion" and r.status not in over
    ]
    if not rows:
        return Finding(True, "none planned")
    unsent = [r for r in rows if r.status != notifications.SENT]
    counted = f"{len(rows) - len(unsent)}/{len(rows)} sent"
    if not unsent:
        return Finding(True, counted)
    named = ", ".join(f"to {r.audience} by {r.channel} ({r.status})" for r in unsent[:5])
    return Finding(False, f"{counted}; missing {named}", f"see maintctl notify log {j.window.id}")


def ticket_closed(j: Judging) -> Finding:
    """Settled by `close` itself: the window is closed."""
    if j.window.status == Status.CLOSED:
        return Finding(True, "closed")
    return Finding(False, f"{j.window.status.value}", f"maintctl close {j.window.id}")


register_judge("post-immediate.validation-passed", validation_passed)
register_judge("post-immediate.status-page-operational", status_page_operational)
register_judge("post-immediate.completion-notices-sent", completion_notices_sent)
register_judge("post-short-term.close-ticket", ticket_closed)


# --- the reminder ----------------------------------------------------------------------------


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """At completion or rollback, plan one reminder at each post list's deadline."""
    window = event.window
    if event.name not in (events.COMPLETED, events.ROLLED_BACK) or window.actual_end is None:
        return
    now = deps.clock()
    for name, due in post_lists(deps):
        payload = {"window": window.id, "list": name}
        key = f"{OVERDUE_KIND}:{window.id}:{name}"
        at = window.actual_end + due
        job_store.enqueue(session, OVERDUE_KIND, payload, at, key, now, deps.config.hash)


def overdue_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Remind the window's lead, once, of what a post list still misses at its deadline."""
    window_id, name = payload.get("window"), payload.get("list")
    if not isinstance(window_id, str) or not isinstance(name, str):
        raise jobs.JobError("the payload names no window and list", permanent=True)
    due = dict(post_lists(deps)).get(name)
    with deps.db.write() as session:
        window = window_store.get(session, window_id)
        if window is None:
            return f"{window_id} no longer exists"
        if window.status not in _ENDED or window.actual_end is None or due is None:
            return f"{window.id} is {window.status.value} ({name}): nothing to remind"
        missing = [x for x in judge_list(deps, session, window, name) if not x.ok]
        if not missing:
            return f"{name} is done: no reminder"
        items = ", ".join(x.name for x in missing[:_NAMED])
        items += f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
        extra = {
            "checklist": name,
            "missing": items,
            "due": format_instant(window.actual_end + due),
        }
        lead = window.lead or window.requested_by
        planned = people.plan(deps, session, window, CHECKLIST_OVERDUE, lead, name, extra)
    return (
        f"reminded {lead} of {len(missing)} items ({planned} sends)"
        if planned
        else (f"{lead} was reminded already or cannot be reached")
    )


jobs.register(OVERDUE_KIND, overdue_job)
