"""Step results and the execution log of a window (services/steps.py owns the rules)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from maintctl.store.tables import LogLineRow, StepResultRow


def begin(
    session: Session, window_id: str, phase: str, number: int, by: str, now: datetime
) -> StepResultRow:
    row = StepResultRow(
        window_id=window_id,
        phase=phase,
        number=number,
        state="running",
        started_at=now,
        by=by,
        note="",
    )
    session.add(row)
    session.flush()
    return row


def result(session: Session, window_id: str, result_id: int) -> StepResultRow | None:
    row = session.get(StepResultRow, result_id)
    return row if row is not None and row.window_id == window_id else None


def count(session: Session, window_id: str) -> int:
    query = select(func.count()).where(StepResultRow.window_id == window_id)
    return int(session.scalar(query) or 0)


def interrupt_running(session: Session, window_id: str, now: datetime, note: str) -> int:
    """Mark every attempt still `running` as failed: its runner died (SIGKILL, a crash)."""
    done = session.execute(
        update(StepResultRow)
        .where(StepResultRow.window_id == window_id, StepResultRow.state == "running")
        .values(state="failed", ended_at=now, note=note)
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def latest(session: Session, window_id: str) -> list[StepResultRow]:
    """The last attempt at each (phase, number) of a window."""
    last = (
        select(func.max(StepResultRow.id))
        .where(StepResultRow.window_id == window_id)
        .group_by(StepResultRow.phase, StepResultRow.number)
    )
    query = select(StepResultRow).where(StepResultRow.id.in_(last)).order_by(StepResultRow.id)
    return list(session.scalars(query))


def log_tail(session: Session, window_id: str) -> LogLineRow | None:
    """The log's last line: its seq is the line count, its chars the log's size."""
    query = (
        select(LogLineRow)
        .where(LogLineRow.window_id == window_id)
        .order_by(LogLineRow.seq.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def add_lines(session: Session, rows: Sequence[LogLineRow]) -> None:
    session.add_all(rows)
    session.flush()


def log_page(session: Session, window_id: str, after: int, limit: int) -> list[LogLineRow]:
    query = (
        select(LogLineRow)
        .where(LogLineRow.window_id == window_id, LogLineRow.seq > after)
        .order_by(LogLineRow.seq)
        .limit(limit)
    )
    return list(session.scalars(query))
