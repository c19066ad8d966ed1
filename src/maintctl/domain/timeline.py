"""When each notice about a window falls due, and who hears it: pure rules over the policy.

Everything is in UTC and every offset is an exact duration, so a window across a DST change or
midnight is planned exactly as any other. Nothing here sends, reads a clock or touches the
database. The notify service calls, with the type's `policy.types[t].notifications`:

- at scheduling (final signature): `plan(rule, start, end, now)`; a job per timed notice and
  audience, and the event notices (`due_at` None) kept for `maintctl start` / `complete`;
- when a scheduled window moves: `replan(rule, pending_plan, sent_kinds, new_start, new_end, now)`
  and cancel, add or keep the jobs it says;
- when one is cancelled: `cancel(pending_plan, sent_kinds, now)`;
- for each notice: `audiences_for(policy.audiences, notice, told)`, `told` being the audiences
  sent anything about the window so far.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from maintctl.domain.policy import Audience, Notifications, TimelinePart
from maintctl.domain.times import format_duration

Event = Literal["start", "completion"]
_RESCHEDULED = re.compile(r"^rescheduled-(\d+)$")


@dataclass(frozen=True)
class Notice:
    """One planned notice: due at a time, or (due_at None) when its `event` actually happens."""

    kind: str  # initial, reminder-3d, start, completion, rescheduled-1, cancelled
    due_at: datetime | None
    event: Event | None = None  # start and completion wait for the window's actual start or end
    offset: timedelta | None = None  # how long before the window's start it was meant to go
    optional: bool = False  # only audiences with optional: true hear it
    told_only: bool = False  # only audiences already told of the window hear it

    @property
    def notice_class(self) -> str:
        """The class an audience's `notices` lists: reminder-3d is a reminder, and so on."""
        return notice_class(self.kind)


@dataclass(frozen=True)
class Replan:
    """What a moved or cancelled window's plan becomes: jobs to cancel, to add, and to keep."""

    cancel: list[Notice] = field(default_factory=list)
    add: list[Notice] = field(default_factory=list)
    keep: list[Notice] = field(default_factory=list)


def notice_class(kind: str) -> str:
    """The class of a notice kind: reminder-24h is a reminder, rescheduled-2 is rescheduled."""
    return kind.split("-", 1)[0]


def reminder_kind(offset: timedelta) -> str:
    """The kind of the reminder due `offset` before the start, as the runbook says: reminder-24h."""
    return f"reminder-{format_duration(offset)}"


def _utc(name: str, value: datetime) -> datetime:
    # Offsets are exact only on UTC instants: aware arithmetic in a ZoneInfo zone is wall-clock.
    if value.tzinfo is None:
        raise ValueError(f"{name} has no time zone; timeline instants are UTC")
    return value.astimezone(UTC)


def plan(
    rule: Notifications, window_start: datetime, window_end: datetime, scheduled_at: datetime
) -> list[Notice]:
    """The notices a window scheduled at `scheduled_at` gets, in the order they fall due."""
    start, end, at = (
        _utc("window_start", window_start),
        _utc("window_end", window_end),
        _utc("scheduled_at", scheduled_at),
    )
    if end <= start:
        raise ValueError("window_end is not after window_start")
    optional: set[TimelinePart] = set(rule.optional)
    notices: list[Notice] = []
    # The rule: the initial notice always goes at scheduling, however far ahead; its
    # nominal time (7d before a planned outage) is then kept as the first reminder, so people
    # still hear at the runbook's times. A window scheduled at or after its start gets no
    # initial notice: the start notice is the first word.
    if rule.initial is not None and at < start:
        notices.append(Notice("initial", at, optional="initial" in optional))
    nominal = [] if rule.initial is None else [(rule.initial, "initial" in optional)]
    # A reminder whose time has passed at scheduling (a late final signature) is skipped, never
    # sent late in a burst.
    for offset, is_optional in nominal + [(r, "reminders" in optional) for r in rule.reminders]:
        due = start - offset
        if due > at:
            notices.append(Notice(reminder_kind(offset), due, offset=offset, optional=is_optional))
    if rule.start:
        notices.append(Notice("start", None, event="start", optional="start" in optional))
    if rule.completion:
        notices.append(
            Notice("completion", None, event="completion", optional="completion" in optional)
        )
    return notices


def replan(
    rule: Notifications,
    old_plan: Iterable[Notice],
    sent_kinds: Iterable[str],
    new_start: datetime,
    new_end: datetime,
    now: datetime,
) -> Replan:
    """A moved window's plan: planned afresh as if scheduled `now`, never re-sending a kind sent.

    Audiences already told (anything sent) get one `rescheduled-<n>` notice at once; a pending
    one from an earlier move is kept, since it tells the window's times when it goes.
    """
    old = list(old_plan)
    sent = set(sent_kinds)
    pending = [n for n in old if n.kind not in sent]
    fresh = [n for n in plan(rule, new_start, new_end, now) if n.kind not in sent]
    waiting = [n for n in pending if _RESCHEDULED.match(n.kind)]
    if sent and not waiting:
        fresh.append(Notice(_next_rescheduled(sent), _utc("now", now), told_only=True))
    fresh += waiting
    return Replan(
        cancel=[n for n in pending if n not in fresh],
        add=[n for n in fresh if n not in pending],
        keep=[n for n in pending if n in fresh],
    )


def cancel(old_plan: Iterable[Notice], sent_kinds: Iterable[str], now: datetime) -> Replan:
    """A cancelled window: every pending notice goes, and those already told hear it once."""
    sent = set(sent_kinds)
    pending = [n for n in old_plan if n.kind not in sent]
    add = []
    if sent and "cancelled" not in sent:
        add.append(Notice("cancelled", _utc("now", now), told_only=True))
    return Replan(cancel=pending, add=add)


def _next_rescheduled(sent: set[str]) -> str:
    numbers = [int(m.group(1)) for kind in sent if (m := _RESCHEDULED.match(kind))]
    return f"rescheduled-{max(numbers, default=0) + 1}"


def audiences_for(
    audiences: Mapping[str, Audience], notice: Notice, told: Iterable[str] | None = None
) -> list[str]:
    """The audiences that hear a notice: those listing its class (and optional parts, if it is).

    `told` is the audiences already told of the window; a told-only notice (rescheduled,
    cancelled) reaches only those, and none when `told` is not given.
    """
    hear = [
        name
        for name, audience in audiences.items()
        if notice.notice_class in audience.notices and (audience.optional or not notice.optional)
    ]
    if notice.told_only:
        already = set(told or ())
        hear = [name for name in hear if name in already]
    return hear
