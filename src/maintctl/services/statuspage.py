"""Hosted Statuspage sync: the events listener and the `statuspage.sync` job kind.

Every move of a public window plans one `statuspage.sync` job per Statuspage channel. A job does
not replay its event: it brings the hosted maintenance to the window's *current* public state
(domain/public.py: title, message, shown times, components), then posts the `--public` progress
updates not posted yet. So jobs may run in any order, and a repeat changes nothing.

A create is never made twice: `create_sent` is committed before the POST, and a sync that finds
it set without an incident id (a worker killed between the POST and its record) looks the
incident up by its metadata before creating one. A called-off window (cancelled or aborted) is
*completed* with a body saying it was cancelled, not deleted: Statuspage has no cancelled state,
and a delete would erase a maintenance its subscribers were already told of, where our own page
keeps it, marked cancelled (DESIGN.md, "Public and private").
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from maintctl.config import Channel, Config
from maintctl.domain import public
from maintctl.domain.model import Status, Window
from maintctl.domain.policy import MaintenanceType
from maintctl.domain.times import format_instant
from maintctl.services import events, jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import statuspage as store
from maintctl.store import updates
from maintctl.store import windows as window_store

if TYPE_CHECKING:
    from maintctl.channels.statuspage import Client

KIND = "statuspage.sync"
LEASE = timedelta(minutes=2)
UPDATES_PER_JOB = 20  # progress updates posted by one job (one a second); the rest by the next
NAME_MAX = 255  # Statuspage: "a maximum limit of 255 characters"
BODY_MAX = 25_000  # Statuspage: "a maximum limit of 25000 characters"

# The window's status as a Statuspage maintenance's (scheduled, in_progress, verifying, completed).
STATUS = {
    Status.PENDING_APPROVAL: "scheduled",  # public with its last approved times
    Status.SCHEDULED: "scheduled",
    Status.IN_PROGRESS: "in_progress",
    Status.VERIFYING: "verifying",
    Status.COMPLETED: "completed",
    Status.ROLLED_BACK: "completed",
    Status.CLOSED: "completed",
    Status.CANCELLED: "completed",
}
SAYS = {
    "scheduled": "This maintenance is scheduled.",
    "in_progress": "This maintenance is in progress.",
    "verifying": "The work is done; we are verifying that everything works as expected.",
    "completed": "This maintenance is complete.",
}
CANCELLED = "This maintenance has been cancelled."
ACTIONS = {
    events.SCHEDULED: "schedule",
    events.CHANGED: "change",
    events.STARTED: "start",
    events.PROGRESSED: "progress",
    events.COMPLETED: "complete",
    events.CANCELLED: "cancel",
    events.ABORTED: "abort",
}
_SENT = ("name", "status", "scheduled_for", "scheduled_until", "component_ids")


def wanted(
    window: Window, rule: MaintenanceType | None, config: Config, channel: Channel
) -> dict[str, Any] | None:
    """The window's public state as this channel shows it, or None when it shows nothing."""
    assert channel.statuspage is not None
    if window.status not in STATUS:
        return None
    if not public.is_public(window, rule, config.status_page.show_not_impacting):
        return None
    touched = public.components_of(config.components, window.spec.systems)
    if channel.components and not {c.id for c in touched} & set(channel.components):
        return None
    hosted = channel.statuspage.components
    start, end = public.shown_times(window)
    return {
        "name": public.title(window)[:NAME_MAX],
        "status": STATUS[window.status],
        "scheduled_for": format_instant(start),
        "scheduled_until": format_instant(end),
        "component_ids": [hosted[c.id] for c in touched if c.id in hosted],
        "message": public.message(window, rule)[:BODY_MAX],
        "cancelled": window.status == Status.CANCELLED,
    }


def creation(state: dict[str, Any], window_id: str, config: Config) -> dict[str, Any]:
    """The `incident` of a create: the state, the message as its first update, our metadata."""
    body = CANCELLED if state["cancelled"] else state["message"]
    return {
        **{k: state[k] for k in _SENT},
        "body": body,
        # Found again by this after a crash; top-level metadata values must be objects.
        "metadata": {"maintctl": {"window": window_id}},
        "scheduled_remind_prior": True,
        # Only people move a window: Statuspage may show it in progress at its start (the
        # status_page.auto_in_progress flag), never complete it on its own.
        "scheduled_auto_in_progress": config.status_page.auto_in_progress,
        "scheduled_auto_completed": False,
        "auto_transition_to_maintenance_state": True,
        "auto_transition_to_operational_state": True,
    }


