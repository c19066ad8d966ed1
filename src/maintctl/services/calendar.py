"""The month view's items and the iCalendar export of all windows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from maintctl.domain import bounds, rules
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Conflict, ItemKind, Severity, Status
from maintctl.domain.recurrence import note_occurrences
from maintctl.services.deps import Deps
from maintctl.store import feed
from maintctl.store import windows as store


def month_span(text: str) -> tuple[int, int, Interval]:
    """Read YYYY-MM into (year, month, the month as a UTC interval)."""
    try:
        first = datetime.strptime(text.strip(), "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise RuleViolation(
            [Problem("month", "month-format", f"{text!r} is not a month", "write it like 2024-12")]
        ) from None
    # The whole month must lie inside the bounds (which run whole years): 9999-12 has no end.
    if not (first >= bounds.EARLIEST and first.year < bounds.LATEST.year):
        raise RuleViolation(
            [
                Problem(
                    "month",
                    "time-range",
                    f"{text!r} is outside the years {bounds.EARLIEST.year} to "
                    f"{bounds.LATEST.year - 1}",
                    f"give a month between {bounds.EARLIEST.year} and {bounds.LATEST.year - 1}",
                )
            ]
        )
    nxt = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return first.year, first.month, Interval(first, nxt)


def month_items(deps: Deps, session: Session, span: Interval) -> list[Conflict]:
    """Windows, freezes, calendar events and notes touching a month, by start."""
    policy = deps.config.policy
    items: list[Conflict] = []
    for w in store.overlapping(session, span):
        if w.status == Status.CANCELLED:
            continue
        items.append(
            Conflict(
                ItemKind.WINDOW,
                w.id,
                w.spec.start,
                w.spec.end,
                Severity.INFO,
                f"[{w.spec.type}] {w.spec.description} ({w.status.value})",
            )
        )
    items.extend(rules.freeze_items(policy, span))
    for note in policy.notes:
        for occ in note_occurrences(note, span):
            items.append(
                Conflict(
                    ItemKind.NOTE,
                    note.name,
                    occ.start,
                    occ.end,
                    Severity.INFO,
                    note.title or note.name,
                )
            )
    if deps.config.calendars:  # none configured: their reader (and icalendar) stays unloaded
        events = deps.events(span)
        items.extend(
            Conflict(e.kind, e.calendar, e.start, e.end, e.severity, e.summary)
            for e in events
            if e.kind != ItemKind.ONCALL
        )
        items.extend(
            c
            for c in rules.calendar_conflicts(span, events, deps.feeds.oncall_calendars())
            if c.start == c.end  # handoffs; a month's gaps are noise on the grid
        )
    items.sort(key=lambda c: (c.start, c.kind.value, c.name))
    return items


# Subscribed calendars re-fetch the whole feed every few hours; a year of history is plenty there.
EXPORT_HISTORY = timedelta(days=365)
CHUNK_BYTES = 65_536  # events are sent in pieces of about this size


def export_tag(deps: Deps, session: Session) -> str:
    """A weak ETag for the feed: it moves when any window in it changes, and every day."""
    now = deps.clock()
    count, last, versions = feed.stamp(session, now - EXPORT_HISTORY)
    seen = f"{now.date()}|{count}|{last}|{versions}|{bounds.EXPORT_MAX_EVENTS}"
    return f'W/"{hashlib.sha256(seen.encode()).hexdigest()[:20]}"'


def export(deps: Deps) -> Iterator[bytes]:
    """Windows that ended within the last year or are still to come, cancelled ones included
    so subscribers see them go, as RFC 5545 in pieces; at most EXPORT_MAX_EVENTS, the latest."""
    from maintctl.domain import ics  # icalendar: the export's alone, not the month view's

    now = deps.clock()
    with deps.db.read() as session:
        rows = feed.windows(session, now - EXPORT_HISTORY, bounds.EXPORT_MAX_EVENTS)
        piece = bytearray()
        for chunk in ics.calendar_chunks(rows, now=now):
            piece += chunk
            if len(piece) >= CHUNK_BYTES:
                yield bytes(piece)
                piece.clear()
        yield bytes(piece)
