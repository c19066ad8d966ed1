"""The public status page as Statuspage shapes it: pure, from windows, their moves and now.

Statuspage's public API (`/api/v2/*.json`) names maintenances "scheduled maintenances" with
four statuses (scheduled, in_progress, verifying, completed), impact `maintenance`, and a list
of `incident_updates`, newest first. It has no cancelled status: a maintenance called off there
is completed with an update that says so, and that is what a cancelled window shows here.
What is public follows domain/public.py (DESIGN.md "Public and private").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from maintctl.domain import public
from maintctl.domain.model import Status, Window
from maintctl.domain.policy import MaintenanceType
from maintctl.domain.public import Component

SCHEDULED = "scheduled"
IN_PROGRESS = "in_progress"
VERIFYING = "verifying"
COMPLETED = "completed"
ACTIVE = (IN_PROGRESS, VERIFYING)
OPERATIONAL = "operational"
UNDER_MAINTENANCE = "under_maintenance"
TIME_ZONE = "Etc/UTC"
# status.json's indicator and description (Statuspage's top-level status).
MAINTENANCE = ("maintenance", "Service Under Maintenance")
OPERATIONAL_PAGE = ("none", "All Systems Operational")

# The window's statuses as Statuspage's maintenance statuses.
_SHOWN_AS = {
    Status.PENDING_APPROVAL: SCHEDULED,  # public already: a change awaits approval
    Status.SCHEDULED: SCHEDULED,
    Status.IN_PROGRESS: IN_PROGRESS,
    Status.VERIFYING: VERIFYING,
    Status.COMPLETED: COMPLETED,
    Status.ROLLED_BACK: COMPLETED,
    Status.CLOSED: COMPLETED,
    Status.CANCELLED: COMPLETED,
}
# The wording of each move's update, as Statuspage's automatic updates word them.
BODIES = {
    IN_PROGRESS: "Scheduled maintenance is currently in progress. We will provide updates as "
    "necessary.",
    VERIFYING: "Verification is currently underway for the maintenance items.",
    COMPLETED: "The scheduled maintenance has been completed.",
}
_TOLD = (Status.SCHEDULED, Status.IN_PROGRESS, Status.VERIFYING, Status.COMPLETED)
CANCELLED_BODY = "This scheduled maintenance has been cancelled."
ROLLED_BACK_BODY = (
    "The scheduled maintenance has been rolled back; the service is restored to its previous "
    "version."
)
RESCHEDULED_BODY = "This scheduled maintenance has been rescheduled."

# An emergency is an incident (impact major), with Statuspage's incident statuses: investigating
# from its start (the runbook's first word), identified with each public progress update,
# monitoring while it is verified, resolved when it ends however it ends.
INVESTIGATING = "investigating"
IDENTIFIED = "identified"
MONITORING = "monitoring"
RESOLVED = "resolved"
INCIDENT_IMPACT = "major"
MAJOR = ("major", "Partial System Outage")  # status.json while an incident is unresolved
INCIDENT_BODIES = {
    INVESTIGATING: "Emergency maintenance required. Updates to follow.",
    MONITORING: "The emergency maintenance is done and its results are being verified.",
    RESOLVED: "The emergency maintenance has been completed. This incident has been resolved.",
}
CALLED_OFF_BODY = "The emergency maintenance has been called off. This incident has been resolved."
_INCIDENT_STATUS = {
    Status.IN_PROGRESS: INVESTIGATING,
    Status.VERIFYING: MONITORING,
    Status.COMPLETED: RESOLVED,
    Status.ROLLED_BACK: RESOLVED,
    Status.CLOSED: RESOLVED,
    Status.CANCELLED: RESOLVED,
}


@dataclass(frozen=True)
class Move:
    """One change of a window's status, from the audit trail (its id orders it)."""

    id: int
    at: datetime
    from_status: str | None
    to_status: str


@dataclass(frozen=True)
class Note:
    """A progress update posted with a public message (`maintctl progress --public`)."""

    id: int
    at: datetime
    text: str


@dataclass(frozen=True)
class Update:
    """One incident_update: what the public was told, and when."""

    id: str
    status: str
    body: str
    at: datetime


@dataclass(frozen=True)
class Maintenance:
    """One window as the page shows it."""

    id: str
    name: str
    status: str
    cancelled: bool
    scheduled_for: datetime
    scheduled_until: datetime
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    components: tuple[Component, ...]
    updates: tuple[Update, ...]  # newest first

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class Incident:
    """One emergency as the page shows it: a Statuspage incident."""

    id: str
    name: str
    status: str
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    components: tuple[Component, ...]
    updates: tuple[Update, ...]  # newest first

    @property
    def unresolved(self) -> bool:
        return self.status != RESOLVED


