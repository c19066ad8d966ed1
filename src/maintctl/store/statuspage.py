"""Which hosted Statuspage incident shows which window, per channel, and what it was last told.

A sync holds the (channel, window) row for a short lease, taken by a conditional UPDATE that
must change exactly one row, so two workers never talk about one window at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from maintctl.store.db import upsert_insert
from maintctl.store.tables import StatuspageIncidentRow


@dataclass(frozen=True)
class Synced:
    """A window's hosted incident as last recorded."""

    incident_id: str | None
    create_sent: bool
    fields: dict[str, Any]
    last_update: int


def _key(channel: str, window_id: str) -> Any:
    return and_(
        StatuspageIncidentRow.channel == channel, StatuspageIncidentRow.window_id == window_id
    )


def hold(
    session: Session, channel: str, window_id: str, holder: str, now: datetime, lease: timedelta
) -> Synced | None:
    """Take the row's lease (making the row if needed); None while another holder has it."""
    insert = upsert_insert(session)
    session.execute(
        insert(StatuspageIncidentRow)
        .values(
            channel=channel,
            window_id=window_id,
            create_sent=False,
            synced={},
            last_update=0,
        )
        .on_conflict_do_nothing(index_elements=["channel", "window_id"])
    )
    free = or_(
        StatuspageIncidentRow.held_by.is_(None),
        StatuspageIncidentRow.held_by == holder,
        StatuspageIncidentRow.held_until < now,
    )
    changed = session.execute(
        update(StatuspageIncidentRow)
        .where(_key(channel, window_id), free)
        .values(held_by=holder, held_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.get(StatuspageIncidentRow, (channel, window_id), populate_existing=True)
    assert row is not None
    return Synced(row.incident_id, row.create_sent, dict(row.synced or {}), row.last_update)


def record(
    session: Session, channel: str, window_id: str, holder: str, now: datetime, **values: Any
) -> None:
    """Record what Statuspage accepted (only while `holder` holds the row)."""
    session.execute(
        update(StatuspageIncidentRow)
        .where(_key(channel, window_id), StatuspageIncidentRow.held_by == holder)
        .values(synced_at=now, **values)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, channel: str, window_id: str, holder: str) -> None:
    """Give the lease up."""
    session.execute(
        update(StatuspageIncidentRow)
        .where(_key(channel, window_id), StatuspageIncidentRow.held_by == holder)
        .values(held_by=None, held_until=None)
        .execution_options(synchronize_session=False)
    )


def get(session: Session, channel: str, window_id: str) -> Synced | None:
    row = session.get(StatuspageIncidentRow, (channel, window_id))
    if row is None:
        return None
    return Synced(row.incident_id, row.create_sent, dict(row.synced or {}), row.last_update)
