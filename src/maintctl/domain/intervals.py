"""Half-open intervals of UTC instants, and the arithmetic conflicts and slots need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end): start included, end excluded, so back-to-back intervals do not overlap."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals (touching ones are joined)."""
    merged: list[Interval] = []
    for item in sorted(intervals):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def subtract(span: Interval, busy: Iterable[Interval]) -> list[Interval]:
    """The parts of `span` that no busy interval covers, in order."""
    return gaps(span, merge(b for b in busy if b.overlaps(span)))


def gaps(span: Interval, merged: Iterable[Interval]) -> list[Interval]:
    """The parts of `span` between `merged` intervals (sorted, none overlapping another, none
    ending before `span` starts); reading stops at the first that starts after `span`."""
    free: list[Interval] = []
    cursor = span.start
    for item in merged:
        if item.start >= span.end:
            break
        if item.start > cursor:
            free.append(Interval(cursor, item.start))
        cursor = max(cursor, item.end)
    if cursor < span.end:
        free.append(Interval(cursor, span.end))
    return free
