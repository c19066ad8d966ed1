"""Occurrences of the policy's recurring rules, as UTC intervals.

Rules are wall-clock times in an IANA zone; each occurrence is computed from the local date, so a
window keeps its wall-clock hours across daylight-saving changes. A local time that does not exist
(skipped by a spring-forward change) is read with the offset in force before the change, which
moves it forward by the gap, as RFC 5545 does.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from maintctl.domain.intervals import Interval
from maintctl.domain.policy import WEEKDAYS, AllowedWindow, CalendarNote, Freeze

ONE_DAY = timedelta(days=1)


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _nth_matches(day: date, nth: int | None) -> bool:
    if nth is None:
        return True
    if nth == -1:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == nth


def window_occurrences(rule: AllowedWindow, span: Interval) -> Iterator[Interval]:
    """Every occurrence of an allowed window that overlaps `span`, in order of start."""
    tz = rule.tz
    weekdays = {WEEKDAYS.index(d) for d in rule.days}
    crosses_midnight = rule.end <= rule.start
    day = span.start.astimezone(tz).date() - ONE_DAY * (2 if crosses_midnight else 1)
    last = span.end.astimezone(tz).date()
    while day <= last:
        if day.weekday() in weekdays and _nth_matches(day, rule.nth):
            end_day = day + ONE_DAY if crosses_midnight else day
            occurrence = Interval(_local(day, rule.start, tz), _local(end_day, rule.end, tz))
            # A window lying wholly inside a spring-forward gap does not happen that day.
            if occurrence.start < occurrence.end and occurrence.overlaps(span):
                yield occurrence
        day += ONE_DAY


def _annual_day(year: int, month: int, day: int) -> date:
    # 29 February in a year without one is the day after 28 February: 1 March.
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, month, day)


def freeze_occurrences(freeze: Freeze, span: Interval) -> Iterator[Interval]:
    """Every period of a freeze that overlaps `span`, in order of start."""
    if not freeze.annual:
        period = Interval(freeze.instant(freeze.start), freeze.instant(freeze.end))
        if period.overlaps(span):
            yield period
        return
    tz = ZoneInfo(freeze.zone)
    sm, sd, sh, smi = freeze.annual_parts(freeze.start)
    em, ed, eh, emi = freeze.annual_parts(freeze.end)
    wraps = (em, ed, eh, emi) <= (sm, sd, sh, smi)
    first_year = span.start.astimezone(tz).year - 1
    for year in range(first_year, span.end.astimezone(tz).year + 1):
        start = _local(_annual_day(year, sm, sd), time(sh, smi), tz)
        end = _local(_annual_day(year + 1 if wraps else year, em, ed), time(eh, emi), tz)
        period = Interval(start, end)
        # Empty in a year where both ends fall on 1 March (02-29 to 03-01 outside leap years).
        if period.start < period.end and period.overlaps(span):
            yield period


def note_occurrences(note: CalendarNote, span: Interval) -> Iterator[Interval]:
    """The weeks (whole UTC days) a calendar note marks, overlapping `span`."""
    year, month = span.start.year, span.start.month
    while date(year, month, 1) < span.end.date() + ONE_DAY:
        days = note.days(year, month)
        if days is not None:
            first, last = days
            period = Interval(
                datetime.combine(first, time(), tzinfo=UTC),
                datetime.combine(last + ONE_DAY, time(), tzinfo=UTC),
            )
            if period.overlaps(span):
                yield period
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
