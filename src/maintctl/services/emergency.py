"""Emergency maintenance (the runbook's "Emergency Maintenance"): filed and sent for the VP's
signature in one step; that signature starts it at once (DESIGN.md "The window's life").

`start` creates `EMT-YYYYMMDDHHMM` (`-2` for a second in the same minute) of type emergency
from now for the given duration, with the reason as its description, and submits it: the
people listener pages every vp-engineering-or-higher account with the urgent variant of
`signature-waiting`. `begin` is the final signature's part: the window is re-timed to start at
the signature, keeps its planned duration, and moves straight to in_progress with the requester
as its lead, announcing SCHEDULED then STARTED so every listener treats it as any start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation, refuse
from maintctl.domain.model import Status, Window, WindowSpec
from maintctl.domain.public import EMERGENCY
from maintctl.domain.roles import Principal, require_emergency_starter
from maintctl.domain.times import TimeParseError, format_instant, parse_duration
from maintctl.services import events, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import audit


@dataclass(frozen=True)
class Ask:
    """What `maintctl emergency start` was given."""

    reason: str
    impact: str
    duration: str
    systems: tuple[str, ...] = ()
    title: str | None = None
    # What it asks of maintenance and traffic mode while it runs (as any window's fields).
    maintenance_mode: bool = False
    maintenance_message: str | None = None
    traffic_mode: str = "normal"


def problems(ask: Ask) -> tuple[list[Problem], timedelta | None]:
    """One named problem per missing or bad field, and the duration when it reads."""
    found: list[Problem] = []
    if not ask.reason.strip():
        found.append(Problem("reason", "required", "an emergency needs a reason", "give --reason"))
    found += bounds.text_problems("reason", ask.reason, "description")
    if not ask.impact.strip():
        found.append(
            Problem("impact", "required", "an emergency needs its expected impact", "give --impact")
        )
    found += bounds.text_problems("impact", ask.impact, "impact")
    length: timedelta | None = None
    try:
        length = parse_duration("duration", ask.duration.strip())
    except TimeParseError as exc:
        found.append(exc.problem)
    if length is not None and length <= timedelta(0):
        found.append(Problem("duration", "range", "a duration of 0", "give e.g. --duration 1h"))
        length = None
    return found, length


def start(deps: Deps, session: Session, who: Principal, ask: Ask) -> Window:
    """File the emergency and send it for signature; nothing is written when refused."""
    require_emergency_starter(who)
    found, length = problems(ask)
    refuse(found)
    assert length is not None
    clock = deps.clock()
    # The next whole second: not "in the past" when the rules look a moment later.
    now = clock.replace(microsecond=0) + timedelta(seconds=1 if clock.microsecond else 0)
    raw: dict[str, object] = {
        "type": EMERGENCY,
        "start": format_instant(now),
        "end": format_instant(now + length),
        "systems": list(ask.systems),
        "description": ask.reason.strip(),
        "impact": ask.impact.strip(),
    }
    if ask.title and ask.title.strip():
        raw["public_title"] = ask.title.strip()
    raw["maintenance_mode"] = ask.maintenance_mode
    raw["traffic_mode"] = ask.traffic_mode
    if ask.maintenance_message is not None:
        raw["maintenance_message"] = ask.maintenance_message
    created = windows.create(deps, session, raw, who)
    return workflow.submit(deps, session, created.id, who)


def is_emergency(window: Window) -> bool:
    return window.spec.type == EMERGENCY


def retimed(spec: WindowSpec, at: datetime) -> WindowSpec:
    """The emergency's times from its signature: it starts then, for its planned duration."""
    return replace(spec, start=at, end=at + (spec.end - spec.start))


def begin(deps: Deps, session: Session, scheduled: Window, who: Principal) -> Window:
    """The final signature's second half: straight to in_progress, led by the requester."""
    now = scheduled.updated_at
    started = replace(
        scheduled,
        status=Status.IN_PROGRESS,
        lead=scheduled.requested_by,
        actual_start=scheduled.spec.start,
        actual_end=None,
        updated_at=now,
        version=scheduled.version + 1,
    )
    windows.save(session, started)
    extra = {"lead": started.lead, "emergency": True}
    audit.record(session, started, who.name, "start", scheduled.status, now, extra=extra)
    events.announce(deps, session, events.STARTED, started, before=scheduled)
    return started


def resolve(deps: Deps, session: Session, window_id: str, who: Principal) -> Window:
    """`emergency resolve`: `complete` for an emergency (the quick validation, then resolved)."""
    from maintctl.services import lifecycle

    window = windows.require(session, window_id)
    if not is_emergency(window):
        raise not_emergency(window)
    return lifecycle.complete(deps, session, window.id, who)


def not_emergency(window: Window) -> RuleViolation:
    return RuleViolation(
        [
            Problem(
                "id",
                "not-an-emergency",
                f"{window.id} is a {window.spec.type} window",
                "resolve emergencies only; complete this one with maintctl complete",
            )
        ]
    )
