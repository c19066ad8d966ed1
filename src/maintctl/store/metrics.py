"""The reads behind /metrics: counts grouped in the database, never rows walked in Python.

Each query's answer is bounded by what it groups by (statuses, types, kinds, the systems of the
windows under way, one run's checks), whatever the tables hold.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.store.jobs import DEAD, PENDING
from maintctl.store.tables import (
    CheckResultRow,
    JobRow,
    NotificationRow,
    SystemRow,
    ValidationRunRow,
    WindowRow,
)
from maintctl.store.validation import FAILED, PASSED


def windows_by_status_and_type(session: Session) -> list[tuple[str, str, int]]:
    query = select(WindowRow.status, WindowRow.type, func.count()).group_by(
        WindowRow.status, WindowRow.type
    )
    return [(s, t, int(n)) for s, t, n in session.execute(query)]


def systems_under_way(session: Session, statuses: list[str]) -> list[str]:
    """The systems of the windows in one of `statuses` (by the (status, start) index)."""
    query = (
        select(SystemRow.system)
        .join(WindowRow, WindowRow.id == SystemRow.window_id)
        .where(WindowRow.status.in_(statuses))
        .distinct()
        .order_by(SystemRow.system)
    )
    return list(session.scalars(query))


def notifications_by_status(session: Session) -> list[tuple[str, int]]:
    query = select(NotificationRow.status, func.count()).group_by(NotificationRow.status)
    return [(s, int(n)) for s, n in session.execute(query)]


def dead_jobs_by_kind(session: Session) -> list[tuple[str, int]]:
    query = select(JobRow.kind, func.count()).where(JobRow.status == DEAD).group_by(JobRow.kind)
    return [(k, int(n)) for k, n in session.execute(query)]


def oldest_due(session: Session, now: datetime) -> datetime | None:
    """When the longest-waiting job due and not claimed became due (the (status, next try)
    index's first row)."""
    query = select(func.min(JobRow.next_try_at)).where(
        JobRow.status == PENDING, JobRow.next_try_at <= now
    )
    found: datetime | None = session.scalar(query)
    return found


def last_run(session: Session) -> ValidationRunRow | None:
    """The newest validation run that finished with a verdict (passed or failed)."""
    query = (
        select(ValidationRunRow)
        .where(ValidationRunRow.status.in_((PASSED, FAILED)))
        .order_by(ValidationRunRow.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def run_checks(session: Session, run_id: int) -> list[tuple[str, str, int]]:
    """(check, status, duration in ms) of each check of one run."""
    query = (
        select(CheckResultRow.name, CheckResultRow.status, CheckResultRow.duration_ms)
        .where(CheckResultRow.run_id == run_id)
        .order_by(CheckResultRow.id)
        .limit(bounds.MAX_CHECKS)
    )
    return [(name, status, int(ms)) for name, status, ms in session.execute(query)]
