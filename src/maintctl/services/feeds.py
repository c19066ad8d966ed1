"""Refreshing URL calendar feeds into the shared cache, and reporting how fresh each feed is."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from maintctl.calendars.feeds import FeedError, is_url, parse_download
from maintctl.calendars.fetch import FetchError, fetch, safe_url
from maintctl.config import CalendarFeed
from maintctl.domain.roles import APPROVER_RANK, Principal, Role, forbid
from maintctl.domain.times import format_duration, format_instant
from maintctl.services.deps import Deps
from maintctl.store import feeds as store

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class FeedStatus:
    """One feed as `maintctl calendars status` shows it."""

    name: str
    kind: str
    severity: str
    source: str  # a URL without its secrets, or the file path
    max_age: str
    fetched_at: datetime | None
    fresh: bool
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "severity": self.severity,
            "source": self.source,
            "max_age": self.max_age,
            "fetched_at": format_instant(self.fetched_at) if self.fetched_at else None,
            "fresh": self.fresh,
            "error": self.error,
        }


def status(deps: Deps) -> list[FeedStatus]:
    """Every configured feed and how fresh its cached copy is (files are always fresh)."""
    with deps.db.read() as session:
        rows = store.states(session)
    now = deps.clock()
    found = []
    for feed in deps.config.calendars:
        if not is_url(feed):
            found.append(_status(feed, feed.source, None, True, None))
            continue
        row = rows.get(feed.name)
        if row is not None and row.source_hash != store.source_hash(feed.source):
            row = None
        fetched = row.fetched_at if row else None
        fresh = fetched is not None and now - fetched <= feed.max_age
        found.append(
            _status(feed, safe_url(feed.source), fetched, fresh, row.error if row else None)
        )
    return found


def _status(
    feed: CalendarFeed, source: str, fetched: datetime | None, fresh: bool, error: str | None
) -> FeedStatus:
    return FeedStatus(
        feed.name,
        feed.kind,
        feed.severity,
        source,
        format_duration(feed.max_age),
        fetched,
        fresh,
        error,
    )


def refresh(deps: Deps, who: Principal) -> list[FeedStatus]:
    """Fetch every URL feed now (approver or admin): conditional GETs into the shared cache."""
    if not (who.role in APPROVER_RANK or who.role == Role.ADMIN):
        raise forbid("refreshing calendars", f"team-lead or higher, or admin (you are {who.role})")
    refresh_all(deps)
    return status(deps)


def refresh_all(deps: Deps) -> int:
    """Fetch every URL feed; the number that failed. Each feed's error is kept on its row."""
    failed = 0
    for feed in deps.config.calendars:
        if is_url(feed) and not _refresh_one(deps, feed):
            failed += 1
    return failed


def _refresh_one(deps: Deps, feed: CalendarFeed) -> bool:
    digest = store.source_hash(feed.source)
    with deps.db.read() as session:
        row = store.states(session).get(feed.name)
    if row is not None and row.source_hash != digest:
        row = None
    # The download runs outside any transaction: a slow feed must not hold the write lock.
    try:
        got = fetch(
            feed.source,
            etag=row.etag if row and row.fetched_at else None,
            last_modified=row.last_modified if row and row.fetched_at else None,
        )
        if got.body is not None:
            # Name only the content type: the body may be an error page echoing the request.
            where = f"the response from {safe_url(feed.source)} (Content-Type {got.content_type})"
            parse_download(feed, got.body, where)
    except (FetchError, FeedError) as exc:
        message = exc.problem.message if isinstance(exc, FeedError) else str(exc)
        log.warning("calendar %r: refresh failed: %s", feed.name, message)
        values: dict[str, Any] = {"checked_at": deps.clock(), "error": message[:2000]}
        if row is None:
            # No row, or one for another source: nothing cached counts for this one.
            values |= {
                "source_hash": digest,
                "body": None,
                "body_hash": None,
                "fetched_at": None,
                "etag": None,
                "last_modified": None,
            }
        with deps.db.write() as session:
            store.save(session, feed.name, digest, values)
        return False
    now = deps.clock()
    values = {"source_hash": digest, "fetched_at": now, "checked_at": now, "error": None}
    if got.body is not None:  # 304 keeps the body and its validators
        values |= {
            "body": got.body,
            "body_hash": store.sha256(got.body),
            "etag": got.etag,
            "last_modified": got.last_modified,
        }
    with deps.db.write() as session:
        store.save(session, feed.name, digest, values)
    return True


def refresh_interval(deps: Deps) -> timedelta:
    """How often serve refreshes: every 5 minutes, or twice per the shortest max_age."""
    ages = [f.max_age / 2 for f in deps.config.calendars if is_url(f)]
    return max(min([REFRESH_EVERY, *ages]), timedelta(seconds=30))


REFRESH_KIND = "feeds.refresh"


def _slot(now: datetime, every: timedelta) -> datetime:
    """The start of the interval `now` falls in: a due time every process computes alike."""
    step = int(every.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


def _plan(deps: Deps, due: datetime) -> bool:
    # The key is the due time: two workers planning the same refresh plan one job.
    from maintctl.services import jobs

    return jobs.enqueue(deps, REFRESH_KIND, {}, due, f"{REFRESH_KIND}@{format_instant(due)}")


def plan_refresh(deps: Deps) -> bool:
    """Plan a refresh for the current interval, so a starting worker refreshes at once;
    False when no feed is a URL or one is planned already."""
    if not any(is_url(f) for f in deps.config.calendars):
        return False
    return _plan(deps, _slot(deps.clock(), refresh_interval(deps)))


def refresh_job(deps: Deps, payload: dict[str, Any]) -> str:
    """The `feeds.refresh` job: plan the next refresh, then fetch every URL feed.

    The next one is planned first, so a refresh that fails or a worker killed in the middle
    never ends the chain; a feed's error is kept on its row, so the job itself is done.
    """
    urls = sum(1 for f in deps.config.calendars if is_url(f))
    if not urls:
        return "no URL feeds configured; no refresh planned"
    every = refresh_interval(deps)
    _plan(deps, _slot(deps.clock(), every) + every)
    failed = refresh_all(deps)
    return f"{urls - failed} of {urls} feeds refreshed"


def _register() -> None:
    from maintctl.services import jobs

    jobs.register(REFRESH_KIND, refresh_job)


_register()
