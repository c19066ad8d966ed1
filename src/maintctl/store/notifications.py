"""The notifications table and its attempts: one row per (window, kind, audience, channel).

A row is planned once and reset only while unsent, so re-planning never doubles a notice and a
sent notice is never re-sent. Status moves are conditional UPDATEs that must change one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.model import Pace, ProgressUpdate
from maintctl.store.db import upsert_insert
from maintctl.store.tables import NotificationAttemptRow, NotificationRow, UpdateRow

PLANNED, QUEUED, DRAFT = "planned", "queued", "draft"
SENT, SKIPPED, CANCELLED, FAILED = "sent", "skipped", "cancelled", "failed"
STATUSES = (PLANNED, QUEUED, DRAFT, SENT, SKIPPED, CANCELLED, FAILED)
WAITING = (PLANNED, QUEUED, DRAFT)  # not yet sent, and still meant to be


@dataclass(frozen=True)
class Notification:
    """One notification as read."""

    id: int
    window: str
    kind: str
    audience: str
    channel: str
    manual: bool
    due_at: datetime | None
    status: str
    update_id: int | None
    created_at: datetime
    sent_at: datetime | None
    sent_by: str | None


@dataclass(frozen=True)
class Attempt:
    at: datetime
    ok: bool
    result: str


def _read(row: NotificationRow) -> Notification:
    return Notification(
        row.id,
        row.window_id,
        row.kind,
        row.audience,
        row.channel,
        row.manual,
        row.due_at,
        row.status,
        row.update_id,
        row.created_at,
        row.sent_at,
        row.sent_by,
    )


def plan(
    session: Session,
    window: str,
    kind: str,
    audience: str,
    channel: str,
    *,
    manual: bool,
    due_at: datetime | None,
    status: str,
    now: datetime,
    update_id: int | None = None,
) -> int | None:
    """Plan a notice, or re-plan its unsent row; its id, None when it was sent already."""
    values: dict[str, Any] = {
        "manual": manual,
        "due_at": due_at,
        "status": status,
        "update_id": update_id,
    }
    insert = upsert_insert(session)
    statement = (
        insert(NotificationRow)
        .values(
            window_id=window,
            kind=kind,
            audience=audience,
            channel=channel,
            created_at=now,
            **values,
        )
        .on_conflict_do_update(
            index_elements=["window_id", "kind", "audience", "channel"],
            set_={**values, "sent_by": None},
            where=NotificationRow.status != SENT,
        )
        .returning(NotificationRow.id)
    )
    found = session.execute(statement).first()
    return int(found[0]) if found else None


def count(session: Session, window: str) -> int:
    query = select(func.count()).select_from(NotificationRow)
    return int(session.scalar(query.where(NotificationRow.window_id == window)) or 0)


def of_window(session: Session, window: str) -> list[Notification]:
    """Every notification of a window (at most NOTICES_PER_WINDOW_MAX), oldest first."""
    query = select(NotificationRow).where(NotificationRow.window_id == window)
    rows = session.scalars(query.order_by(NotificationRow.id).limit(bounds.NOTICES_PER_WINDOW_MAX))
    return [_read(r) for r in rows]


def get(session: Session, notification_id: int) -> Notification | None:
    row = session.get(NotificationRow, notification_id, populate_existing=True)
    return _read(row) if row else None


def move(
    session: Session, ids: int | Iterable[int], to: str, when: Iterable[str], **values: Any
) -> int:
    """Set the status of the rows `ids` that are in one of `when`; how many changed."""
    wanted = [ids] if isinstance(ids, int) else list(ids)
    if not wanted:
        return 0
    changed = session.execute(
        update(NotificationRow)
        .where(NotificationRow.id.in_(wanted), NotificationRow.status.in_(list(when)))
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def attempt(session: Session, notification_id: int, at: datetime, ok: bool, result: str) -> None:
    """Record one try at sending (the result holds no secret: transports see to that)."""
    session.add(
        NotificationAttemptRow(
            notification_id=notification_id,
            at=at,
            ok=ok,
            result=result[: bounds.JOB_RESULT_MAX_CHARS],
        )
    )


def attempts(session: Session, ids: Iterable[int]) -> dict[int, list[Attempt]]:
    """The most recent tries of each notification (NOTICE_ATTEMPTS_SHOWN), oldest first."""
    found: dict[int, list[Attempt]] = {}
    for notification_id in ids:
        query = (
            select(NotificationAttemptRow)
            .where(NotificationAttemptRow.notification_id == notification_id)
            .order_by(NotificationAttemptRow.id.desc())
            .limit(bounds.NOTICE_ATTEMPTS_SHOWN)
        )
        rows = list(session.scalars(query))
        found[notification_id] = [Attempt(r.at, r.ok, r.result) for r in reversed(rows)]
    return found


def window_page(session: Session, window: str, after: int | None, limit: int) -> list[Notification]:
    """A window's notifications by id, from just past `after`."""
    query = select(NotificationRow).where(NotificationRow.window_id == window)
    if after is not None:
        query = query.where(NotificationRow.id > after)
    rows = session.scalars(query.order_by(NotificationRow.id).limit(limit))
    return [_read(r) for r in rows]


def due_page(
    session: Session,
    statuses: Iterable[str],
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Notification]:
    """Notifications in `statuses` with a due time, by (due time, id), from just past `after`."""
    query = select(NotificationRow).where(
        NotificationRow.status.in_(list(statuses)), NotificationRow.due_at.is_not(None)
    )
    if after is not None:
        due, last = after
        query = query.where(
            or_(
                NotificationRow.due_at > due,
                and_(NotificationRow.due_at == due, NotificationRow.id > last),
            )
        )
    order = (NotificationRow.due_at, NotificationRow.id)
    return [_read(r) for r in session.scalars(query.order_by(*order).limit(limit))]


def last_update_id(session: Session, window: str) -> int | None:
    """The id of the window's newest progress update (a progress notice renders it)."""
    query = select(func.max(UpdateRow.id)).where(UpdateRow.window_id == window)
    found = session.scalar(query)
    return int(found) if found is not None else None


def progress_update(session: Session, update_id: int) -> ProgressUpdate | None:
    """One progress update by id, or None."""
    r = session.get(UpdateRow, update_id)
    if r is None:
        return None
    return ProgressUpdate(r.at, r.step, r.of_steps, r.task, Pace(r.status), r.by, r.eta, r.public)


def last_attempt(session: Session, channels: Iterable[str]) -> tuple[str, Attempt] | None:
    """The newest try at sending on any of `channels`, with its channel; None when none was made."""
    query = (
        select(NotificationRow.channel, NotificationAttemptRow)
        .join(NotificationRow, NotificationRow.id == NotificationAttemptRow.notification_id)
        .where(NotificationRow.channel.in_(list(channels)))
        .order_by(NotificationAttemptRow.id.desc())
        .limit(1)
    )
    found = session.execute(query).first()
    if found is None:
        return None
    channel, row = found
    return str(channel), Attempt(row.at, row.ok, row.result)
