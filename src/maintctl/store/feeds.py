"""The cache of URL calendar feeds: one row per feed, written by refresh, read by every request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.store.db import upsert_insert
from maintctl.store.tables import FeedCacheRow


@dataclass(frozen=True)
class Cached:
    """What is known of one feed's last download, without its body."""

    name: str
    source_hash: str
    fetched_at: datetime | None
    etag: str | None
    last_modified: str | None
    checked_at: datetime | None
    error: str | None
    body_hash: str | None


def source_hash(source: str) -> str:
    return sha256(source.encode())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def states(session: Session) -> dict[str, Cached]:
    """Every cached feed's state by name (bodies left in the database)."""
    rows = session.execute(
        select(
            FeedCacheRow.name,
            FeedCacheRow.source_hash,
            FeedCacheRow.fetched_at,
            FeedCacheRow.etag,
            FeedCacheRow.last_modified,
            FeedCacheRow.checked_at,
            FeedCacheRow.error,
            FeedCacheRow.body_hash,
        )
    )
    return {r[0]: Cached(*r) for r in rows}


def body(session: Session, name: str) -> bytes | None:
    return session.scalar(select(FeedCacheRow.body).where(FeedCacheRow.name == name))


def save(session: Session, name: str, digest: str, values: dict[str, Any]) -> None:
    """Insert or update one feed's row; two replicas refreshing at once both succeed."""
    insert = upsert_insert(session)
    statement = insert(FeedCacheRow).values({"name": name, "source_hash": digest, **values})
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))
