"""Acknowledgements of checklist items: who attested what on a window, and what they withdrew."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.store.tables import AckRow


@dataclass(frozen=True)
class Ack:
    item: str
    account: str
    at: datetime


def standing(session: Session, window_id: str) -> list[Ack]:
    """The window's acknowledgements not withdrawn, oldest first (bounded)."""
    query = (
        select(AckRow)
        .where(AckRow.window_id == window_id, AckRow.undone_at.is_(None))
        .order_by(AckRow.id)
        .limit(bounds.ACKS_PER_WINDOW_MAX)
    )
    return [Ack(r.item, r.account, r.at) for r in session.scalars(query)]


def count(session: Session, window_id: str) -> int:
    """Every acknowledgement ever given on the window, withdrawn ones too."""
    query = select(func.count()).select_from(AckRow).where(AckRow.window_id == window_id)
    return int(session.scalar(query) or 0)


def add(session: Session, window_id: str, item: str, account: str, at: datetime) -> None:
    session.add(AckRow(window_id=window_id, item=item, account=account, at=at))
    session.flush()


def withdraw(session: Session, window_id: str, item: str, account: str, at: datetime) -> int:
    """Withdraw the account's standing acknowledgement of the item; how many rows changed."""
    changed = session.execute(
        update(AckRow)
        .where(
            AckRow.window_id == window_id,
            AckRow.item == item,
            AckRow.account == account,
            AckRow.undone_at.is_(None),
        )
        .values(undone_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]
