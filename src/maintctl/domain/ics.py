"""Maintenance windows as an RFC 5545 calendar, for calendar apps to subscribe to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from icalendar import Calendar, Event, vText

from maintctl.domain.model import Status, Window


class TypedText(vText):
    """TEXT escaped exactly as RFC 5545 3.3.11 says.

    icalendar 7.3 first turns a typed backslash before a capital N into a line break (it takes
    it for an escape already made), so a path like \\\\NAS01\\backups came back broken.
    """

    def to_ical(self) -> bytes:
        text = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\n", "\\n")
        )
        return text.encode("utf-8")  # RFC 5545 3.1.4: content is UTF-8


PRODID = "-//maintctl//maintctl//EN"

EVENT_STATUS: dict[Status, str] = {
    Status.DRAFT: "TENTATIVE",
    Status.PENDING_APPROVAL: "TENTATIVE",
    Status.SCHEDULED: "CONFIRMED",
    Status.IN_PROGRESS: "CONFIRMED",
    Status.VERIFYING: "CONFIRMED",
    Status.COMPLETED: "CONFIRMED",
    Status.ROLLED_BACK: "CONFIRMED",
    Status.CLOSED: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
}

# RFC 5545 TEXT allows no control characters but tab and line breaks; icalendar passes them
# through, and some calendar apps then reject the whole feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def export_calendar(
    windows: Iterable[Window], *, name: str = "maintctl maintenance windows", now: datetime
) -> bytes:
    """One VCALENDAR with a VEVENT per window, as bytes ready to serve as text/calendar."""
    return b"".join(calendar_chunks(windows, name=name, now=now))


_END = b"END:VCALENDAR\r\n"


def calendar_chunks(
    windows: Iterable[Window], *, name: str = "maintctl maintenance windows", now: datetime
) -> Iterator[bytes]:
    """The same calendar piece by piece: the header, one VEVENT per window, the end.

    Nothing holds more than one event, so a feed of many windows costs the memory of one.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # icalendar does not know X-WR-CALNAME is TEXT and would write it unescaped.
    calendar.add("x-wr-calname", TypedText(_text(name)))
    empty = bytes(calendar.to_ical())  # to_ical is not annotated
    yield empty.removesuffix(_END)
    for window in windows:
        yield bytes(window_event(window, now=now).to_ical())
    yield _END


def window_event(window: Window, *, now: datetime) -> Event:
    """The VEVENT for one window; its UID stays the same however the window changes."""
    spec = window.spec
    event = Event()
    event.add("uid", f"{window.id}@maintctl")
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(spec.start))
    event.add("dtend", _utc(spec.end))
    event.add("summary", TypedText(_text(f"[{spec.type}] {spec.description}")))
    event.add("description", TypedText(_text(_description(window))))
    if spec.systems:
        event.add("categories", [_text(system) for system in spec.systems])
    event.add("sequence", window.sequence)
    event.add("last-modified", _utc(window.updated_at))
    event.add("status", EVENT_STATUS[window.status])
    return event


def _description(window: Window) -> str:
    spec = window.spec
    lines = [
        f"Owner: {spec.owner}",
        f"Systems: {', '.join(spec.systems)}",
        f"Impact: {spec.impact}",
        f"Risk: {spec.risk.value}",
        f"Status: {window.status.value}",
        f"ID: {window.id}",
    ]
    if window.status is Status.CANCELLED and window.cancel_reason:
        lines.append(f"Cancelled: {window.cancel_reason}")
    return "\n".join(lines)


def _text(value: str) -> str:
    return _CONTROL.sub("", value)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value.isoformat()} has no time zone; calendar times must be instants")
    return value.astimezone(UTC)
