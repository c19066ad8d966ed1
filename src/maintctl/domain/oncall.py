"""On-call coverage: a window should not span a shift handoff or a gap with nobody on call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from maintctl.domain.intervals import Interval, merge, subtract


def handoffs(shifts: Iterable[Interval], span: Interval) -> list[datetime]:
    """Instants strictly inside `span` where one shift ends and another begins."""
    items = list(shifts)
    starts = {s.start for s in items}
    ends = {s.end for s in items}
    covered = merge(items)
    inner = sorted(t for t in starts & ends if span.start < t < span.end)
    # A boundary inside one merged run of coverage with no gap is a handoff, not a gap edge.
    return [t for t in inner if any(c.start < t < c.end for c in covered)]


def gaps(shifts: Iterable[Interval], span: Interval) -> list[Interval]:
    """Parts of `span` that no shift covers."""
    return subtract(span, shifts)
