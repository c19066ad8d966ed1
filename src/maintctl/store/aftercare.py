"""The records the post-maintenance judges read: a window's validation after its work began."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.domain.checks import Status
from maintctl.store.tables import CheckResultRow, ValidationRunRow
from maintctl.store.validation import FINISHED

# The runs that validate the system (a baseline captures, it judges nothing).
_JUDGING = ("check", "compare")


def last_run_since(session: Session, window_id: str, since: datetime) -> ValidationRunRow | None:
    """The window's newest finished check or compare run created at or after `since`."""
    query = (
        select(ValidationRunRow)
        .where(
            ValidationRunRow.window_id == window_id,
            ValidationRunRow.purpose.in_(_JUDGING),
            ValidationRunRow.status.in_(FINISHED),
            ValidationRunRow.created_at >= since,
        )
        .order_by(ValidationRunRow.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def failing(session: Session, run_id: int, limit: int) -> list[str]:
    """Names of up to `limit` checks of the run that did not pass, in the order written."""
    query = (
        select(CheckResultRow.name)
        .where(CheckResultRow.run_id == run_id, CheckResultRow.status != Status.PASS.value)
        .order_by(CheckResultRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))
