"""The mode states per scope, their append-only changes, and the hook runs of each change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.domain.mode import Kind, State
from maintctl.store.db import upsert_insert
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
    # populate_existing: the rows are written by upserts, behind the session's identity map.
    query = (
        select(ModeStateRow)
        .order_by(ModeStateRow.kind, ModeStateRow.scope)
        .execution_options(populate_existing=True)
    )
    if scopes is not None:
        query = query.where(ModeStateRow.scope.in_(scopes))
    return [_state(row) for row in session.scalars(query)]


def tied_to(session: Session, window_id: str) -> list[State]:
    """The states a window switched on and still holds."""
    query = (
        select(ModeStateRow)
        .where(ModeStateRow.window_id == window_id)
        .execution_options(populate_existing=True)
    )
    return [_state(row) for row in session.scalars(query.order_by(ModeStateRow.scope))]


def add_change(session: Session, change: ModeChangeRow) -> int:
    """Record a change; its id."""
    session.add(change)
    session.flush()
    return change.id


def put(session: Session, state: State, change_id: int) -> None:
    """Write one scope's state of one kind: a row per kind and scope, updated in place (an upsert,
    so two replicas switching on a scope never seen before cannot collide)."""
    values: dict[str, Any] = {
        "kind": state.kind.value,
        "scope": state.scope,
        "value": state.value,
        "message": state.message,
        "window_id": state.window_id,
        "until": state.until,
        "changed_by": state.by,
        "reason": state.reason,
        "changed_at": state.since,
        "change_id": change_id,
    }
    insert = upsert_insert(session)(ModeStateRow).values(**values)
    changed = {k: v for k, v in values.items() if k not in ("kind", "scope")}
    session.execute(insert.on_conflict_do_update(index_elements=["kind", "scope"], set_=changed))


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


def changes(session: Session, limit: int, before: int | None) -> list[ModeChangeRow]:
    """A page of changes, newest first (keyset on the id)."""
    query = select(ModeChangeRow).order_by(ModeChangeRow.id.desc()).limit(limit)
    if before is not None:
        query = query.where(ModeChangeRow.id < before)
    return list(session.scalars(query))
