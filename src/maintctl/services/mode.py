"""Maintenance mode and traffic mode: changing them (by hand or by a window's start and end),
reading them, and what /health serves.

Every change writes the scopes' states, an append-only change row (who, why) and, when tied to
a window, an audit row on the window's history, and plans the mode hooks, in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import mode
from maintctl.domain.errors import refuse
from maintctl.domain.mode import GLOBAL, Effective, Kind, State, Traffic
from maintctl.domain.model import Window
from maintctl.domain.roles import Principal, require_approver
from maintctl.domain.times import format_instant
from maintctl.services import events
from maintctl.services.deps import Deps
from maintctl.services.windows import require
from maintctl.store import audit
from maintctl.store import modes as store
from maintctl.store.tables import ModeChangeRow

ON, OFF = "on", "off"
FALLBACK_MESSAGE = "Maintenance in progress."


@dataclass(frozen=True)
class Change:
    """One recorded change: its id, what it set, where, and the hooks it planned."""

    id: int
    kind: Kind
    value: str
    scopes: list[str]
    message: str | None
    window_id: str | None
    until: datetime | None
    hooks: int


def change(
    deps: Deps,
    session: Session,
    who: Principal,
    kind: Kind,
    value: str,
    *,
    systems: list[str] | None = None,
    message: str | None = None,
    window_id: str | None = None,
    reason: str = "",
) -> Change | None:
    """Set maintenance mode (on/off) or traffic mode on the global scope or on `systems`.

    With a window and no systems, switching off means the states that window holds; None when
    it holds none (nothing written).
    """
    require_approver(who, f"changing {kind.value} mode")
    if kind == Kind.MAINTENANCE and value not in (ON, OFF):
        value = (
            ON if value in ("true", "enable") else OFF if value in ("false", "disable") else value
        )
    scopes, problems = mode.scopes(systems)
    problems += mode.change_problems(kind, value, message, reason.strip())
    refuse(problems)
    window = require(session, window_id) if window_id else None
    if window is not None and not systems and not _active(kind, value):
        scopes = [s.scope for s in store.tied_to(session, window.id) if s.kind == kind and s.active]
        if not scopes:
            return None
    text = (message or "").strip() or None
    if kind == Kind.MAINTENANCE and value == ON and text is None:
        text = mode.default_message(window.spec.end) if window else FALLBACK_MESSAGE
    return apply(
        deps,
        session,
        who.name,
        kind,
        value,
        scopes,
        message=text,
        window=window,
        reason=reason.strip(),
        credential=who.credential,
    )


def _active(kind: Kind, value: str) -> bool:
    return value != (OFF if kind == Kind.MAINTENANCE else Traffic.NORMAL.value)


def apply(
    deps: Deps,
    session: Session,
    actor: str,
    kind: Kind,
    value: str,
    scopes: list[str],
    *,
    message: str | None = None,
    window: Window | None = None,
    reason: str = "",
    credential: dict[str, Any] | None = None,
) -> Change:
    """Write a checked change (no role check: the caller's), its audit rows and its hooks."""
    from maintctl.services import hooks

    now = deps.clock()
    on = _active(kind, value)
    until = window.spec.end if window is not None and on else None
    message = message if kind == Kind.MAINTENANCE and on else None
    new = {
        scope: State(
            kind, scope, value, message, window.id if window else None, until, actor, reason, now
        )
        for scope in scopes
    }
    held = {(s.kind, s.scope): s for s in store.states(session, scopes)}
    held.update({(kind, scope): state for scope, state in new.items()})
    after = {
        scope: _snapshot(mode.on_scope([s for (k, sc), s in held.items() if sc == scope]))
        for scope in scopes
    }
    row = ModeChangeRow(
        at=now,
        actor=actor,
        kind=kind.value,
        value=value,
        scopes=scopes,
        message=message,
        window_id=window.id if window else None,
        until=until,
        reason=reason,
        after=after,
        credential=credential or {},
    )
    change_id = store.add_change(session, row)
    for state in new.values():
        store.put(session, state, change_id)
    if window is not None:
        extra: dict[str, Any] = {"mode": value, "scopes": scopes, "change": change_id}
        if message:
            extra["message"] = message
        audit.record(
            session, window, actor, kind.value, window.status, now, comment=reason, extra=extra
        )
    planned = hooks.plan(deps, session, change_id, kind)
    return Change(change_id, kind, value, scopes, message, row.window_id, until, planned)


def _snapshot(effective: Effective) -> dict[str, Any]:
    return {
        "maintenance": effective.maintenance,
        "traffic": effective.traffic.value,
        "message": effective.message,
        "until": format_instant(effective.until) if effective.until else None,
    }


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """A window's start switches on what it asks (tied to it, on its systems); its end switches
    off every state it still holds, and only those."""
    window = event.window
    actor = window.lead or window.requested_by
    if event.name == events.STARTED:
        spec = window.spec
        scopes = list(spec.systems) or [GLOBAL]
        reason = f"{window.id} started"
        if spec.maintenance_mode:
            text = spec.maintenance_message or mode.default_message(spec.end)
            apply(
                deps,
                session,
                actor,
                Kind.MAINTENANCE,
                ON,
                scopes,
                message=text,
                window=window,
                reason=reason,
            )
        if spec.traffic_mode != Traffic.NORMAL.value:
            apply(
                deps,
                session,
                actor,
                Kind.TRAFFIC,
                spec.traffic_mode,
                scopes,
                window=window,
                reason=reason,
            )
    elif event.name in events.ENDED:
        held: dict[Kind, list[str]] = defaultdict(list)
        for state in store.tied_to(session, window.id):
            if state.active:
                held[state.kind].append(state.scope)
        reason = f"{window.id} {event.name.removeprefix('window.').replace('_', ' ')}"
        for kind, scopes in sorted(held.items()):
            off = OFF if kind == Kind.MAINTENANCE else Traffic.NORMAL.value
            apply(deps, session, actor, kind, off, scopes, window=window, reason=reason)


def health_members(session: Session) -> dict[str, Any]:
    """The global state and each system's active one, as /health serves them (contract9 §3)."""
    by_scope: dict[str, list[State]] = defaultdict(list)
    for state in store.states(session):
        by_scope[state.scope].append(state)
    members = mode.on_scope(by_scope.pop(GLOBAL, [])).as_health()
    members["systems"] = {
        scope: mode.on_scope(found).as_health()
        for scope, found in sorted(by_scope.items())
        if any(s.active for s in found)
    }
    return members


def status(deps: Deps, who: Principal) -> dict[str, Any]:
    """Every stored state with who, why, since, window and until, the global effective state
    and the latest hook runs (any account may read them)."""
    from maintctl.services import hooks

    with deps.db.read() as session:
        members = health_members(session)
        states = [state_json(s) for s in store.states(session)]
        runs = hooks.recent(session)
    return {**members, "states": states, "hook_runs": runs}


def state_json(state: State) -> dict[str, Any]:
    return {
        "kind": state.kind.value,
        "scope": None if state.scope == GLOBAL else state.scope,  # None: the global state
        "value": state.value,
        "message": state.message,
        "window": state.window_id,
        "until": format_instant(state.until) if state.until else None,
        "by": state.by,
        "reason": state.reason,
        "since": format_instant(state.since) if state.since else None,
    }


def change_json(found: Change | None) -> dict[str, Any]:
    """What a change answers: its id, value, scopes, window and the hooks it planned."""
    if found is None:
        return {"change": None, "global": False, "systems": [], "hooks": 0}
    return {
        "change": found.id,
        "kind": found.kind.value,
        "value": found.value,
        "global": GLOBAL in found.scopes,
        "systems": [s for s in found.scopes if s != GLOBAL],
        "message": found.message,
        "window": found.window_id,
        "until": format_instant(found.until) if found.until else None,
        "hooks": found.hooks,
    }


def changes(deps: Deps, who: Principal, limit: int, before: int | None) -> list[dict[str, Any]]:
    """A page of the mode's audit trail, newest first (any account may read it)."""
    with deps.db.read() as session:
        return [
            {
                "id": row.id,
                "at": format_instant(row.at),
                "by": row.actor,
                "kind": row.kind,
                "value": row.value,
                "global": GLOBAL in row.scopes,
                "systems": [s for s in row.scopes if s != GLOBAL],
                "message": row.message,
                "window": row.window_id,
                "until": format_instant(row.until) if row.until else None,
                "reason": row.reason,
                "credential": row.credential,
            }
            for row in store.changes(session, limit, before)
        ]
