"""Windows that ran, written straight to the store: the SLA report's and stats' test data."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from maintctl.domain.model import Status, Window, WindowSpec
from maintctl.store import windows as store
from maintctl.store.db import Database
from maintctl.store.tables import NotificationRow

_numbers = count(1)


def ran(
    db: Database,
    type_name: str,
    systems: list[str],
    start: datetime,
    planned: timedelta,
    actual: timedelta | None,
    *,
    late_start: timedelta = timedelta(0),
    status: Status = Status.COMPLETED,
) -> str:
    """A window of `type_name` planned from `start` for `planned`, that ran for `actual` (None:
    it never started)."""
    number = next(_numbers)
    window_id = f"MNT-2026-{number:04d}"
    spec = WindowSpec(type_name, start, start + planned, systems, "sre-team", "work")
    began = start + late_start if actual is not None else None
    ended = began + actual if began is not None and actual is not None else None
    made = Window(
        window_id,
        status if actual is not None else Status.SCHEDULED,
        spec,
        "alice",
        start - timedelta(days=30),
        start,
        actual_start=began,
        actual_end=ended,
    )
    with db.write() as session:
        store.add(session, made, None)
    return window_id


def notice(db: Database, window_id: str, due: datetime, sent: datetime | None, kind: str) -> None:
    """One planned notice of the window, sent at `sent` (None: never)."""
    with db.write() as session:
        session.add(
            NotificationRow(
                window_id=window_id,
                kind=kind,
                audience="customers-all",
                channel="email",
                manual=False,
                due_at=due,
                status="sent" if sent else "failed",
                created_at=due - timedelta(days=8),
                sent_at=sent,
            )
        )
