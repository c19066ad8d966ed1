"""Action items: added, listed a page at a time, done once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from maintctl.store.tables import ActionItemRow


@dataclass(frozen=True)
class Action:
    id: int
    window: str
    what: str
    owner: str
    due_at: datetime
    created_at: datetime
    created_by: str
    done_at: datetime | None
    done_by: str | None


def _read(row: ActionItemRow) -> Action:
    return Action(
        row.id,
        row.window_id,
        row.what,
        row.owner,
        row.due_at,
        row.created_at,
        row.created_by,
        row.done_at,
        row.done_by,
    )


def add(
    session: Session,
    window_id: str,
    what: str,
    owner: str,
    due_at: datetime,
    who: str,
    now: datetime,
) -> Action:
    row = ActionItemRow(
        window_id=window_id, what=what, owner=owner, due_at=due_at, created_at=now, created_by=who
    )
    session.add(row)
    session.flush()
    return _read(row)


def get(session: Session, action_id: int) -> Action | None:
    row = session.get(ActionItemRow, action_id)
    return _read(row) if row is not None else None


def count(session: Session, window_id: str) -> int:
    query = select(func.count()).select_from(ActionItemRow)
    return int(session.scalar(query.where(ActionItemRow.window_id == window_id)) or 0)


def of_window(session: Session, window_id: str, limit: int) -> list[Action]:
    query = select(ActionItemRow).where(ActionItemRow.window_id == window_id)
    return [_read(r) for r in session.scalars(query.order_by(ActionItemRow.id).limit(limit))]


def page(
    session: Session,
    *,
    after: int | None,
    limit: int,
    open_only: bool = False,
    owner: str | None = None,
) -> list[Action]:
    """Items in id order from just past `after`, open ones or one owner's when asked."""
    query = select(ActionItemRow)
    if after is not None:
        query = query.where(ActionItemRow.id > after)
    if open_only:
        query = query.where(ActionItemRow.done_at.is_(None))
    if owner is not None:
        query = query.where(ActionItemRow.owner == owner)
    return [_read(r) for r in session.scalars(query.order_by(ActionItemRow.id).limit(limit))]


def finish(session: Session, action_id: int, who: str, now: datetime) -> bool:
    """Mark an open item done; False when it was done already (nothing changes)."""
    changed = session.execute(
        update(ActionItemRow)
        .where(ActionItemRow.id == action_id, ActionItemRow.done_at.is_(None))
        .values(done_at=now, done_by=who)
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount) == 1  # type: ignore[attr-defined]
