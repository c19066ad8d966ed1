"""Messages for one person alone: your signature is waiting, approved, rejected, reminders.

They go to the account's email (through the config's `people.email` SMTP server) and to its
own Apprise URL where one is set, each as a `people.send` job in the one job table, planned in
the move's transaction and keyed so that a repeat sends nothing twice. The payload names the
account and the window, never an address or URL: the URL is a secret, read from the account at
send time, and the message is rendered then. A signature request whose level was signed
meanwhile (the worker was down) is dropped, not sent late.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import approvals
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import APPROVER_RANK, Principal, Role
from maintctl.services import events, jobs
from maintctl.services.deps import Deps
from maintctl.services.render import Notice, render_notice
from maintctl.store import accounts, windows
from maintctl.store import jobs as job_store

log = logging.getLogger(__name__)

SEND_KIND = "people.send"
PERSON = "person"  # the audience a notice for one person names, for the renderer
SIGNATURE_WAITING = "signature-waiting"
APPROVED = "approved"
REJECTED = "rejected"
PROGRESS_REMINDER = "progress-reminder"
EMAIL, APPRISE = "email", "apprise"


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """Plan the messages a move means for people: signers waiting, the requester's verdict."""
    window = event.window
    tag = f"v{window.version}"
    if event.name in (events.SUBMITTED, events.SIGNED, events.UNSCHEDULED):
        level = approvals.next_level(_chain(deps, window), window.signatures)
        if window.status == Status.PENDING_APPROVAL and level is not None:
            for name in signers(deps, session, window):
                # As people count them: level 1 is the first.
                plan(deps, session, window, SIGNATURE_WAITING, name, tag, {"level": level + 1})
    elif event.name == events.SCHEDULED:
        # Approved: the last signature of a chain (a submit with no chain approves nothing).
        if event.before is not None and event.before.status == Status.PENDING_APPROVAL:
            plan(deps, session, window, APPROVED, window.requested_by, tag)
    elif event.name == events.REJECTED:
        reason = {"reason": event.reason}
        plan(deps, session, window, REJECTED, window.requested_by, tag, reason)


def _chain(deps: Deps, window: Window) -> list[str]:
    from maintctl.services.workflow import chain  # workflow announces to us: import when used

    return chain(deps, window)


def _still_waits(deps: Deps, window: Window, who: Principal, level: object) -> bool:
    """Whether `who` may sign the window's level `level` (from 1) now: a late send must not
    ask for a signature already given."""
    levels = _chain(deps, window)
    waiting = approvals.next_level(levels, window.signatures)
    if window.status != Status.PENDING_APPROVAL or waiting is None or level != waiting + 1:
        return False
    return approvals.waiting_for(levels, window.signatures, who, window.requested_by)


def signers(deps: Deps, session: Session, window: Window) -> list[str]:
    """The enabled accounts that may sign the window's next level now (domain/approvals.py)."""
    levels = _chain(deps, window)
    level = approvals.next_level(levels, window.signatures)
    if level is None:
        return []
    needed = APPROVER_RANK[Role(levels[level])]
    roles = [role.value for role, rank in APPROVER_RANK.items() if rank >= needed]
    return [
        row.name
        for row in accounts.enabled_with_roles(session, roles)
        if approvals.waiting_for(
            levels, window.signatures, Principal(row.name, Role(row.role)), window.requested_by
        )
    ]


def plan(
    deps: Deps,
    session: Session,
    window: Window,
    kind: str,
    name: str,
    tag: str,
    extra: dict[str, Any] | None = None,
) -> int:
    """Plan one message for the account `name` in `session`; how many sends were planned.

    `tag` tells this occasion from others of the same kind (the window's version, a silence),
    so a repeat of the same occasion plans nothing.
    """
    row = accounts.user(session, name)
    if row is None or row.disabled:
        log.info("%s for %s: no enabled account %s, not sent", kind, window.id, name)
        return 0
    ways = [EMAIL] if row.email and deps.config.people.email else []
    ways += [APPRISE] if row.apprise_url else []
    if not ways:
        log.info(
            "%s for %s: %s has no email or Apprise URL to reach, skipped", kind, window.id, name
        )
        return 0
    now = deps.clock()
    planned = 0
    for way in ways:
        key = f"people:{window.id}:{tag}:{kind}:{name}:{way}"
        payload: dict[str, Any] = {"account": name, "via": way, "window": window.id}
        payload.update(kind=kind, extra=extra or {})
        planned += job_store.enqueue(session, SEND_KIND, payload, now, key, now, deps.config.hash)
    return planned


def send_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Send a planned message to the account it names, by the way it names; no secret out."""
    from maintctl.channels.base import Message, TransportError, transport_for
    from maintctl.config import Channel, Email

    name, way, kind = payload.get("account"), payload.get("via"), payload.get("kind")
    window_id, extra = payload.get("window"), payload.get("extra")
    if (
        not isinstance(name, str)
        or way not in (EMAIL, APPRISE)
        or not isinstance(kind, str)
        or not isinstance(window_id, str)
        or not isinstance(extra, dict)
    ):
        raise jobs.JobError("the payload is malformed", permanent=True)
    with deps.db.read() as session:
        row = accounts.user(session, name)
        found = None if row is None or row.disabled else (row.email, row.apprise_url, row.role)
        window = windows.get(session, window_id)
    if found is None or window is None:
        return f"skipped: no enabled account {name} or no window {window_id}"
    email, url, role = found
    who = Principal(name, Role(role))
    if kind == SIGNATURE_WAITING and not _still_waits(deps, window, who, extra.get("level")):
        return f"skipped: {window.id} no longer waits for {name}'s signature"
    if way == EMAIL:
        people = deps.config.people.email
        if not email:
            return f"skipped: {name} has no email now"
        if people is None:
            raise jobs.JobError("the config has no people.email to send through", permanent=True)
        mail = Email.model_validate({**people.model_dump(by_alias=True), "to": [email]})
        channel = Channel(name="people", audience=PERSON, email=mail)
    else:
        if not url:
            return f"skipped: {name} has no Apprise URL now"
        channel = Channel(name="people", audience=PERSON, url=url)
    # Rendered when sent, so the words are the window's as it is now, and the payload stays small.
    rendered = render_notice(deps, Notice(window, kind, PERSON, extra={"account": name, **extra}))
    message = Message(
        rendered.subject, rendered.text, rendered.html, kind, {"id": window.id}, jobs.current_key()
    )
    try:
        transport_for(channel, deps.config).send(message)
    except TransportError as exc:
        raise jobs.JobError(str(exc), permanent=exc.permanent) from None
    return f"sent to {name} by {way}"


jobs.register(SEND_KIND, send_job)
