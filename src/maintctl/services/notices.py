"""The notices of a window: planned from its moves, sent by the worker, drafted for people.

`on_event` (in events.BUILT_IN) turns each move into rows of the notifications table, one per
(notice kind, audience, channel), inside the move's transaction, using domain/timeline.py's
plan/replan/cancel. Each channel is its own stream: what it was sent decides what it is told
next (a rescheduled or cancelled notice goes only where something went before). A timed notice
to an automated channel is a `notice.send` job due at its time; one to a manual channel becomes
a draft when due, and `send` (a person) queues it. The job renders the window as it is when it
runs, so a notice never tells stale times.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.config import Channel
from maintctl.domain import bounds, public, timeline
from maintctl.domain.errors import ConflictError, NotFound, Problem, RuleViolation
from maintctl.domain.model import ProgressUpdate, Status, Window
from maintctl.domain.roles import Principal, require_notice_sender
from maintctl.domain.times import format_instant
from maintctl.services import events, jobs
from maintctl.services.deps import Deps
from maintctl.services.notify import channel_concurrency
from maintctl.store import jobs as job_store
from maintctl.store import notifications as store
from maintctl.store import updates
from maintctl.store import windows as window_store
from maintctl.store.notifications import Notification

log = logging.getLogger(__name__)

SEND_KIND = "notice.send"
# An audience's `manual:` names kinds of channel; a configured channel's transport is one.
_CHANNEL_KIND = {"apprise": "chat", "email": "email", "webhook": "webhook"}
_WAITING = store.WAITING
_SENDABLE = (store.QUEUED, store.FAILED)  # a failed try is retried by the same job


def label(notification_id: int) -> str:
    """The ID people type: N-123."""
    return f"N-{notification_id}"


def parse_label(text: str) -> int:
    """N-123 (or 123) as the row id; anything else is refused."""
    raw = text.strip().upper().removeprefix("N-")
    if raw.isdigit() and 0 < len(raw) <= 10 and 0 < int(raw) < 2**31:
        return int(raw)
    problem = Problem(
        "id", "notification-id", f"{text[:40]!r} is not a notification ID", "e.g. N-12"
    )
    raise RuleViolation([problem])


def job_key(notification_id: int, due_at: datetime, sending: bool = False) -> str:
    """The job's idempotency key (the webhook's Idempotency-Key): the notice and its due time.

    A re-planned notice with a new time is a new job; the old one finds its key stale and ends.
    """
    key = f"notice:{notification_id}:{int(due_at.timestamp())}"
    return key + ":send" if sending else key


# --- planning, inside the move's transaction -------------------------------------------------


def channels_for(deps: Deps, window: Window) -> list[tuple[str, Channel, bool]]:
    """(audience, channel, manual) of every configured channel the window's notices go to.

    A channel listing components hears only of windows touching one of them. The status page
    is not a channel: it is rendered from the windows themselves; nor is a kind that is not a
    message transport (hosted Statuspage sync plans its own jobs from the same events).
    """
    touched = {c.id for c in public.components_of(deps.config.components, window.spec.systems)}
    audiences = deps.config.policy.audiences
    found = []
    for channel in deps.config.channels:
        audience = audiences.get(channel.audience)
        if audience is None or channel.kind not in _CHANNEL_KIND:
            continue
        if channel.components and not touched & set(channel.components):
            continue
        manual = channel.manual or _CHANNEL_KIND[channel.kind] in audience.manual
        found.append((channel.audience, channel, manual))
    return found


ROLLED_BACK_KIND = "rolled-back"


def _hears(deps: Deps, audience: str, notice: timeline.Notice, told: bool) -> bool:
    heard = timeline.audiences_for(deps.config.policy.audiences, notice, [audience] if told else [])
    return audience in heard


def _add(
    deps: Deps,
    session: Session,
    window: Window,
    stream: tuple[str, Channel, bool],
    kind: str,
    due_at: datetime | None,
    update_id: int | None = None,
) -> None:
    """Plan one notice on one stream: a job when timed; a draft at once when manual and due."""
    audience, channel, manual = stream
    now = deps.clock()
    if due_at is None:
        status = store.PLANNED
    elif manual:
        status = store.DRAFT if due_at <= now else store.PLANNED
    else:
        status = store.QUEUED
    nid = store.plan(
        session,
        window.id,
        kind,
        audience,
        channel.name,
        manual=manual,
        due_at=due_at,
        status=status,
        now=now,
        update_id=update_id,
    )
    if nid is not None and due_at is not None and status != store.DRAFT:
        # The channel names the job's lane: sends to one channel are bounded per worker.
        payload = {"notification": nid, "channel": channel.name}
        key = job_key(nid, due_at)
        job_store.enqueue(session, SEND_KIND, payload, due_at, key, now, deps.config.hash)


def _streams(
    deps: Deps, session: Session, window: Window
) -> list[tuple[tuple[str, Channel, bool], list[Notification]]]:
    """Each channel of the window with its rows so far."""
    rows: dict[tuple[str, str], list[Notification]] = defaultdict(list)
    for row in store.of_window(session, window.id):
        rows[(row.audience, row.channel)].append(row)
    return [(s, rows[(s[0], s[1].name)]) for s in channels_for(deps, window)]


def _as_notice(row: Notification) -> timeline.Notice:
    event = row.kind if row.kind in ("start", "completion") else None
    return timeline.Notice(row.kind, row.due_at, event=event)  # type: ignore[arg-type]


def _apply(
    deps: Deps,
    session: Session,
    window: Window,
    stream: tuple[str, Channel, bool],
    rows: list[Notification],
    change: timeline.Replan,
) -> None:
    told = any(r.status == store.SENT for r in rows)
    doomed = {n.kind for n in change.cancel}
    store.move(session, [r.id for r in rows if r.kind in doomed], store.CANCELLED, _WAITING)
    for notice in change.add:
        if _hears(deps, stream[0], notice, told):
            _add(deps, session, window, stream, notice.kind, notice.due_at)


def _full(deps: Deps, session: Session, window: Window) -> bool:
    if store.count(session, window.id) < bounds.NOTICES_PER_WINDOW_MAX:
        return False
    log.warning(
        "window %s has %d notifications; no more are planned",
        window.id,
        bounds.NOTICES_PER_WINDOW_MAX,
    )
    return True


def _scheduled(deps: Deps, session: Session, event: events.Event) -> None:
    window = event.window
    rule = deps.config.policy.types.get(window.spec.type)
    if rule is None:
        return
    now, start, end = deps.clock(), window.spec.start, window.spec.end
    for stream, rows in _streams(deps, session, window):
        if rows:  # scheduled again after a move: re-plan, never re-send
            sent = {r.kind for r in rows if r.status == store.SENT}
            pending = [_as_notice(r) for r in rows if r.status in _WAITING]
            change = timeline.replan(rule.notifications, pending, sent, start, end, now)
        else:
            change = timeline.Replan(add=timeline.plan(rule.notifications, start, end, now))
        _apply(deps, session, window, stream, rows, change)


def _hold(deps: Deps, session: Session, event: events.Event) -> None:
    """Back to approval: nothing more goes out until it is signed again."""
    rows = store.of_window(session, event.window.id)
    store.move(session, [r.id for r in rows if r.status in _WAITING], store.CANCELLED, _WAITING)


def _cancelled(deps: Deps, session: Session, event: events.Event) -> None:
    now = deps.clock()
    for stream, rows in _streams(deps, session, event.window):
        sent = {r.kind for r in rows if r.status == store.SENT}
        pending = [_as_notice(r) for r in rows if r.status in _WAITING]
        _apply(deps, session, event.window, stream, rows, timeline.cancel(pending, sent, now))


def _aborted(deps: Deps, session: Session, event: events.Event) -> None:
    """Called off while in progress: those told of the start hear it, once."""
    now = deps.clock()
    for stream, rows in _streams(deps, session, event.window):
        sent = {r.kind for r in rows if r.status == store.SENT}
        pending = [_as_notice(r) for r in rows if r.status in _WAITING]
        change = timeline.cancel(pending, sent if "start" in sent else (), now)
        _apply(deps, session, event.window, stream, rows, change)


def _event_notice(part: timeline.Event) -> events.Listener:
    """The start or completion notice, due now, to every stream whose audience hears it."""

    def listener(deps: Deps, session: Session, event: events.Event) -> None:
        rule = deps.config.policy.types.get(event.window.spec.type)
        if rule is None or not getattr(rule.notifications, part):
            return
        optional = part in rule.notifications.optional
        notice = timeline.Notice(part, None, event=part, optional=optional)
        for stream in channels_for(deps, event.window):
            if _hears(deps, stream[0], notice, False):
                _add(deps, session, event.window, stream, part, deps.clock())

    return listener


def _rolled_back(deps: Deps, session: Session, event: events.Event) -> None:
    """The rolled-back notice, due now, to those who would hear the completion, instead of it."""
    rows = store.of_window(session, event.window.id)
    waiting = [r.id for r in rows if r.kind == "completion" and r.status in _WAITING]
    store.move(session, waiting, store.CANCELLED, _WAITING)
    rule = deps.config.policy.types.get(event.window.spec.type)
    if rule is None or not rule.notifications.completion:
        return
    optional = "completion" in rule.notifications.optional
    heard_as = timeline.Notice("completion", None, event="completion", optional=optional)
    for stream in channels_for(deps, event.window):
        if _hears(deps, stream[0], heard_as, False):
            _add(deps, session, event.window, stream, ROLLED_BACK_KIND, deps.clock())


def _progressed(deps: Deps, session: Session, event: events.Event) -> None:
    """The runbook's MAINTENANCE UPDATE, to the audiences that hear progress."""
    window = event.window
    found = updates.count(session, window.id)
    last = store.last_update_id(session, window.id)
    notice = timeline.Notice(f"progress-{found}", None)
    for stream in channels_for(deps, window):
        if _hears(deps, stream[0], notice, False):
            _add(deps, session, window, stream, notice.kind, deps.clock(), last)


