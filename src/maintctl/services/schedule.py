"""The day check (the runbook's four --check scripts in one) and the slot finder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from maintctl.domain import bounds, rules
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Conflict, ItemKind, Severity, Status
from maintctl.domain.policy import MaintenanceType
from maintctl.domain.requests import split_systems
from maintctl.domain.slots import Slot, search
from maintctl.domain.times import ceil_minute, day_bounds, format_duration
from maintctl.services.deps import Deps
from maintctl.store import windows as store

# The slot finder looks this far ahead before it says there is nothing.
HORIZON = timedelta(days=730)
FIRST_CHUNK = timedelta(days=14)
MAX_COUNT = 100


@dataclass(frozen=True)
class DayReport:
    day: date
    items: list[Conflict]

    @property
    def clear(self) -> bool:
        return not self.items


def check_day(deps: Deps, session: Session, day: date, systems: Sequence[str] = ()) -> DayReport:
    """Everything on one UTC day that new maintenance would conflict with."""
    start, end = day_bounds(day)
    span = Interval(start, end)
    items: list[Conflict] = []
    for w in store.overlapping(session, span, split_systems(list(systems)) or None):
        if w.status == Status.CANCELLED:
            continue
        detail = f"[{w.spec.type}] {w.spec.description} ({w.status.value}) on " + ", ".join(
            w.spec.systems or ["no systems"]
        )
        items.append(
            Conflict(ItemKind.WINDOW, w.id, w.spec.start, w.spec.end, Severity.BLOCK, detail)
        )
    items.extend(rules.calendar_conflicts(span, deps.events(span), deps.feeds.oncall_calendars()))
    items.extend(rules.freeze_items(deps.config.policy, span))
    items.sort(key=lambda c: (c.start, c.kind.value, c.name))
    return DayReport(day, items)


def _rule(deps: Deps, type_name: str) -> tuple[str, MaintenanceType]:
    policy = deps.config.policy
    name = type_name.strip().lower()
    rule = policy.types.get(name)
    if rule is None:
        raise RuleViolation([rules.unknown_type(policy, type_name)])
    return name, rule


def slots(
    deps: Deps,
    session: Session,
    *,
    type_name: str,
    duration: timedelta,
    systems: Sequence[str] = (),
    after: datetime | None = None,
    count: int = 5,
) -> list[Slot]:
    """The earliest `count` non-overlapping slots that pass every rule.

    Reads bookings and calendars chunk by chunk as the search needs them, each stretch once,
    so the cost is bounded by what lies within the horizon (plus one duration) on at most
    bounds.MAX_SYSTEMS systems, whatever the arguments; the answer is the one-pass answer.
    """
    name, rule = _rule(deps, type_name)
    held = split_systems(list(systems))
    problems = _slot_problems(name, rule, duration, count, held, after)
    if problems:
        raise RuleViolation(problems)
    now = deps.clock()
    start = ceil_minute(max(now + rule.notice, after or now))
    oncall = deps.feeds.oncall_calendars()

    def read(part: Interval) -> tuple[list[Interval], list[datetime]]:
        busy = [b.interval for b in store.bookings(session, held, part)]
        handoffs: list[datetime] = []
        if rule.customer_impacting:
            # One microsecond earlier, so a handoff at the very start of `part` (whose
            # shift before it ends there) is seen here rather than lost between two reads.
            wider = Interval(part.start - timedelta(microseconds=1), part.end)
            for c in rules.calendar_conflicts(wider, deps.events(wider), oncall):
                if c.severity != Severity.BLOCK:
                    continue
                if c.start != c.end:
                    busy.append(Interval(c.start, c.end))
                elif part.start <= c.start:
                    handoffs.append(c.start)
        return busy, handoffs

    return search(
        deps.config.policy,
        rule,
        duration,
        Interval(start, start + HORIZON),
        read,
        count=count,
        first_chunk=FIRST_CHUNK,
    )


def _slot_problems(
    name: str,
    rule: MaintenanceType,
    duration: timedelta,
    count: int,
    systems: Sequence[str],
    after: datetime | None,
) -> list[Problem]:
    problems = []
    if duration <= timedelta(0):
        problems.append(
            Problem(
                "duration",
                "duration-positive",
                "the duration must be longer than zero",
                "give e.g. --duration 2h",
            )
        )
    too_long = bounds.window_length_problem("duration", duration)
    if too_long is not None:
        problems.append(too_long)
    elif rule.max_duration is not None and duration > rule.max_duration:
        problems.append(
            Problem(
                "duration",
                "max-duration",
                f"{name} may last at most {format_duration(rule.max_duration)}",
                f"ask for {format_duration(rule.max_duration)} or less, or a longer type",
            )
        )
    if len(systems) > bounds.MAX_SYSTEMS:
        problems.append(
            Problem(
                "systems",
                "too-many-systems",
                f"names {len(systems)} systems; one search takes at most {bounds.MAX_SYSTEMS}",
                f"search for at most {bounds.MAX_SYSTEMS} systems at a time",
            )
        )
    if after is not None:
        out_of_range = bounds.instant_problem("after", after)
        if out_of_range is not None:
            problems.append(out_of_range)
    if not 1 <= count <= MAX_COUNT:
        problems.append(
            Problem(
                "count", "count-range", f"count must be 1 to {MAX_COUNT}", "give e.g. --count 5"
            )
        )
    return problems
