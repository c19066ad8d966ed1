"""The worker's timers during a window: the no-update reminder and the overdue alert.

Both are jobs planned when a window starts or is updated, due at a stored time (DESIGN.md: never
an in-memory timer). When one runs it reads the window again and does nothing unless the window
is still in progress and the time has really come; it never moves a window, only people do.

- `watch.progress`: no update for `policy.execution.progress_reminder` reminds the window's lead
  (the account that started it, or `--lead`), once per silence: each update plans a new one,
  and an older one finds the update and stays quiet.
- `watch.overdue`: a window still in progress `overdue_grace` past its end alerts the audiences
  hearing `overdue` once, through their automated channels.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.config import Channel
from maintctl.domain import public
from maintctl.domain.model import Status, Window
from maintctl.services import events, jobs, people
from maintctl.services.deps import Deps
from maintctl.services.notify import SEND_KIND
from maintctl.services.render import Notice, render_notice
from maintctl.store import jobs as job_store
from maintctl.store import updates
from maintctl.store import windows as window_store

log = logging.getLogger(__name__)

PROGRESS_KIND = "watch.progress"
OVERDUE_KIND = "watch.overdue"
OVERDUE = "overdue"


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """Arm the reminder at a start and at each update; arm the overdue alert at the start."""
    window = event.window
    if event.name == events.STARTED and window.actual_start is not None:
        _arm_reminder(deps, session, window, window.actual_start)
        _arm_overdue(deps, session, window)
    elif event.name == events.PROGRESSED and event.update is not None:
        _arm_reminder(deps, session, window, event.update.at)


def _enqueue(
    deps: Deps, session: Session, kind: str, payload: dict[str, Any], due: datetime, key: str
) -> None:
    job_store.enqueue(session, kind, payload, due, key, deps.clock(), deps.config.hash)


def _arm_reminder(deps: Deps, session: Session, window: Window, since: datetime) -> None:
    # The number of updates so far tells this silence from the next: any later update ends it.
    seen = updates.count(session, window.id)
    due = since + deps.config.policy.execution.progress_reminder
    payload = {"window": window.id, "updates": seen}
    _enqueue(deps, session, PROGRESS_KIND, payload, due, f"watch.progress:{window.id}:{seen}")


def _arm_overdue(deps: Deps, session: Session, window: Window) -> None:
    due = window.spec.end + deps.config.policy.execution.overdue_grace
    end = window.spec.end.strftime("%Y%m%dT%H%M%SZ")
    _enqueue(
        deps, session, OVERDUE_KIND, {"window": window.id}, due, f"watch.overdue:{window.id}:{end}"
    )


def _running(session: Session, payload: dict[str, Any]) -> Window | str:
    """The window a timer watches while it is in progress, else why the timer stays quiet."""
    window_id = payload.get("window")
    if not isinstance(window_id, str):
        raise jobs.JobError("the payload names no window", permanent=True)
    window = window_store.get(session, window_id)
    if window is None:
        return f"{window_id} no longer exists"
    if window.status != Status.IN_PROGRESS:
        return f"{window.id} is {window.status.value}: nothing to do"
    return window


def progress_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Remind the lead of a silent window in progress, unless an update came since."""
    with deps.db.write() as session:
        window = _running(session, payload)
        if isinstance(window, str):
            return window
        if updates.count(session, window.id) != payload.get("updates"):
            return "an update came since: the next reminder is armed"
        lead = window.lead or window.requested_by
        tag = f"u{payload.get('updates')}"
        planned = people.plan(deps, session, window, people.PROGRESS_REMINDER, lead, tag)
    return f"reminded {lead} ({planned} sends)" if planned else f"{lead} cannot be reached"


def overdue_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Alert the audiences hearing `overdue`, once, of a window still in progress past its end."""
    now = deps.clock()
    with deps.db.write() as session:
        window = _running(session, payload)
        if isinstance(window, str):
            return window
        if now < window.spec.end + deps.config.policy.execution.overdue_grace:
            _arm_overdue(deps, session, window)  # its end moved later: watch the new one
            return f"{window.id} now ends at {window.spec.end.isoformat()}: re-armed"
        channels = overdue_channels(deps, window)
        for channel, audience in channels:
            rendered = render_notice(deps, Notice(window, OVERDUE, audience, channel))
            message = {
                "subject": rendered.subject,
                "text": rendered.text,
                "html": rendered.html,
                "event": OVERDUE,
                "window": {"id": window.id},
            }
            payload = {"channel": channel.name, "message": message}
            key = f"overdue:{window.id}:{channel.name}"
            _enqueue(deps, session, SEND_KIND, payload, now, key)
    if not channels:
        log.warning("%s is overdue, but no automated channel hears overdue alerts", window.id)
    return f"{window.id} overdue: alerted {len(channels)} channels"


def overdue_channels(deps: Deps, window: Window) -> list[tuple[Channel, str]]:
    """(channel, audience) for each automated channel of an audience hearing `overdue`,
    limited by a channel's `components:` to windows touching them."""
    config = deps.config
    touched = {c.id for c in public.components_of(config.components, window.spec.systems)}
    found = []
    for channel in config.channels:
        audience = config.policy.audiences.get(channel.audience)
        if audience is None or OVERDUE not in audience.notices or channel.manual:
            continue
        kind = {"apprise": "chat"}.get(channel.kind, channel.kind)
        if audience.is_manual(kind):
            continue
        if channel.components and not touched.intersection(channel.components):
            continue
        found.append((channel, channel.audience))
    return found


jobs.register(PROGRESS_KIND, progress_job)
jobs.register(OVERDUE_KIND, overdue_job)
