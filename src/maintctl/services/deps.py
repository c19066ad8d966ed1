"""What every use case needs: the database, the effective config, calendar feeds and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from maintctl.calendars.feeds import FeedError, FeedReader
from maintctl.config import Config
from maintctl.domain.errors import MaintctlError
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent
from maintctl.store.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


class FeedUnavailable(MaintctlError):
    """An outside calendar could not be read: the checks cannot be trusted, so nothing passes."""

    kind = "calendar-feed"


@dataclass
class Deps:
    db: Database
    config: Config
    feeds: FeedReader
    clock: Callable[[], datetime] = field(default=utc_now)
    actor: str = "maintctl"

    @classmethod
    def build(
        cls,
        db: Database,
        config: Config,
        actor: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> Deps:
        return cls(db, config, FeedReader(config.calendars, config.base_dir), clock, actor)

    def events(self, span: Interval) -> list[CalendarEvent]:
        """Calendar events overlapping `span`; an unreadable feed refuses the whole request."""
        try:
            return self.feeds.events(span)
        except FeedError as exc:
            raise FeedUnavailable([exc.problem]) from None
