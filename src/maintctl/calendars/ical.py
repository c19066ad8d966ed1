"""Parse an iCalendar body and ask it, within bounds, which occurrences touch an interval."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import recurring_ical_events
from icalendar import Calendar, Event

from maintctl.domain import bounds
from maintctl.domain.intervals import Interval

# recurring_ical_events compares an event's wall-clock length, not its true one, so an event
# across a DST change is missed by a query near its end (issue 6, section 8). No DST shift is a
# day long: widen every query by a day each side, then keep what truly overlaps in UTC.
WIDEN = timedelta(days=1)
# Ask the library a slice at a time so a dense feed (an event a minute) never builds more than a
# slice of occurrences before the event limit stops it.
_FIRST_SLICE = timedelta(days=1)
_MIN_SLICE = timedelta(hours=1)
_MAX_SLICE = timedelta(days=64)
_TZ_PROPERTIES = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE")


class ICalError(ValueError):
    """The body is not usable iCalendar; the message says why, in one line.

    `quotes_body` is set when the message is the parser's, which may quote the body: a
    downloaded error page can echo the request, credentials and all.
    """

    def __init__(self, message: str, quotes_body: bool = False) -> None:
        super().__init__(message)
        self.quotes_body = quotes_body


class TooManyEvents(ICalError):
    """More occurrences than bounds.FEED_MAX_EVENTS for one question."""


class _Occurrences(Protocol):
    """The part of recurring_ical_events' query we use (the library ships no type hints)."""

    def between(self, start: datetime, stop: datetime) -> list[Event]: ...


def parse(data: bytes) -> _Occurrences:
    """The occurrences of a VCALENDAR body; refuses one with a TZID no zone database knows."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError) as exc:
        raise ICalError(reason(exc), quotes_body=True) from None
    if calendar.name != "VCALENDAR":
        raise ICalError(f"it holds a {calendar.name}, not a VCALENDAR")
    unknown = sorted(_unknown_zones(calendar))
    if unknown:
        # icalendar drops an unknown TZID and leaves the time floating, which we would read as
        # UTC: hours off without a word. Refuse instead.
        raise ICalError(f"unknown TZID {', '.join(map(repr, unknown[:3]))}")
    try:
        occurrences: _Occurrences = recurring_ical_events.of(calendar)
    except (ValueError, KeyError) as exc:
        raise ICalError(reason(exc), quotes_body=True) from None
    return occurrences


def _unknown_zones(calendar: Calendar) -> Iterator[str]:
    for component in calendar.walk():
        for name in _TZ_PROPERTIES:
            found = component.get(name)
            for prop in found if isinstance(found, list) else [found]:
                zone = getattr(prop, "params", {}).get("TZID")
                if zone and any(_floating(v) for v in _values(prop)):
                    yield str(zone)


def _values(prop: Any) -> list[object]:
    if hasattr(prop, "dts"):
        return [d.dt for d in prop.dts]
    return [getattr(prop, "dt", None)]


def _floating(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is None


def occurrences(source: _Occurrences, span: Interval) -> list[Event]:
    """Every occurrence whose true UTC interval overlaps span, at most FEED_MAX_EVENTS of them."""
    wide = Interval(span.start - WIDEN, span.end + WIDEN)
    found: dict[tuple[str, datetime, datetime, str], Event] = {}
    seen = 0
    at, size = wide.start, _FIRST_SLICE
    while at < wide.end:
        stop = min(at + size, wide.end)
        batch = source.between(at, stop)
        seen += len(batch)
        if seen > bounds.FEED_MAX_EVENTS:
            raise TooManyEvents(
                f"has more than {bounds.FEED_MAX_EVENTS} events between {_day(span.start)} "
                f"and {_day(span.end)}"
            )
        for event in batch:
            start, end = utc(event.start), utc(event.end)
            if _touches(Interval(start, end), span):
                # Slices share their edges: an event there comes back twice.
                key = (str(event.get("UID", "")), start, end, str(event.get("SUMMARY", "")))
                found[key] = event
        # Grow the slice while it comes back sparse, shrink it while dense.
        dense = len(batch) > bounds.FEED_MAX_EVENTS // 16
        size = max(size / 2, _MIN_SLICE) if dense else min(size * 2, _MAX_SLICE)
        at = stop
    return list(found.values())


def _touches(event: Interval, span: Interval) -> bool:
    # A zero-length event (a marker) counts where it stands.
    if event.start == event.end:
        return span.start <= event.start < span.end
    return event.overlaps(span)


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def utc(value: date | datetime) -> datetime:
    """An iCalendar DATE or DATE-TIME as a UTC instant; dates and floating times are UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def reason(exc: Exception) -> str:
    """An exception as one short line."""
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is missing"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