def change(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The `incident` of a PATCH from what was synced to what is wanted ({} when in step)."""
    patch = {k: new[k] for k in _SENT if old.get(k) != new[k]}
    says = []
    if old.get("status") != new["status"] or old.get("cancelled") != new["cancelled"]:
        says.append(CANCELLED if new["cancelled"] else SAYS[new["status"]])
    moved = any(old.get(k) != new[k] for k in ("scheduled_for", "scheduled_until"))
    if moved and not new["cancelled"]:
        when = f"{new['scheduled_for']} - {new['scheduled_until']}"
        says.append(f"Rescheduled: now {when.replace('T', ' ').replace('Z', '')} UTC.")
    if old.get("message") != new["message"] and new["status"] != "completed":
        says.append(new["message"])
    if says:
        patch["body"] = "\n\n".join(says)[:BODY_MAX]
    return patch


def known(incident: dict[str, Any]) -> dict[str, Any]:
    """What a hosted incident shows, in the terms of `wanted` (for one found after a crash)."""
    shown: dict[str, Any] = {k: incident.get(k) for k in ("name", "status")}
    for k in ("scheduled_for", "scheduled_until"):
        try:
            shown[k] = format_instant(datetime.fromisoformat(str(incident.get(k))))
        except ValueError:
            shown[k] = None
    parts = incident.get("components") or []
    shown["component_ids"] = [c.get("id") for c in parts if isinstance(c, dict)]
    posted = incident.get("incident_updates") or []
    # Newest first: the oldest is the create's body, the message (never made cancelled).
    shown["message"] = posted[-1].get("body") if posted and isinstance(posted[-1], dict) else None
    shown["cancelled"] = False
    return shown


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """Plan a sync per Statuspage channel that shows this window (in the move's transaction)."""
    action = ACTIONS.get(event.name)
    if action is None or (action == "progress" and not (event.update and event.update.public)):
        return
    window = event.window
    rule = deps.config.policy.types.get(window.spec.type)
    now = deps.clock()
    for channel in deps.config.channels:
        if channel.statuspage is None or wanted(window, rule, deps.config, channel) is None:
            continue
        payload = {"channel": channel.name, "window": window.id, "action": action}
        # Each move is its own job: a later move's sync must run even when an earlier one ran.
        key = f"statuspage:{channel.name}:{window.id}:{action}:{uuid.uuid4().hex}"
        job_store.enqueue(session, KIND, payload, now, key, now, deps.config.hash)


def sync_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Bring one window's hosted maintenance to its current public state; what was done."""
    from maintctl.channels.base import TransportError

    name, window_id = payload.get("channel"), payload.get("window")
    channel = deps.config.channel(name) if isinstance(name, str) else None
    if channel is None or channel.statuspage is None:
        raise jobs.JobError(f"no Statuspage channel named {name!r} in the config", permanent=True)
    if not isinstance(window_id, str):
        raise jobs.JobError("the payload names no window", permanent=True)
    holder = uuid.uuid4().hex
    try:
        return _sync(deps, channel, window_id, holder)
    except TransportError as exc:
        raise jobs.JobError(str(exc), permanent=exc.permanent) from None
    finally:
        with deps.db.write() as session:
            store.release(session, channel.name, window_id, holder)


def _sync(deps: Deps, channel: Channel, window_id: str, holder: str) -> str:
    from maintctl.channels.statuspage import Client

    with deps.db.write() as session:
        window = window_store.get(session, window_id)
        if window is None:
            return "the window is gone"
        held = store.hold(session, channel.name, window_id, holder, deps.clock(), LEASE)
    if held is None:
        raise jobs.JobError(f"another sync of {window_id} on {channel.name} is running")
    state = wanted(window, deps.config.policy.types.get(window.spec.type), deps.config, channel)
    client = Client(channel, deps.config)
    done: list[str] = []
    incident_id = held.incident_id
    synced = held.fields
    if incident_id is None and held.create_sent:
        found = client.find(window_id)
        if found is not None:
            incident_id, synced = str(found["id"]), known(found)
            _record(deps, channel, window_id, holder, incident_id=incident_id, synced=synced)
            done.append(f"found {incident_id}")
    if incident_id is None:
        if state is None or state["cancelled"]:
            return "nothing to show"
        _record(deps, channel, window_id, holder, create_sent=True)
        incident_id = str(client.create(creation(state, window_id, deps.config))["id"])
        _record(deps, channel, window_id, holder, incident_id=incident_id, synced=state)
        done.append(f"created {incident_id}")
    elif state is not None and (patch := change(synced, state)):
        client.update(incident_id, patch)
        _record(deps, channel, window_id, holder, synced=state)
        done.append(f"updated {incident_id}: {', '.join(sorted(patch))}")
    posted = _post_updates(deps, client, channel, window_id, holder, incident_id, held.last_update)
    if posted:
        done.append(f"{posted} progress update(s) posted")
    return "; ".join(done) or "up to date"


def _post_updates(
    deps: Deps,
    client: Client,
    channel: Channel,
    window_id: str,
    holder: str,
    incident_id: str,
    after: int,
) -> int:
    """Post the window's public progress updates newer than `after`, oldest first."""
    with deps.db.read() as session:
        found = updates.page(session, window_id, after, UPDATES_PER_JOB)
    posted = 0
    for update_id, update in found:
        if update.public:
            client.update(incident_id, {"body": update.public[:BODY_MAX]})
            posted += 1
        _record(deps, channel, window_id, holder, last_update=update_id)
    return posted


def _record(deps: Deps, channel: Channel, window_id: str, holder: str, **values: Any) -> None:
    now = deps.clock()
    with deps.db.write() as session:
        store.record(
            session, channel.name, window_id, holder, now, held_until=now + LEASE, **values
        )


jobs.register(KIND, sync_job)
