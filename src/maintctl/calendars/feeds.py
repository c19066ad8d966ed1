"""Read outside iCalendar feeds: files from disk, URLs from the shared cache; never fetch here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from maintctl.config import CalendarFeed
from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent, ItemKind, Severity
from maintctl.domain.times import format_duration, format_instant
from maintctl.store.feeds import Cached, source_hash

if TYPE_CHECKING:
    from icalendar import Event

    from maintctl.calendars import ical

REFRESH_FIX = "run maintctl calendars refresh (maintctl serve does it on a timer)"


class FeedError(Exception):
    """A feed could not be read or parsed; `.problem` names the feed and what went wrong."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.line())
        self.problem = problem


class FeedCache(Protocol):
    """The shared cache of URL feeds (the feed_cache table)."""

    def states(self) -> dict[str, Cached]: ...

    def body(self, name: str) -> bytes | None: ...


def is_url(feed: CalendarFeed) -> bool:
    return urlsplit(feed.source).scheme.lower() in ("http", "https")


@dataclass(frozen=True)
class _Loaded:
    occurrences: ical._Occurrences
    stamp: object  # a file's mtime in ns, or the cache row's body hash


class FeedReader:
    """Every configured feed, each parsed once and kept until its file or cache row changes."""

    def __init__(
        self, feeds: Sequence[CalendarFeed], base_dir: Path, cache: FeedCache | None = None
    ) -> None:
        self._feeds = list(feeds)
        self._base_dir = base_dir
        self._store = cache
        self._parsed: dict[str, _Loaded] = {}

    @property
    def feeds(self) -> list[CalendarFeed]:
        return list(self._feeds)

    def events(self, span: Interval, now: datetime) -> list[CalendarEvent]:
        """Every occurrence, from every feed, overlapping span, sorted by (start, calendar).

        A URL feed older than its max_age refuses the question when it blocks, and adds one
        warning item over the span when it only warns.
        """
        found: list[CalendarEvent] = []
        states = self._store.states() if self._store and any(map(is_url, self._feeds)) else {}
        for feed in self._feeds:
            if is_url(feed):
                occurrences, warning = self._from_cache(feed, states.get(feed.name), span, now)
                if warning is not None:
                    found.append(warning)
                if occurrences is None:
                    continue
            else:
                occurrences = self._from_file(feed)
            found += _events(feed, occurrences, span)
        return sorted(found, key=lambda e: (e.start, e.calendar, e.end, e.uid, e.summary))

    def oncall_calendars(self) -> dict[str, Severity]:
        """Name -> severity of the feeds whose kind is oncall."""
        return {f.name: f.item_severity for f in self._feeds if f.item_kind is ItemKind.ONCALL}

    def _from_cache(
        self, feed: CalendarFeed, row: Cached | None, span: Interval, now: datetime
    ) -> tuple[ical._Occurrences | None, CalendarEvent | None]:
        if row is None or row.source_hash != source_hash(feed.source):
            row = None
        fetched = row.fetched_at if row else None
        stale = _staleness(feed, fetched, row.error if row else None, now)
        if stale and feed.item_severity is Severity.BLOCK:
            raise error(feed, stale, REFRESH_FIX)
        warning = _stale_item(feed, stale, span) if stale else None
        if row is None or fetched is None:
            return None, warning
        stamp = row.body_hash
        cached = self._parsed.get(feed.name)
        if cached is not None and cached.stamp == stamp:
            return cached.occurrences, warning
        assert self._store is not None  # a row came from it
        data = self._store.body(feed.name) or b""
        occurrences = _parse(feed, data, "its cached copy", REFRESH_FIX)
        self._parsed[feed.name] = _Loaded(occurrences, stamp)
        return occurrences, warning

    def _from_file(self, feed: CalendarFeed) -> ical._Occurrences:
        path = self._base_dir / Path(feed.source).expanduser()
        fix = f"check calendars.{feed.name}.source in the config file"
        try:
            stat = path.stat()
            cached = self._parsed.get(feed.name)
            if cached is not None and cached.stamp == stat.st_mtime_ns:
                return cached.occurrences
            if stat.st_size > bounds.FEED_MAX_BYTES:
                raise error(
                    feed,
                    f"file {path} is {stat.st_size} bytes, more than the "
                    f"{bounds.FEED_MAX_BYTES} a feed may be",
                    "split the feed or keep fewer past events in it",
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise error(feed, f"file {path} does not exist", fix) from None
        except IsADirectoryError:
            raise error(feed, f"{path} is a directory, not a file", fix) from None
        except OSError as exc:
            raise error(feed, f"file {path} cannot be read: {exc.strerror or exc}", fix) from None
        occurrences = _parse(feed, data, f"file {path}", fix)
        self._parsed[feed.name] = _Loaded(occurrences, stat.st_mtime_ns)
        return occurrences


def _staleness(
    feed: CalendarFeed, fetched: datetime | None, error: str | None, now: datetime
) -> str:
    """Why the cached copy cannot be trusted now, or "" when it can."""
    last = f" (last error: {error})" if error else ""
    if fetched is None:
        return f"has not been fetched yet{last}"
    if now - fetched > feed.max_age:
        return (
            f"was last fetched at {format_instant(fetched)}, longer ago than its max_age "
            f"{format_duration(feed.max_age)}{last}"
        )
    return ""


def _stale_item(feed: CalendarFeed, why: str, span: Interval) -> CalendarEvent:
    return CalendarEvent(
        calendar=feed.name,
        kind=ItemKind.NOTE,
        severity=Severity.WARN,
        summary=f"calendar {feed.name!r} {why}; its events may be missing: {REFRESH_FIX}",
        start=span.start,
        end=span.end,
        uid=f"stale:{feed.name}",
    )


def parse_download(feed: CalendarFeed, data: bytes, where: str) -> ical._Occurrences:
    """A downloaded body checked as refresh checks it before caching it."""
    return _parse(feed, data, where, f"check what {where} serves", explain=False)


def _parse(
    feed: CalendarFeed, data: bytes, where: str, fix: str, explain: bool = True
) -> ical._Occurrences:
    # Read here, not at import: `calendars status` and a config without feeds never parse.
    from maintctl.calendars import ical

    try:
        return ical.parse(data)
    except ical.ICalError as exc:
        why = "" if exc.quotes_body and not explain else f": {exc}"
        raise error(feed, f"{where} is not usable iCalendar{why}", fix) from None


def _events(
    feed: CalendarFeed, occurrences: ical._Occurrences, span: Interval
) -> list[CalendarEvent]:
    from maintctl.calendars import ical

    try:
        components = ical.occurrences(occurrences, span)
    except ical.TooManyEvents as exc:
        raise error(
            feed, str(exc), f"ask about a shorter span, or thin calendars.{feed.name}"
        ) from None
    except (ValueError, KeyError) as exc:
        raise error(
            feed,
            f"has an event that cannot be read: {ical.reason(exc)}",
            f"check what calendars.{feed.name}.source holds",
        ) from None
    return [_event(feed, c) for c in components if str(c.get("STATUS", "")).upper() != "CANCELLED"]


def _event(feed: CalendarFeed, component: Event) -> CalendarEvent:
    from maintctl.calendars import ical

    # recurring_ical_events sets DTEND on every occurrence, computing it from DURATION or,
    # when both are missing, as zero length (one day for an all-day event).
    return CalendarEvent(
        calendar=feed.name,
        kind=feed.item_kind,
        severity=feed.item_severity,
        summary=str(component.get("SUMMARY", "")).strip()[:200] or "(no title)",
        start=ical.utc(component.start),
        end=ical.utc(component.end),
        uid=str(component.get("UID", ""))[:200],
    )


def error(feed: CalendarFeed, what: str, fix: str) -> FeedError:
    """A FeedError naming the feed."""
    return FeedError(
        Problem(
            field=f"calendars.{feed.name}",
            rule="calendar-feed",
            message=f"calendar {feed.name!r}: {what}",
            fix=fix,
        )
    )
