"""The rows of our own calendar feed: a cheap stamp for its ETag, and the rows streamed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from maintctl.domain.model import Window
from maintctl.store.tables import WindowRow
from maintctl.store.windows import to_window

BATCH = 500  # rows fetched at a time, so the feed's memory does not grow with the table


def stamp(session: Session, ending_after: datetime) -> tuple[int, datetime | None, int]:
    """Count, last update and summed versions of the windows ending after `ending_after`.

    Every change to a window bumps its version, so the sum moves even when two changes share
    a clock reading; a new window moves the count.
    """
    query = select(
        func.count(), func.max(WindowRow.updated_at), func.coalesce(func.sum(WindowRow.version), 0)
    ).where(WindowRow.end_at > ending_after)
    count, last, versions = session.execute(query).one()
    return int(count), last, int(versions)


def windows(session: Session, ending_after: datetime, limit: int) -> Iterator[Window]:
    """The `limit` windows ending after `ending_after` that start last, latest first."""
    query = (
        select(WindowRow)
        .where(WindowRow.end_at > ending_after)
        .order_by(WindowRow.start_at.desc(), WindowRow.id.desc())
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    for row in session.scalars(query):
        yield to_window(row)
