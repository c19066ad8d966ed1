"""What every use case needs: the database, the effective config, calendar feeds and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from maintctl.config import Config
from maintctl.domain.errors import MaintctlError
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent
from maintctl.store.db import Database

if TYPE_CHECKING:
    from maintctl.calendars.feeds import FeedReader
    from maintctl.store.feeds import Cached


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoredFeeds:
    """The feed_cache table as the FeedReader reads it: one short read per question."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def states(self) -> dict[str, Cached]:
        from maintctl.store import feeds as feed_store

        with self._db.read() as session:
            return feed_store.states(session)

    def body(self, name: str) -> bytes | None:
        from maintctl.store import feeds as feed_store

        with self._db.read() as session:
            return feed_store.body(session, name)


class FeedUnavailable(MaintctlError):
    """An outside calendar could not be read: the checks cannot be trusted, so nothing passes."""

    kind = "calendar-feed"


@dataclass(frozen=True)
class LocalIdentity:
    """Local mode: whoever can open the database file may do anything, so no token is asked.

    The OS user acts with admin rights; `as_user` acts as that account, under every rule.
    """

    os_user: str
    as_user: str | None = None


@dataclass
class Deps:
    db: Database
    config: Config
    clock: Callable[[], datetime] = field(default=utc_now)
    local: LocalIdentity | None = None

    @classmethod
    def build(
        cls,
        db: Database,
        config: Config,
        clock: Callable[[], datetime] = utc_now,
        local: LocalIdentity | None = None,
    ) -> Deps:
        """`local` set: the in-process app of the CLI; None: a server that wants tokens."""
        return cls(db, config, clock, local)

    @cached_property
    def feeds(self) -> FeedReader:
        # Built on first use: icalendar costs a CLI command tens of ms it mostly never needs.
        from maintctl.calendars.feeds import FeedReader

        return FeedReader(self.config.calendars, self.config.base_dir, StoredFeeds(self.db))

    def events(self, span: Interval) -> list[CalendarEvent]:
        """Calendar events overlapping `span`; an unreadable or stale blocking feed refuses the
        whole request (requests never fetch: `maintctl calendars refresh` does)."""
        from maintctl.calendars.feeds import FeedError

        try:
            return self.feeds.events(span, self.clock())
        except FeedError as exc:
            raise FeedUnavailable([exc.problem]) from None
