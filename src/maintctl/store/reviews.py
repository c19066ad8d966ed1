"""A review's written parts (one row per window, with its own version) and what it counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.review import EMERGENCY, Written
from maintctl.store.db import upsert_insert
from maintctl.store.tables import ReviewRow, SystemRow, WindowRow

INCIDENTS_MAX = 100  # emergencies named in one review


def get(session: Session, window_id: str) -> tuple[Written, int] | None:
    """The written parts and their version, or None when nothing was written yet."""
    row = session.get(ReviewRow, window_id)
    if row is None:
        return None
    texts = Written(row.went_well, row.could_improve, row.lessons, tuple(row.incidents))
    return texts, row.version


def put(
    session: Session, window_id: str, texts: Written, version: int, who: str, now: datetime
) -> int:
    """Write over version `version` (0: first write); the new version, or 0 if another won."""
    values = {
        "went_well": texts.went_well,
        "could_improve": texts.could_improve,
        "lessons": texts.lessons,
        "incidents": list(texts.incidents),
        "updated_at": now,
        "updated_by": who,
    }
    if version == 0:
        # Two first writes at once: one inserts, the other finds the row and is told it lost.
        insert = upsert_insert(session)(ReviewRow).values(window_id=window_id, version=1, **values)
        statement = insert.on_conflict_do_nothing(index_elements=["window_id"])
        found = session.execute(statement.returning(ReviewRow.window_id)).first()
        return 1 if found is not None else 0
    changed = session.execute(
        update(ReviewRow)
        .where(ReviewRow.window_id == window_id, ReviewRow.version == version)
        .values(version=version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return version + 1 if changed.rowcount == 1 else 0  # type: ignore[attr-defined]


def emergencies_during(
    session: Session, window_id: str, systems: list[str], start: datetime, end: datetime
) -> list[str]:
    """Emergency windows on any of `systems` that ran while [start, end) did, by ID.

    Found through the systems' rows by their scheduled start, looked back by the longest window
    any may be, so the query never scans other systems or other years.
    """
    began = WindowRow.actual_start
    query = (
        select(WindowRow.id)
        .join(SystemRow, SystemRow.window_id == WindowRow.id)
        .where(
            SystemRow.system.in_(systems[: bounds.MAX_SYSTEMS]),
            SystemRow.start_at >= start - bounds.MAX_WINDOW,
            SystemRow.start_at < end + timedelta(days=1),
            WindowRow.type == EMERGENCY,
            WindowRow.id != window_id,
            began.is_not(None),
            began < end,
            (WindowRow.actual_end.is_(None)) | (WindowRow.actual_end > start),
        )
        .distinct()
        .order_by(WindowRow.id)
        .limit(INCIDENTS_MAX)
    )
    return list(session.scalars(query))
