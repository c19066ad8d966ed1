"""The silences of windows' alerts: one row per (window, provider, system), and its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from maintctl.store.db import upsert_insert
from maintctl.store.tables import SilenceRow, WindowRow

PENDING, ACTIVE, ENDED, FAILED = "pending", "active", "ended", "failed"
OPEN = (PENDING, ACTIVE, FAILED)  # states that may still mute alerts, or come to
ERROR_CHARS = 500


@dataclass(frozen=True)
class Silence:
    id: int
    window_id: str
    provider: str
    target: str
    external_id: str | None
    sent: bool
    starts_at: datetime | None
    ends_at: datetime | None
    state: str
    last_error: str | None
    attempts: int
    updated_at: datetime


def _silence(row: SilenceRow) -> Silence:
    return Silence(
        row.id,
        row.window_id,
        row.provider,
        row.target,
        row.external_id,
        row.sent,
        row.starts_at,
        row.ends_at,
        row.state,
        row.last_error,
        row.attempts,
        row.updated_at,
    )


def plan(session: Session, window_id: str, provider: str, target: str, now: datetime) -> None:
    """Make the row of a silence to come (nothing when it exists)."""
    insert = upsert_insert(session)
    session.execute(
        insert(SilenceRow)
        .values(
            window_id=window_id,
            provider=provider,
            target=target,
            sent=False,
            state=PENDING,
            attempts=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["window_id", "provider", "target"])
    )


def get(session: Session, window_id: str, provider: str, target: str) -> Silence | None:
    row = session.scalars(
        select(SilenceRow).where(
            SilenceRow.window_id == window_id,
            SilenceRow.provider == provider,
            SilenceRow.target == target,
        )
    ).first()
    return _silence(row) if row is not None else None


def of_window(session: Session, window_id: str) -> list[Silence]:
    """A window's silences (a few: one per provider and system), in the order they were planned."""
    rows = session.scalars(
        select(SilenceRow).where(SilenceRow.window_id == window_id).order_by(SilenceRow.id)
    )
    return [_silence(r) for r in rows]


def record(session: Session, silence_id: int, now: datetime, **values: Any) -> None:
    """Change a silence's fields; an error is cut to ERROR_CHARS."""
    if values.get("last_error"):
        values["last_error"] = str(values["last_error"])[:ERROR_CHARS]
    session.execute(
        update(SilenceRow)
        .where(SilenceRow.id == silence_id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


def failed_once(session: Session, silence_id: int, error: str, now: datetime) -> None:
    """Count a failed call and keep why (the state stays as it was)."""
    session.execute(
        update(SilenceRow)
        .where(SilenceRow.id == silence_id)
        .values(updated_at=now, last_error=error[:ERROR_CHARS], attempts=SilenceRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )


def still_open(session: Session, after: int, limit: int) -> list[tuple[Silence, str]]:
    """Silences not ended yet with their window's status, by id after `after` (a bounded page)."""
    rows = session.execute(
        select(SilenceRow, WindowRow.status)
        .join(WindowRow, WindowRow.id == SilenceRow.window_id)
        .where(SilenceRow.state.in_(OPEN), SilenceRow.id > after)
        .order_by(SilenceRow.id)
        .limit(limit)
    )
    return [(_silence(row), str(status)) for row, status in rows]
