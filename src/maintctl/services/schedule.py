"""The day check (the runbook's four --check scripts in one) and the slot finder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from maintctl.domain import rules
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Conflict, ItemKind, Severity, Status
from maintctl.domain.policy import MaintenanceType
from maintctl.domain.requests import split_systems
from maintctl.domain.slots import Slot, earliest_disjoint, find_slots
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
    """The earliest `count` non-overlapping slots that pass every rule."""
    name, rule = _rule(deps, type_name)
    problems = _slot_problems(name, rule, duration, count)
    if problems:
        raise RuleViolation(problems)
    held = split_systems(list(systems))
    now = deps.clock()
    start = ceil_minute(max(now + rule.notice, after or now))
    oncall = deps.feeds.oncall_calendars()
    found: list[Slot] = []
    chunk = FIRST_CHUNK
    limit = start + HORIZON
    while len(found) < count and start < limit:
        span = Interval(start, min(start + chunk, limit))
        reach = Interval(span.start, span.end + duration)
        busy = [b.interval for b in store.bookings(session, held, reach)]
        handoffs = []
        if rule.customer_impacting:
            for c in rules.calendar_conflicts(reach, deps.events(reach), oncall):
                if c.severity != Severity.BLOCK:
                    continue
                if c.start == c.end:
                    handoffs.append(c.start)
                else:
                    busy.append(Interval(c.start, c.end))
        found = earliest_disjoint(
            [*found, *find_slots(deps.config.policy, rule, duration, span, busy, handoffs, count)],
            count,
        )
        start, chunk = span.end, chunk * 2
    return found


def _slot_problems(
    name: str, rule: MaintenanceType, duration: timedelta, count: int
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
    if rule.max_duration is not None and duration > rule.max_duration:
        problems.append(
            Problem(
                "duration",
                "max-duration",
                f"{name} may last at most {format_duration(rule.max_duration)}",
                f"ask for {format_duration(rule.max_duration)} or less, or a longer type",
            )
        )
    if not 1 <= count <= MAX_COUNT:
        problems.append(
            Problem(
                "count", "count-range", f"count must be 1 to {MAX_COUNT}", "give e.g. --count 5"
            )
        )
    return problems
