"""The slot finder: the earliest starts that satisfy every rule at once."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from maintctl.domain.intervals import Interval, gaps, merge
from maintctl.domain.policy import MaintenanceType, Policy
from maintctl.domain.rules import allowed_spans, frozen
from maintctl.domain.times import ceil_minute

# What a search reads for one stretch of time: the busy intervals overlapping it, and the
# instants inside it (start included, end excluded) that a slot must not span.
Reader = Callable[[Interval], tuple[Sequence[Interval], Iterable[datetime]]]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    window: str


def search(
    policy: Policy,
    rule: MaintenanceType,
    duration: timedelta,
    span: Interval,
    read: Reader,
    *,
    count: int,
    first_chunk: timedelta,
) -> list[Slot]:
    """The same slots as one `find_slots` over `span`, reading ahead only as far as needed.

    The span is searched from its start in growing chunks [span.start, end); each round reads
    only what it has not read yet (up to end + duration, as far as a slot starting before `end`
    can reach) and searches the whole prefix again. A slot starting before `end` depends on
    nothing past that reach, so each round's answer is the one-pass answer cut at `end`: where
    a chunk ends never shows in the result. Chunks at least `duration` long and doubling keep
    the rounds few and the re-searching within twice the final prefix.
    """
    busy: list[Interval] = []
    cuts: set[datetime] = set()
    read_to = end = span.start
    chunk = max(first_chunk, duration)
    while True:
        end = min(end + chunk, span.end)
        more_busy, more_cuts = read(Interval(read_to, end + duration))
        read_to = end + duration
        busy = merge([*busy, *more_busy])
        cuts.update(more_cuts)
        found = find_slots(
            policy, rule, duration, Interval(span.start, end), busy, sorted(cuts), count
        )
        if len(found) == count or end >= span.end:
            return found
        chunk *= 2


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
    ends = [b.end for b in blocked]
    cuts = sorted(handoffs)
    candidates: list[Slot] = []
    checked = 0
    for name, occ in allowed_spans(policy, rule, reach):
        usable = Interval(max(occ.start, span.start), occ.end)
        if usable.end <= usable.start:
            continue
        # Occurrences come by start, so once `count` disjoint slots all start before this one
        # does, nothing from here on can come earlier: stop rather than fill the whole span.
        if len(candidates) >= count and len(candidates) > checked:
            checked = len(candidates)
            chosen = earliest_disjoint(candidates, count)
            if len(chosen) == count and chosen[-1].start < usable.start:
                break
        for free in _free(usable, blocked, ends):
            candidates.extend(_fill(free, duration, cuts, name, span.end, count))
    return earliest_disjoint(candidates, count)


def _free(span: Interval, blocked: list[Interval], ends: list[datetime]) -> list[Interval]:
    """The parts of `span` outside `blocked` (merged and sorted; `ends` its ends), by bisection."""
    # The first blocked interval ending after the span starts; the rest are in order after it.
    return gaps(span, islice(blocked, bisect_right(ends, span.start), None))


def _fill(
    free: Interval, duration: timedelta, cuts: list[datetime], name: str, stop: datetime, count: int
) -> list[Slot]:
    found: list[Slot] = []
    start = ceil_minute(free.start)
    while start + duration <= free.end and start < stop and len(found) < count:
        # The first handoff strictly inside [start, start + duration), if any.
        i = bisect_right(cuts, start)
        if i < len(cuts) and cuts[i] < start + duration:
            start = ceil_minute(cuts[i])
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
