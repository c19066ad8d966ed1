"""The status page's reads: a few windows by the time indexes, their moves and public notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.model import Status, Window
from maintctl.domain.status import Move, Note
from maintctl.store.tables import AuditRow, UpdateRow, WindowRow
from maintctl.store.windows import to_window

# The statuses a status move ends in; the others (draft, pending_approval) are not told.
_TOLD = [
    s.value
    for s in (
        Status.SCHEDULED,
        Status.IN_PROGRESS,
        Status.VERIFYING,
        Status.COMPLETED,
        Status.ROLLED_BACK,
        Status.CANCELLED,
    )
]


def last_change(session: Session) -> tuple[int, datetime | None]:
    """The newest audit row's id and time: every move of a window writes one (append-only), so
    an unchanged id means no window changed. One primary-key lookup."""
    row = session.execute(select(AuditRow.id, AuditRow.at).order_by(AuditRow.id.desc()).limit(1))
    found = row.first()
    return (found[0], found[1]) if found else (0, None)


def windows(
    session: Session,
    statuses: Sequence[Status],
    *,
    hidden_types: Sequence[str],
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    end_after: datetime | None = None,
    newest_first: bool = False,
    limit: int,
) -> list[Window]:
    """Up to `limit` public windows in `statuses`, nearest the bound first.

    One query per status, each a walk along the (status, start) index in order that stops at
    `limit` rows: an IN over the statuses would read the whole range and sort it.
    """
    found: list[WindowRow] = []
    for status in statuses:
        query = select(WindowRow).where(
            WindowRow.status == status.value, WindowRow.published_start.is_not(None)
        )
        if hidden_types:
            query = query.where(WindowRow.type.not_in(list(hidden_types)))
        if start_after is not None:
            query = query.where(WindowRow.start_at > start_after)
        if start_before is not None:
            query = query.where(WindowRow.start_at <= start_before)
        if end_after is not None:
            query = query.where(WindowRow.end_at > end_after)
            if start_after is None:
                # No window lasts longer than MAX_WINDOW: the start index skips the older past.
                query = query.where(WindowRow.start_at > end_after - bounds.MAX_WINDOW)
        if newest_first:
            query = query.order_by(WindowRow.start_at.desc(), WindowRow.id.desc())
        else:
            query = query.order_by(WindowRow.start_at, WindowRow.id)
        found += session.scalars(query.limit(limit))
    found.sort(key=lambda r: (r.start_at, r.id), reverse=newest_first)
    return [to_window(r) for r in found[:limit]]


def moves(session: Session, window_ids: Sequence[str]) -> dict[str, list[Move]]:
    """The status moves of these windows (by the audit trail's window index)."""
    found: dict[str, list[Move]] = {i: [] for i in window_ids}
    if not window_ids:
        return found
    query = select(
        AuditRow.id, AuditRow.window_id, AuditRow.at, AuditRow.from_status, AuditRow.to_status
    ).where(AuditRow.window_id.in_(list(window_ids)), AuditRow.to_status.in_(_TOLD))
    for id_, window_id, at, before, after in session.execute(query):
        if after is not None and before != after:
            found[window_id].append(Move(id_, at, before, after))
    return found


def notes(session: Session, window_ids: Sequence[str]) -> dict[str, list[Note]]:
    """The progress updates of these windows that carry a public message."""
    found: dict[str, list[Note]] = {i: [] for i in window_ids}
    if not window_ids:
        return found
    query = select(UpdateRow.id, UpdateRow.window_id, UpdateRow.at, UpdateRow.public).where(
        UpdateRow.window_id.in_(list(window_ids)), UpdateRow.public.is_not(None)
    )
    for id_, window_id, at, text in session.execute(query):
        if text:
            found[window_id].append(Note(id_, at, text))
    return found