_ON: dict[str, events.Listener] = {
    events.SCHEDULED: _scheduled,
    events.UNSCHEDULED: _hold,
    events.CANCELLED: _cancelled,
    events.ABORTED: _aborted,
    events.STARTED: _event_notice("start"),
    events.COMPLETED: _event_notice("completion"),
    events.PROGRESSED: _progressed,
    events.ROLLED_BACK: _rolled_back,
}


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """Plan, re-plan or cancel the window's notices for this move (events.BUILT_IN)."""
    listener = _ON.get(event.name)
    if listener is not None and not _full(deps, session, event.window):
        listener(deps, session, event)


# --- sending: the worker's job ---------------------------------------------------------------


def _window_json(window: Window) -> dict[str, Any]:
    """What a webhook body says of the window: its public face, never its description."""
    start, end = public.shown_times(window)
    return {
        "id": window.id,
        "title": public.title(window),
        "status": window.status.value,
        "start": format_instant(start),
        "end": format_instant(end),
    }


def render(deps: Deps, row: Notification, window: Window, update: ProgressUpdate | None) -> Any:
    """The notice as it reads now (services/render.py, the one renderer)."""
    from maintctl.services import lifecycle
    from maintctl.services.render import Notice, render_notice

    extra: dict[str, Any] = {}
    if row.kind in ("completion", ROLLED_BACK_KIND):
        extra["actual_duration"] = lifecycle.actual_duration(window)
    channel = deps.config.channel(row.channel)
    return render_notice(deps, Notice(window, row.kind, row.audience, channel, update, extra))


