"""What a window's moves set in motion, read back for the operator: "Each step is recorded".

Listeners plan rows and jobs inside each move's transaction (services/events.py); this reads
them back: the status page (built from the window's own moves, so it shows a public window as
soon as the move commits), the window's notices (notifications table) and the jobs its moves
planned (jobs.window_id), each with its state. A failed job is retried by the worker; one that
ran out of tries is `failed`. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from maintctl.domain import public
from maintctl.domain.model import Window
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import notifications

JOBS_SHOWN = 50  # the newest jobs of one window; older ones are in `maintctl jobs`
# What a job kind does, as the operator reads it; other kinds show their own name.
LABELS = {
    "statuspage.sync": "Hosted Statuspage",
    "people.send": "Message",
    "watch.progress": "Progress reminder",
    "watch.overdue": "Overdue alert",
}
# The job table's states as the operator reads them.
_JOB_STATE = {"pending": "queued", "running": "running", "done": "done", "dead": "failed"}
# Notices with these classes are what a move sets off; the timeline's (initial, reminders)
# are shown by `maintctl notify list`.
_MOVE_NOTICES = ("start", "completion", "cancelled", "emergency-start", "emergency-completion")


@dataclass(frozen=True)
class Effect:
    """One thing set in motion: what, its state, and a short detail (a job's last result)."""

    what: str
    state: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"what": self.what, "state": self.state, "detail": self.detail}


def for_window(deps: Deps, session: Session, window: Window) -> list[Effect]:
    """The window's effects: the status page, its move notices, then its jobs by kind."""
    found = []
    if window.published_start is not None:  # scheduled once: the page may show it
        rule = deps.config.policy.types.get(window.spec.type)
        shown = public.is_public(window, rule, deps.config.status_page.show_not_impacting)
        page = ("updated", "") if shown else ("not shown", "not customer-impacting")
        found.append(Effect("Status page", *page))
    for notice in notifications.of_window(session, window.id):
        if notice.kind in _MOVE_NOTICES and notice.due_at is not None:
            what = f"{notice.kind.replace('-', ' ').capitalize()} notice ({notice.audience})"
            found.append(Effect(what, notice.status, notice.channel))
    latest: dict[str, Effect] = {}
    for row in job_store.of_window(session, window.id, JOBS_SHOWN):
        if row.kind in latest:
            continue  # the newest job of a kind tells where that effect stands
        state = _JOB_STATE.get(row.status, row.status)
        if state == "queued" and row.attempts:
            state = "retrying"
        detail = (row.result or "")[:200]
        latest[row.kind] = Effect(LABELS.get(row.kind, row.kind), state, detail)
    return found + sorted(latest.values(), key=lambda e: e.what)


def line(effects: list[Effect]) -> str:
    """One line for a terminal: "Status page: updated; Start notice (customers): queued"."""
    return "; ".join(f"{e.what}: {e.state}" for e in effects)
