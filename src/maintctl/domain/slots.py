"""The slot finder: the earliest starts that satisfy every rule at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from maintctl.domain.intervals import Interval, merge, subtract
from maintctl.domain.policy import MaintenanceType, Policy
from maintctl.domain.rules import allowed_spans, frozen
from maintctl.domain.times import ceil_minute


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    window: str


def find_slots(
    policy: Policy,
    rule: MaintenanceType,
    duration: timedelta,
    span: Interval,
    busy: Sequence[Interval],
    handoffs: Iterable[datetime] = (),
    count: int = 5,
) -> list[Slot]:
    """Up to `count` non-overlapping slots starting inside `span`, earliest first.

    `busy` holds every interval a slot must not touch (other windows on the same systems,
    blocking calendar events, gaps in a blocking on-call rota); `handoffs` the instants a slot
    must not span. Freezes and allowed windows come from the policy. Starts fall on whole minutes.
    """
    # A slot starts inside `span` but may run past its end: look that far for what blocks it.
    reach = Interval(span.start, span.end + duration)
    blocked = merge([*busy, *(occ for _, occ in frozen(policy, rule, reach))])
    cuts = sorted(handoffs)
    candidates: list[Slot] = []
    for name, occ in allowed_spans(policy, rule, reach):
        usable = Interval(max(occ.start, span.start), occ.end)
        if usable.end <= usable.start:
            continue
        for free in subtract(usable, blocked):
            candidates.extend(_fill(free, duration, cuts, name, span.end, count))
    return earliest_disjoint(candidates, count)


def _fill(
    free: Interval, duration: timedelta, cuts: list[datetime], name: str, stop: datetime, count: int
) -> list[Slot]:
    found: list[Slot] = []
    start = ceil_minute(free.start)
    while start + duration <= free.end and start < stop and len(found) < count:
        cut = next((t for t in cuts if start < t < start + duration), None)
        if cut is not None:
            start = ceil_minute(cut)
            continue
        found.append(Slot(start, start + duration, name))
        start += duration
    return found


def earliest_disjoint(candidates: Iterable[Slot], count: int) -> list[Slot]:
    """The earliest slots, none overlapping the one before it."""
    chosen: list[Slot] = []
    for slot in sorted(candidates, key=lambda s: s.start):
        if len(chosen) == count:
            break
        if not chosen or slot.start >= chosen[-1].end:
            chosen.append(slot)
    return chosen
