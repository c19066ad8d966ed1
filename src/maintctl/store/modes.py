"""The mode states per scope, their append-only changes, and the hook runs of each change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.domain.mode import Kind, State
from maintctl.store.tables import HookRunRow, ModeChangeRow, ModeStateRow


def _state(row: ModeStateRow) -> State:
    return State(
        kind=Kind(row.kind),
        scope=row.scope,
        value=row.value,
        message=row.message,
        window_id=row.window_id,
        until=row.until,
        by=row.changed_by,
        reason=row.reason,
        since=row.changed_at,
    )


def states(session: Session, scopes: list[str] | None = None) -> list[State]:
    """The stored states (of `scopes`, or every one), by kind and scope; there are at most two
    per system ever named in a change."""
    query = select(ModeStateRow).order_by(ModeStateRow.kind, ModeStateRow.scope)
    if scopes is not None:
        query = query.where(ModeStateRow.scope.in_(scopes))
    return [_state(row) for row in session.scalars(query)]


def tied_to(session: Session, window_id: str) -> list[State]:
    """The states a window switched on and still holds."""
    query = select(ModeStateRow).where(ModeStateRow.window_id == window_id)
    return [_state(row) for row in session.scalars(query.order_by(ModeStateRow.scope))]


def add_change(session: Session, change: ModeChangeRow) -> int:
    """Record a change; its id."""
    session.add(change)
    session.flush()
    return change.id


def put(session: Session, state: State, change_id: int) -> None:
    """Write one scope's state of one kind (a row per kind and scope, updated in place)."""
    row = session.get(ModeStateRow, (state.kind.value, state.scope), with_for_update=True)
    if row is None:
        row = ModeStateRow(kind=state.kind.value, scope=state.scope)
        session.add(row)
    row.value = state.value
    row.message = state.message
    row.window_id = state.window_id
    row.until = state.until
    row.changed_by = state.by
    row.reason = state.reason
    row.changed_at = state.since or datetime.min
    row.change_id = change_id
    session.flush()


def change(session: Session, change_id: int) -> ModeChangeRow | None:
    return session.get(ModeChangeRow, change_id)


def later_changes(session: Session, change_id: int, kinds: tuple[str, ...]) -> list[ModeChangeRow]:
    """Changes of `kinds` recorded after `change_id` (a hook's newer runs), oldest first."""
    query = (
        select(ModeChangeRow)
        .where(ModeChangeRow.id > change_id, ModeChangeRow.kind.in_(kinds))
        .order_by(ModeChangeRow.id)
        .limit(1000)
    )
    return list(session.scalars(query))


def add_run(session: Session, **fields: Any) -> None:
    session.add(HookRunRow(**fields))
    session.flush()


def runs(session: Session, *, window_id: str | None = None, limit: int = 20) -> list[HookRunRow]:
    """The latest hook runs (of one window's changes), newest first."""
    query = select(HookRunRow).order_by(HookRunRow.id.desc()).limit(limit)
    if window_id is not None:
        query = query.where(HookRunRow.window_id == window_id)
    return list(session.scalars(query))