@dataclass(frozen=True)
class Page:
    """The page object every response carries."""

    id: str
    name: str
    url: str
    updated_at: datetime


@dataclass(frozen=True)
class ComponentState:
    component: Component
    position: int
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class Document:
    """Everything the page shows at one moment; every list capped at `limit`."""

    page: Page
    indicator: str
    description: str
    components: tuple[ComponentState, ...]
    active: tuple[Maintenance, ...]
    upcoming: tuple[Maintenance, ...]  # soonest first
    called_off: tuple[Maintenance, ...]  # cancelled before their time, soonest first
    history: tuple[Maintenance, ...]  # begun or due by now, most recent first
    limit: int
    every: tuple[Maintenance, ...]  # scheduled-maintenances.json: all three, capped together
    incidents: tuple[Incident, ...] = ()  # the emergencies, newest first (incidents.json)

    @property
    def unresolved(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.unresolved)


def page_id(key: str) -> str:
    """A stable 12-character id, as Statuspage's, from the page's URL or title."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def shown_status(window: Window, now: datetime, auto_in_progress: bool) -> str:
    """The window's Statuspage status; with auto_in_progress a scheduled window is shown in
    progress between its start and end (display only: the window itself has not moved)."""
    shown = _SHOWN_AS.get(window.status, SCHEDULED)
    if shown == SCHEDULED and auto_in_progress and window.status == Status.SCHEDULED:
        start, end = public.shown_times(window)
        if start <= now < end:
            return IN_PROGRESS
    return shown


def _move_updates(window_id: str, moves: Iterable[Move], message: str) -> list[Update]:
    """An update per public change of status: scheduled, started, verifying, done, cancelled."""
    found: list[Update] = []
    last: str | None = None
    for move in sorted(moves, key=lambda m: m.id):
        if move.from_status == move.to_status:
            continue
        if move.to_status == Status.CANCELLED:
            status, body = COMPLETED, CANCELLED_BODY
        elif move.to_status == Status.ROLLED_BACK:
            status, body = COMPLETED, ROLLED_BACK_BODY
        elif move.to_status in _TOLD:
            status = _SHOWN_AS[Status(move.to_status)]
            if status == SCHEDULED:
                body = RESCHEDULED_BODY if any(u.status == SCHEDULED for u in found) else message
            else:
                body = BODIES[status]
        else:
            continue
        if status == last and status != SCHEDULED:
            continue
        found.append(Update(f"{window_id}-m{move.id}", status, body, move.at))
        last = status
    return found


def maintenance(
    window: Window,
    rule: MaintenanceType | None,
    components: Sequence[Component],
    moves: Iterable[Move],
    notes: Iterable[Note],
    now: datetime,
    auto_in_progress: bool = False,
) -> Maintenance:
    """One public window as Statuspage shows a scheduled maintenance."""
    start, end = public.shown_times(window)
    status = shown_status(window, now, auto_in_progress)
    message = public.message(window, rule)
    updates = _move_updates(window.id, moves, message)
    if not any(u.status == SCHEDULED for u in updates):
        # Its scheduling is past the audit trail's retention: its first word is still the message.
        updates.insert(0, Update(f"{window.id}-s", SCHEDULED, message, window.created_at))
    if status == IN_PROGRESS and window.status == Status.SCHEDULED:
        updates.append(Update(f"{window.id}-auto", IN_PROGRESS, BODIES[IN_PROGRESS], start))
    updates += [Update(f"{window.id}-u{n.id}", IN_PROGRESS, n.text, n.at) for n in notes]
    # Newest first; of two at the same instant (complete, then verified), the later move first.
    updates = sorted(updates, key=lambda u: u.at)[::-1]
    ending = [u.at for u in updates if u.status == COMPLETED]
    created = min(u.at for u in updates if u.status == SCHEDULED)
    return Maintenance(
        id=window.id,
        name=public.title(window),
        status=status,
        cancelled=window.status == Status.CANCELLED,
        scheduled_for=start,
        scheduled_until=end,
        created_at=created,
        updated_at=max([window.updated_at, *(u.at for u in updates)]),
        resolved_at=max(ending) if status == COMPLETED and ending else None,
        components=tuple(public.components_of(components, window.spec.systems)),
        updates=tuple(updates),
    )


def incident(
    window: Window, components: Sequence[Component], moves: Iterable[Move], notes: Iterable[Note]
) -> Incident:
    """One public emergency as Statuspage shows an incident."""
    found: list[Update] = []
    for move in sorted(moves, key=lambda m: m.id):
        if move.from_status == move.to_status or move.to_status not in set(Status):
            continue
        shown = _INCIDENT_STATUS.get(Status(move.to_status))
        if shown is None or any(u.status == shown for u in found):
            continue  # each status is told once: the first time the window got there
        body = CALLED_OFF_BODY if move.to_status == Status.CANCELLED else INCIDENT_BODIES[shown]
        found.append(Update(f"{window.id}-m{move.id}", shown, body, move.at))
    begun = window.actual_start or window.published_start or window.created_at
    if not any(u.status == INVESTIGATING for u in found):
        # Its start is past the audit trail's retention: the first word is still the runbook's.
        found.insert(
            0, Update(f"{window.id}-s", INVESTIGATING, INCIDENT_BODIES[INVESTIGATING], begun)
        )
    found += [Update(f"{window.id}-u{n.id}", IDENTIFIED, n.text, n.at) for n in notes]
    # Verified in the same instant it was completed (no quick checks): no monitoring to tell.
    ended = {u.at for u in found if u.status == RESOLVED}
    found = sorted((u for u in found if u.status != MONITORING or u.at not in ended), key=_at)
    status = _INCIDENT_STATUS.get(window.status, INVESTIGATING)
    if status == INVESTIGATING and any(u.status == IDENTIFIED for u in found):
        status = IDENTIFIED
    monitoring = [u.at for u in found if u.status == MONITORING]
    resolved = [u.at for u in found if u.status == RESOLVED]
    return Incident(
        id=window.id,
        name=public.title(window),
        status=status,
        created_at=min(u.at for u in found),
        updated_at=max([window.updated_at, *(u.at for u in found)]),
        monitoring_at=min(monitoring) if monitoring else None,
        resolved_at=max(resolved) if status == RESOLVED and resolved else None,
        components=tuple(public.components_of(components, window.spec.systems)),
        updates=tuple(found[::-1]),
    )


def _at(update: Update) -> datetime:
    return update.at


def document(
    page: Page,
    components: Sequence[Component],
    shown: Iterable[Maintenance],
    limit: int,
    now: datetime,
    incidents: Iterable[Incident] = (),
) -> Document:
    """The page at one moment: component states, the overall status, the three lists, and the
    incidents (emergencies), the unresolved first, then the most recent."""
    told = sorted(
        {i.id: i for i in incidents}.values(), key=lambda i: (i.created_at, i.id), reverse=True
    )
    told = sorted(told, key=lambda i: not i.unresolved)[:limit]
    unique = {m.id: m for m in shown}.values()
    active = sorted((m for m in unique if m.active), key=lambda m: (m.scheduled_for, m.id))
    upcoming = sorted(
        (m for m in unique if m.status == SCHEDULED), key=lambda m: (m.scheduled_for, m.id)
    )
    ended = [m for m in unique if m.status == COMPLETED]
    called_off = sorted(
        (m for m in ended if m.cancelled and m.scheduled_for > now),
        key=lambda m: (m.scheduled_for, m.id),
    )
    history = sorted(
        (m for m in ended if m not in called_off),
        key=lambda m: (m.scheduled_for, m.id),
        reverse=True,
    )
    active, upcoming = active[:limit], upcoming[:limit]
    called_off, history = called_off[:limit], history[:limit]
    states = []
    for position, component in enumerate(components, start=1):
        touched = [m for m in [*active, *history] if component in m.components]
        changed = [_started(m) if m.active else m.resolved_at or m.updated_at for m in touched]
        changed += [i.updated_at for i in told if component in i.components]
        busy = any(component in m.components for m in active) or any(
            component in i.components for i in told if i.unresolved
        )
        states.append(
            ComponentState(
                component,
                position,
                UNDER_MAINTENANCE if busy else OPERATIONAL,
                max(changed, default=page.updated_at),
            )
        )
    # Every list capped together, as scheduled-maintenances.json is: the work in hand first,
    # then the soonest to come (and called off), then the most recent past; newest first.
    every = sorted(
        [*active, *upcoming, *called_off, *history][:limit],
        key=lambda m: (m.scheduled_for, m.id),
        reverse=True,
    )
    updated = max([page.updated_at, *(m.updated_at for m in every), *(i.updated_at for i in told)])
    page = Page(page.id, page.name, page.url, updated)
    # Statuspage blends the components' states; ours are operational or under maintenance, and
    # a page with no components reads operational whatever happens (Statuspage's rule).
    under = any(s.status == UNDER_MAINTENANCE for s in states)
    indicator, description = MAINTENANCE if under else OPERATIONAL_PAGE
    if any(i.unresolved for i in told):
        indicator, description = MAJOR  # an emergency under way outranks maintenance
    return Document(
        page,
        indicator,
        description,
        tuple(states),
        tuple(active),
        tuple(upcoming),
        tuple(called_off),
        tuple(history),
        limit,
        tuple(every),
        tuple(told),
    )


def _started(m: Maintenance) -> datetime:
    return min((u.at for u in m.updates if u.status == IN_PROGRESS), default=m.scheduled_for)


def timestamp(value: datetime | None) -> str | None:
    """An instant as Statuspage writes one for a UTC page: milliseconds and Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def page_json(page: Page) -> dict[str, Any]:
    return {
        "id": page.id,
        "name": page.name,
        "url": page.url,
        "time_zone": TIME_ZONE,
        "updated_at": timestamp(page.updated_at),
    }


