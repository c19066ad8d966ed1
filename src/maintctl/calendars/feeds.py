"""Read outside iCalendar feeds, expand their recurrences and return their events in UTC."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
import recurring_ical_events
from icalendar import Calendar, Event

from maintctl.config import CalendarFeed
from maintctl.domain.errors import Problem
from maintctl.domain.intervals import Interval
from maintctl.domain.model import CalendarEvent, ItemKind, Severity

_URL_SCHEMES = ("http", "https")


class FeedError(Exception):
    """A feed could not be read or parsed; `.problem` names the feed and what went wrong."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.line())
        self.problem = problem


class _Occurrences(Protocol):
    """The part of recurring_ical_events' query we use (the library ships no type hints)."""

    def between(self, start: datetime, stop: datetime) -> list[Event]: ...


@dataclass(frozen=True)
class _Loaded:
    occurrences: _Occurrences
    stamp: float  # a file's mtime in ns, or the monotonic time a URL was fetched


class FeedReader:
    """Every configured feed, each parsed once and kept until its file changes or its TTL ends."""

    def __init__(
        self,
        feeds: Sequence[CalendarFeed],
        base_dir: Path,
        ttl_seconds: float = 300.0,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._feeds = list(feeds)
        self._base_dir = base_dir
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds
        self._cache: dict[str, _Loaded] = {}

    def events(self, span: Interval) -> list[CalendarEvent]:
        """Every occurrence, from every feed, overlapping span, sorted by (start, calendar)."""
        found: list[CalendarEvent] = []
        for feed in self._feeds:
            found += self._events_of(feed, span)
        return sorted(found, key=lambda e: (e.start, e.calendar, e.end, e.uid, e.summary))

    def oncall_calendars(self) -> dict[str, Severity]:
        """Name -> severity of the feeds whose kind is oncall."""
        return {f.name: f.item_severity for f in self._feeds if f.item_kind is ItemKind.ONCALL}

    def _events_of(self, feed: CalendarFeed, span: Interval) -> list[CalendarEvent]:
        occurrences = self._load(feed)
        try:
            components = occurrences.between(span.start, span.end)
            return [
                _event(feed, c)
                for c in components
                if str(c.get("STATUS", "")).upper() != "CANCELLED"
            ]
        except (ValueError, KeyError) as exc:
            raise _error(feed, f"has an event that cannot be read: {_reason(exc)}") from None

    def _load(self, feed: CalendarFeed) -> _Occurrences:
        scheme = urlsplit(feed.source).scheme.lower()
        if scheme in _URL_SCHEMES:
            return self._load_url(feed)
        if "://" in feed.source:
            raise _error(
                feed,
                f"source has an unsupported scheme {scheme!r}",
                "use an http(s) URL or a file path",
            )
        return self._load_file(feed)

    def _load_file(self, feed: CalendarFeed) -> _Occurrences:
        path = self._base_dir / Path(feed.source).expanduser()
        try:
            mtime = path.stat().st_mtime_ns
            cached = self._cache.get(feed.name)
            if cached is not None and cached.stamp == mtime:
                return cached.occurrences
            data = path.read_bytes()
        except FileNotFoundError:
            raise _error(feed, f"file {path} does not exist") from None
        except OSError as exc:
            raise _error(feed, f"file {path} cannot be read: {exc.strerror or exc}") from None
        occurrences = _parse(feed, data, f"file {path}")
        self._cache[feed.name] = _Loaded(occurrences, mtime)
        return occurrences

    def _load_url(self, feed: CalendarFeed) -> _Occurrences:
        cached = self._cache.get(feed.name)
        if cached is not None and time.monotonic() - cached.stamp < self._ttl:
            return cached.occurrences
        url = _safe_url(feed.source)
        # `from None` throughout: httpx errors carry the request, whose URL may hold credentials.
        try:
            response = httpx.get(feed.source, follow_redirects=True, timeout=self._timeout)
        except httpx.TimeoutException:
            raise _error(feed, f"{url} did not answer within {self._timeout:g}s") from None
        except httpx.ConnectError:
            raise _error(feed, f"cannot connect to {url}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _error(feed, f"request to {url} failed ({type(exc).__name__})") from None
        if not response.is_success:
            raise _error(feed, f"{url} answered HTTP {response.status_code}")
        # The body may be an error page echoing the request, so name only its content type.
        content_type = response.headers.get("content-type", "none")
        where = f"the response from {url} (Content-Type {content_type})"
        occurrences = _parse(feed, response.content, where, explain=False)
        self._cache[feed.name] = _Loaded(occurrences, time.monotonic())
        return occurrences


def _parse(feed: CalendarFeed, data: bytes, where: str, explain: bool = True) -> _Occurrences:
    try:
        calendar = Calendar.from_ical(data)
        if calendar.name != "VCALENDAR":
            raise ValueError(f"it holds a {calendar.name}, not a VCALENDAR")
        occurrences: _Occurrences = recurring_ical_events.of(calendar)
    except (ValueError, KeyError) as exc:
        detail = f": {_reason(exc)}" if explain else ""
        raise _error(feed, f"{where} is not iCalendar{detail}") from None
    return occurrences


def _event(feed: CalendarFeed, component: Event) -> CalendarEvent:
    # recurring_ical_events sets DTEND on every occurrence, computing it from DURATION or,
    # when both are missing, as zero length (one day for an all-day event).
    return CalendarEvent(
        calendar=feed.name,
        kind=feed.item_kind,
        severity=feed.item_severity,
        summary=str(component.get("SUMMARY", "")).strip() or "(no title)",
        start=_utc(component.start),
        end=_utc(component.end),
        uid=str(component.get("UID", "")),
    )


def _utc(value: date | datetime) -> datetime:
    """An iCalendar DATE or DATE-TIME as a UTC instant; dates and floating times are UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _safe_url(url: str) -> str:
    """The URL without user, password, query or fragment, where tokens usually hide."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is missing"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _error(feed: CalendarFeed, what: str, fix: str = "") -> FeedError:
    return FeedError(
        Problem(
            field=f"calendars.{feed.name}",
            rule="calendar-feed",
            message=f"calendar {feed.name!r}: {what}",
            fix=fix or f"check calendars.{feed.name}.source in the config file",
        )
    )