def _record(deps: Deps, nid: int, ok: bool, result: str) -> None:
    """Log a try; `failed` says the last try failed (the job retries unless that was final)."""
    now = deps.clock()
    with deps.db.write() as session:
        store.attempt(session, nid, now, ok, result)
        if ok:
            store.move(session, nid, store.SENT, _SENDABLE, sent_at=now)
        else:
            store.move(session, nid, store.FAILED, _SENDABLE)


def send_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Send one notification, or make a manual one a draft; a stale job ends doing nothing."""
    from maintctl.channels.base import Message, TransportError, transport_for

    nid = payload.get("notification")
    if not isinstance(nid, int):
        raise jobs.JobError("the payload names no notification", permanent=True)
    key = jobs.current_key()
    with deps.db.write() as session:
        row = store.get(session, nid)
        window = window_store.get(session, row.window) if row else None
        if row is None or window is None:
            return "no such notification"
        if row.due_at is None or row.status not in (store.PLANNED, *_SENDABLE):
            return f"nothing to do: {row.status}"
        if row.status == store.PLANNED:  # a manual notice falls due: a person sends it
            if row.manual and key == job_key(nid, row.due_at):
                store.move(session, nid, store.DRAFT, (store.PLANNED,))
                return f"{label(nid)} is a draft for a person to send"
            return "superseded"
        if key != job_key(nid, row.due_at, sending=row.manual):
            return "superseded"  # re-planned since: the job of its new time sends it
        if window.status == Status.CANCELLED and timeline.notice_class(row.kind) != "cancelled":
            store.move(session, nid, store.CANCELLED, _SENDABLE)
            return "the window was cancelled"
        update = store.progress_update(session, row.update_id) if row.update_id else None
    channel = deps.config.channel(row.channel)
    if channel is None:
        why = f"no channel named {row.channel} in the config"
        _record(deps, nid, False, why)
        raise jobs.JobError(why, permanent=True)
    from maintctl.services.render import TemplateFailure

    try:
        rendered = render(deps, row, window, update)
    except TemplateFailure as exc:  # a broken template stays broken: no retry, the file named
        _record(deps, nid, False, str(exc))
        raise
    except Exception as exc:  # anything else while rendering: logged, retried, never half-sent
        log.exception("%s (%s) could not be rendered", label(nid), row.kind)
        why = f"could not render the {row.kind} notice ({type(exc).__name__})"
        _record(deps, nid, False, why)
        raise jobs.JobError(why) from None
    message = Message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        event=row.kind,
        window=_window_json(window),
        idempotency_key=key,
    )
    try:
        transport_for(channel, deps.config).send(message)
    except TransportError as exc:
        _record(deps, nid, False, str(exc))
        raise jobs.JobError(str(exc), permanent=exc.permanent) from None
    _record(deps, nid, True, f"sent to {channel.name}")
    return f"{label(nid)} sent to {channel.name}"


jobs.register(SEND_KIND, send_job, jobs.Lane("channel", channel_concurrency))


# --- what people do: list, preview, send a draft, read the log --------------------------------


def require(session: Session, notification_id: int) -> Notification:
    found = store.get(session, notification_id)
    if found is None:
        fix = "list them with maintctl notify pending or maintctl notify log WINDOW"
        problem = Problem(
            "id", "not-found", f"there is no notification {label(notification_id)}", fix
        )
        raise NotFound([problem])
    return found


def _status(status: str | None) -> tuple[str, ...]:
    if status is None:
        return _WAITING
    if status in store.STATUSES:
        return (status,)
    problem = Problem(
        "status",
        "unknown-status",
        f"{status[:40]!r} is not a notification status",
        f"use one of {', '.join(store.STATUSES)}",
    )
    raise RuleViolation([problem])


def pending(
    session: Session, status: str | None, after: tuple[datetime, int] | None, limit: int
) -> list[Notification]:
    """Notifications by due time: those still to go (planned, queued, drafts) by default."""
    return store.due_page(session, _status(status), after, limit)


def preview(deps: Deps, session: Session, notification_id: int) -> tuple[Notification, Any]:
    """A notification and its text as it would go now."""
    row = require(session, notification_id)
    window = window_store.get(session, row.window)
    if window is None:
        raise NotFound([Problem("window", "not-found", f"there is no window {row.window}", "")])
    update = store.progress_update(session, row.update_id) if row.update_id else None
    return row, render(deps, row, window, update)


def send(deps: Deps, session: Session, notification_id: int, who: Principal) -> Notification:
    """A person sends a manual draft: queued as a job now, so it goes durably and is retried.

    The job table rather than an inline send: the request never waits on a slow mail server,
    a crash loses nothing, two people pressing send at once queue it once, and the attempt is
    recorded like every other.
    """
    row = require(session, notification_id)
    window = window_store.get(session, row.window)
    owner = window.requested_by if window else ""
    require_notice_sender(who, owner, f"sending {label(row.id)}")
    name = label(row.id)
    if not row.manual:
        fix = "the worker sends it at its time; maintctl notify log shows how it went"
        raise RuleViolation(
            [Problem("id", "not-manual", f"{name} goes to an automated channel", fix)]
        )
    if row.status not in (store.DRAFT, store.FAILED):
        due = format_instant(row.due_at) if row.due_at else "its event"
        why = {store.PLANNED: f"is not due until {due}", store.QUEUED: "is being sent"}
        message = why.get(row.status, f"is {row.status}")
        raise ConflictError([Problem("id", "not-a-draft", f"{name} {message}", "send a draft")])
    now = deps.clock()
    moved = store.move(
        session, row.id, store.QUEUED, (store.DRAFT, store.FAILED), due_at=now, sent_by=who.name
    )
    if moved != 1:
        raise ConflictError([Problem("id", "not-a-draft", f"{name} was just sent", "")])
    key = job_key(row.id, now, sending=True)
    payload = {"notification": row.id, "channel": row.channel}
    job_store.enqueue(session, SEND_KIND, payload, now, key, now, deps.config.hash)
    return require(session, row.id)


def window_log(
    session: Session, window_id: str, after: int | None, limit: int
) -> tuple[str, list[tuple[Notification, list[store.Attempt]]]]:
    """A page of a window's notifications with their attempts, oldest first."""
    from maintctl.services.windows import require as require_window

    window = require_window(session, window_id)
    rows = store.window_page(session, window.id, after, limit)
    tries = store.attempts(session, [r.id for r in rows])
    return window.id, [(r, tries.get(r.id, [])) for r in rows]