def update_json(u: Update, incident_id: str) -> dict[str, Any]:
    """One entry of Statuspage's `incident_updates` (a maintenance's or an incident's)."""
    return {
        "id": u.id,
        "status": u.status,
        "body": u.body,
        "incident_id": incident_id,
        "created_at": timestamp(u.at),
        "updated_at": timestamp(u.at),
        "display_at": timestamp(u.at),
        "affected_components": None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def component_json(page: Page, state: ComponentState) -> dict[str, Any]:
    c = state.component
    at = timestamp(state.updated_at)
    return {
        "id": c.id,
        "name": c.name,
        "status": state.status,
        "created_at": at,
        "updated_at": at,
        "position": state.position,
        "description": c.description or None,
        "showcase": True,
        "start_date": None,
        "group_id": None,
        "page_id": page.id,
        "group": False,
        "only_show_if_degraded": False,
    }


def maintenance_json(doc: Document, m: Maintenance, link: str) -> dict[str, Any]:
    page = doc.page
    return {
        "id": m.id,
        "name": m.name,
        "status": m.status,
        "created_at": timestamp(m.created_at),
        "updated_at": timestamp(m.updated_at),
        "monitoring_at": None,
        "resolved_at": timestamp(m.resolved_at),
        "impact": "maintenance",
        "shortlink": link,
        "page_id": page.id,
        "incident_updates": [update_json(u, m.id) for u in m.updates],
        "components": [component_json(page, _state(doc, m, c)) for c in m.components],
        "scheduled_for": timestamp(m.scheduled_for),
        "scheduled_until": timestamp(m.scheduled_until),
    }


def _state(doc: Document, m: Maintenance, c: Component) -> ComponentState:
    position = next((s.position for s in doc.components if s.component == c), 0)
    status = UNDER_MAINTENANCE if m.active else OPERATIONAL
    return ComponentState(c, position, status, m.updated_at)


def summary_json(doc: Document, links: dict[str, str]) -> dict[str, Any]:
    """/api/v2/summary.json: the page, its status, components, and the maintenances in hand
    and to come (Statuspage's summary leaves the past out)."""
    return {
        "page": page_json(doc.page),
        "components": [component_json(doc.page, s) for s in doc.components],
        "incidents": [incident_json(doc, i, links[i.id]) for i in doc.unresolved],
        "scheduled_maintenances": [
            maintenance_json(doc, m, links[m.id]) for m in [*doc.active, *doc.upcoming][: doc.limit]
        ],
        "status": status_json(doc),
    }


def status_json(doc: Document) -> dict[str, str]:
    return {"indicator": doc.indicator, "description": doc.description}


def incident_json(doc: Document, i: Incident, link: str) -> dict[str, Any]:
    """An emergency as Statuspage's incident object."""
    page = doc.page
    status = UNDER_MAINTENANCE if i.unresolved else OPERATIONAL
    return {
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "created_at": timestamp(i.created_at),
        "updated_at": timestamp(i.updated_at),
        "monitoring_at": timestamp(i.monitoring_at),
        "resolved_at": timestamp(i.resolved_at),
        "impact": INCIDENT_IMPACT,
        "shortlink": link,
        "started_at": timestamp(i.created_at),
        "page_id": page.id,
        "incident_updates": [update_json(u, i.id) for u in i.updates],
        "components": [
            component_json(page, ComponentState(c, _position(doc, c), status, i.updated_at))
            for c in i.components
        ],
    }


def _position(doc: Document, c: Component) -> int:
    return next((s.position for s in doc.components if s.component == c), 0)


def incidents_json(doc: Document, links: dict[str, str], unresolved: bool) -> dict[str, Any]:
    """/api/v2/incidents.json (the 50 most recent) or /incidents/unresolved.json."""
    chosen = doc.unresolved if unresolved else doc.incidents
    return {
        "page": page_json(doc.page),
        "incidents": [incident_json(doc, i, links[i.id]) for i in chosen],
    }
