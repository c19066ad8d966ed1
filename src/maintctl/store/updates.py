"""A window's progress updates, kept as rows of their own and read a page at a time."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from maintctl.domain.model import Pace, ProgressUpdate
from maintctl.store.tables import UpdateRow


def add(session: Session, window_id: str, u: ProgressUpdate) -> int:
    """Store one update; its id orders it among the window's others."""
    row = UpdateRow(
        window_id=window_id,
        at=u.at,
        step=u.step,
        of_steps=u.of,
        task=u.task,
        status=u.status.value,
        eta=u.eta,
        public=u.public,
        by=u.by,
    )
    session.add(row)
    session.flush()
    return row.id


def count(session: Session, window_id: str) -> int:
    query = select(func.count()).select_from(UpdateRow).where(UpdateRow.window_id == window_id)
    return int(session.scalar(query) or 0)


def page(
    session: Session, window_id: str, after: int | None, limit: int
) -> list[tuple[int, ProgressUpdate]]:
    """Up to `limit` updates of one window, oldest first, from just past the id `after`."""
    query = select(UpdateRow).where(UpdateRow.window_id == window_id)
    if after is not None:
        query = query.where(UpdateRow.id > after)
    rows = session.scalars(query.order_by(UpdateRow.id).limit(limit))
    return [
        (
            r.id,
            ProgressUpdate(
                at=r.at,
                step=r.step,
                of=r.of_steps,
                task=r.task,
                status=Pace(r.status),
                by=r.by,
                eta=r.eta,
                public=r.public,
            ),
        )
        for r in rows
    ]
