"""What counts against the SLA: the runbook's SLA Impact table as one pure rule.

A window's maintenance time is the time it really ran (actual start to actual end). Time past
its scheduled end always counts against the SLA as unplanned downtime; so does the whole time of
an emergency and of any type whose policy says `sla: counted`. The rest of a `per-agreement`
type's time is reported apart (credits depend on each customer's agreement); an `excluded`
type's planned time does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.intervals import Interval

EMERGENCY = "emergency"
ZERO = timedelta(0)


class Sla(StrEnum):
    """A type's `sla:` key in the policy."""

    EXCLUDED = "excluded"
    COUNTED = "counted"
    PER_AGREEMENT = "per-agreement"


@dataclass(frozen=True)
class Ran:
    """What the rule needs of one window that ran."""

    type: str
    sla: Sla
    planned_end: datetime
    actual_start: datetime
    actual_end: datetime


@dataclass(frozen=True)
class Share:
    """One window's time inside a period: all of it, what counts, what is per agreement.

    `ran` and `counted` are the spans themselves (clipped to the period) so that a component's
    figures can merge windows that overlap instead of counting the same minute twice.
    """

    ran: Interval | None
    counted: Interval | None
    per_agreement: timedelta

    @property
    def total(self) -> timedelta:
        return self.ran.duration if self.ran else ZERO

    @property
    def counted_time(self) -> timedelta:
        return self.counted.duration if self.counted else ZERO


def clip(span: Interval, period: Interval) -> Interval | None:
    """The part of `span` inside `period`, or None when they do not overlap."""
    start, end = max(span.start, period.start), min(span.end, period.end)
    return Interval(start, end) if start < end else None


def counts_whole(window: Ran) -> bool:
    """Whether all of a window's time counts against the SLA, not only its overrun."""
    return window.sla == Sla.COUNTED or window.type == EMERGENCY


def share(window: Ran, period: Interval) -> Share:
    """The window's time inside `period` and how much of it counts against the SLA."""
    ran = clip(Interval(window.actual_start, window.actual_end), period)
    if ran is None:
        return Share(None, None, ZERO)
    if counts_whole(window):
        return Share(ran, ran, ZERO)
    # The overrun is the tail past the scheduled end (all of it if the work began after it).
    tail_from = max(window.actual_start, window.planned_end)
    counted = (
        clip(Interval(tail_from, window.actual_end), period)
        if tail_from < window.actual_end
        else None
    )
    planned_part = ran.duration - (counted.duration if counted else ZERO)
    per_agreement = planned_part if window.sla == Sla.PER_AGREEMENT else ZERO
    return Share(ran, counted, per_agreement)


def availability(down: timedelta, period: Interval) -> float:
    """1 - down / period, the share of the period the service was up."""
    length = period.duration.total_seconds()
    return 1.0 - down.total_seconds() / length if length > 0 else 1.0


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_period(text: str) -> Interval:
    """The month YYYY-MM as the UTC period [its first instant, the next month's first)."""
    m = _MONTH.match(text.strip())
    year, month = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    if not m or not 1 <= month <= 12:
        raise RuleViolation(
            [
                Problem(
                    "month",
                    "month-format",
                    f"{text[:40]!r} is not a month",
                    "give it as YYYY-MM, e.g. 2026-11",
                )
            ]
        )
    if not bounds.EARLIEST.year <= year < bounds.LATEST.year:
        first = bounds.EARLIEST.year
        raise RuleViolation(
            [
                Problem(
                    "month",
                    "time-range",
                    f"{text.strip()} is outside the years {first} to {bounds.LATEST.year - 1}",
                    "give a month in those years",
                )
            ]
        )
    start = datetime(year, month, 1, tzinfo=UTC)
    return Interval(start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC))
