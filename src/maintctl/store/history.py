"""Windows that ran, read by their actual times for the SLA report, stats and the warning.

Every query here is bounded in time through ix_windows_actual (actual_start, actual_end, ...): no
window is longer than bounds.MAX_WINDOW, so one still running into a period started at most
that long before it, as store/windows.listing bounds its look-back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Status
from maintctl.store.tables import NotificationRow, SystemRow, WindowRow

# Notices that were never meant to go do not count for or against "on time".
_NOT_PLANNED = ("skipped", "cancelled")


def seconds(session: Session, start: Any, end: Any) -> ColumnElement[int]:
    """end - start in whole seconds, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.round(func.extract("epoch", end - start)), Integer)
    days = func.julianday(end) - func.julianday(start)
    return cast(func.round(cast(days, Float) * 86_400), Integer)


def _ran(since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    """Windows that ran and overlap [since, until), found through the actual-times index."""
    return [
        WindowRow.actual_start.is_not(None),
        WindowRow.actual_end.is_not(None),
        WindowRow.actual_start > since - bounds.MAX_WINDOW,
        WindowRow.actual_start < until,
        WindowRow.actual_end > since,
    ]


@dataclass(frozen=True)
class RanRow:
    """One window that ran, with its systems."""

    id: str
    type: str
    planned_end: datetime
    actual_start: datetime
    actual_end: datetime
    systems: frozenset[str]


def ran_during(session: Session, period: Interval, systems: Sequence[str] = ()) -> Iterator[RanRow]:
    """Windows that ran during `period` (touching `systems`, when given), streamed by ID."""
    query = (
        select(
            WindowRow.id,
            WindowRow.type,
            WindowRow.end_at,
            WindowRow.actual_start,
            WindowRow.actual_end,
            SystemRow.system,
        )
        .join(SystemRow, SystemRow.window_id == WindowRow.id)
        .where(*_ran(period.start, period.end))
        .order_by(WindowRow.id)
    )
    if systems:
        query = query.where(SystemRow.system.in_(list(systems)))
    last: RanRow | None = None
    rows: Any = session.connection().execute(query.execution_options(yield_per=1000))
    for id_, type_, end, start, stop, system in rows:
        if last is not None and last.id == id_:
            last = RanRow(id_, type_, end, start, stop, last.systems | {system})
            continue
        if last is not None:
            yield last
        last = RanRow(id_, type_, end, start, stop, frozenset({system}))
    if last is not None:
        yield last


def _filters(types: Sequence[str], systems: Sequence[str]) -> list[ColumnElement[bool]]:
    wanted: list[ColumnElement[bool]] = []
    if types:
        wanted.append(WindowRow.type.in_(list(types)))
    if systems:
        wanted.append(SystemRow.system.in_(list(systems)))
    return wanted


def stat_rows(
    session: Session,
    span: Interval,
    types: Sequence[str] = (),
    systems: Sequence[str] = (),
) -> Iterator[tuple[str, str, int, int, int, int, int, int]]:
    """(type, system, planned s, actual s, overran 0/1, rolled back 0/1, notices with a due
    time, those sent by it) of every (window, system) that ran and started inside `span`.

    Plain tuples, one query: there may be many. A notice is "by it" within
    bounds.NOTICE_ON_TIME_GRACE (the worker sends a due notice a moment after its time);
    skipped and cancelled notices were never meant to go and count neither way.
    """
    started = [
        WindowRow.actual_start >= span.start,
        WindowRow.actual_start < span.end,
        WindowRow.actual_end.is_not(None),
    ]
    late_s = seconds(session, NotificationRow.due_at, NotificationRow.sent_at)
    grace_s = int(bounds.NOTICE_ON_TIME_GRACE.total_seconds())
    on_time = case((NotificationRow.sent_at.is_not(None) & (late_s <= grace_s), 1), else_=0)
    told = (
        select(
            NotificationRow.window_id,
            func.count().label("planned"),
            func.sum(on_time).label("on_time"),
        )
        .where(
            NotificationRow.window_id.in_(select(WindowRow.id).where(*started)),
            NotificationRow.due_at.is_not(None),
            NotificationRow.status.not_in(_NOT_PLANNED),
        )
        .group_by(NotificationRow.window_id)
        .subquery()
    )
    query = (
        select(
            WindowRow.type,
            SystemRow.system,
            WindowRow.duration_s,
            seconds(session, WindowRow.actual_start, WindowRow.actual_end),
            case((WindowRow.actual_end > WindowRow.end_at, 1), else_=0),
            case((WindowRow.status == Status.ROLLED_BACK.value, 1), else_=0),
            func.coalesce(told.c.planned, 0),
            func.coalesce(told.c.on_time, 0),
        )
        .join(SystemRow, SystemRow.window_id == WindowRow.id)
        .outerjoin(told, told.c.window_id == WindowRow.id)
        .where(*started, *_filters(types, systems))
    )
    # Core, not the ORM's execute: plain rows cost a third as much, and there may be many.
    rows: Any = session.connection().execute(query.execution_options(yield_per=5000))
    yield from rows


def recent_actuals(
    session: Session, type_name: str, systems: Sequence[str], before: datetime, limit: int
) -> list[int]:
    """Actual seconds of the last `limit` windows of a type on any of `systems` that ran."""
    actual = seconds(session, WindowRow.actual_start, WindowRow.actual_end)
    touching = select(SystemRow.window_id).where(SystemRow.system.in_(list(systems)))
    query = (
        select(actual)
        .where(
            WindowRow.id.in_(touching),
            WindowRow.type == type_name,
            WindowRow.actual_start > before - bounds.HISTORY_HORIZON,
            WindowRow.actual_start < before,
            WindowRow.actual_end.is_not(None),
        )
        .order_by(WindowRow.actual_start.desc())
        .limit(limit)
    )
    return [int(s) for s in session.scalars(query)]
