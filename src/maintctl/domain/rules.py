"""The checks every request goes through on create and modify, in one place."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from maintctl.domain import bounds, oncall
from maintctl.domain.errors import Problem
from maintctl.domain.intervals import Interval, merge
from maintctl.domain.model import Booking, CalendarEvent, Conflict, ItemKind, Severity, WindowSpec
from maintctl.domain.policy import MaintenanceType, Policy
from maintctl.domain.public import EMERGENCY
from maintctl.domain.recurrence import freeze_occurrences, window_occurrences
from maintctl.domain.times import ceil_minute, format_duration, format_instant

# How far ahead "the next window that fits" is looked for.
LOOKAHEAD = timedelta(days=400)


@dataclass(frozen=True)
class Context:
    """What the rules need to know besides the request: the time, other windows, calendar events."""

    now: datetime
    bookings: Sequence[Booking] = ()
    events: Sequence[CalendarEvent] = ()
    oncall: Mapping[str, Severity] = field(default_factory=dict)


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def span_text(interval: Interval) -> str:
    return f"{format_instant(interval.start)} to {format_instant(interval.end)}"


def unknown_type(policy: Policy, name: str) -> Problem:
    return Problem(
        "type",
        "unknown-type",
        f"unknown maintenance type {name!r}",
        f"use one of {', '.join(policy.type_names())}",
    )


def earliest_start(rule: MaintenanceType, now: datetime) -> datetime:
    """The first whole minute at which a request made now may start."""
    return ceil_minute(now + rule.notice)


def allowed_spans(
    policy: Policy, rule: MaintenanceType, span: Interval
) -> Iterator[tuple[str, Interval]]:
    """(window name, occurrence) a request of this type may use, overlapping `span`, by start."""
    if rule.windows == "any":
        yield "any", span
        return
    found = [
        (occ, name)
        for name in rule.windows
        for occ in window_occurrences(policy.windows[name], span)
    ]
    for occ, name in sorted(found, key=lambda item: (item[0].start, rule.windows.index(item[1]))):
        yield name, occ


def frozen(policy: Policy, rule: MaintenanceType, span: Interval) -> list[tuple[str, Interval]]:
    if rule.ignores_freezes:
        return []
    return [(f.name, occ) for f in policy.freezes for occ in freeze_occurrences(f, span)]


def freeze_items(policy: Policy, span: Interval) -> list[Conflict]:
    """The policy's freezes overlapping `span`, as calendar items."""
    return [
        Conflict(
            ItemKind.FREEZE,
            f.name,
            occ.start,
            occ.end,
            Severity.BLOCK,
            f.description or "change freeze",
        )
        for f in policy.freezes
        for occ in freeze_occurrences(f, span)
    ]


def next_fitting_window(
    policy: Policy, rule: MaintenanceType, duration: timedelta, after: datetime
) -> tuple[str, Interval] | None:
    """The next allowed window at or after `after` that can hold `duration` outside any freeze."""
    span = Interval(after, after + LOOKAHEAD)
    freezes = merge(occ for _, occ in frozen(policy, rule, span))
    for name, occ in allowed_spans(policy, rule, span):
        start = max(occ.start, after)
        for freeze in freezes:  # merged and sorted: one pass moves past every freeze in the way
            if freeze.start < start + duration and start < freeze.end:
                start = freeze.end
        if start + duration <= occ.end:
            return name, Interval(start, occ.end if rule.windows != "any" else start + duration)
    return None


def _fits_hint(policy: Policy, rule: MaintenanceType, duration: timedelta, now: datetime) -> str:
    found = next_fitting_window(policy, rule, duration, earliest_start(rule, now))
    if found is None:
        return "no allowed window in the next 400 days can hold it"
    name, occ = found
    return f"the next window that fits is {name}, {span_text(occ)}"


def check_spec(spec: WindowSpec, policy: Policy, ctx: Context) -> Verdict:
    """Every policy and conflict rule, applied to one request."""
    verdict = Verdict()
    problems = verdict.problems
    rule = policy.types.get(spec.type)
    if rule is None:
        problems.append(unknown_type(policy, spec.type))
    if spec.end <= spec.start:
        problems.append(
            Problem(
                "end",
                "end-after-start",
                f"ends at {format_instant(spec.end)}, not after its start "
                f"{format_instant(spec.start)}",
                "give an end later than the start",
            )
        )
    if rule is None or problems:
        return verdict
    if rule.customer_impacting and not spec.systems:
        problems.append(
            Problem(
                "systems",
                "systems-required",
                f"{spec.type} affects customers, so it must name the systems it touches",
                "add --systems, e.g. --systems api,db",
            )
        )
    problems.extend(_duration_problems(spec, rule))
    urgent = spec.type == EMERGENCY
    # An emergency starts when it is signed, wherever that falls (DESIGN.md "The window's
    # life"): a start in the past or an overlap is a warning kept with it, never a refusal.
    timing = list(_notice_problems(spec, policy, rule, ctx.now))
    problems.extend(_warned(spec, timing, verdict) if urgent else timing)
    problems.extend(_window_problems(spec, policy, rule, ctx.now))
    problems.extend(_freeze_problems(spec, policy, rule, ctx.now))
    overlaps = list(_overlap_problems(spec, ctx.bookings))
    problems.extend(_warned(spec, overlaps, verdict) if urgent else overlaps)
    _calendar_findings(spec, rule, ctx, verdict)
    return verdict


def _warned(spec: WindowSpec, found: list[Problem], verdict: Verdict) -> list[Problem]:
    """Problems an emergency is exempt from, kept on it as warnings; none are left to refuse."""
    verdict.conflicts.extend(
        Conflict(ItemKind.NOTE, p.rule, spec.start, spec.end, Severity.WARN, p.message)
        for p in found
    )
    return []


def _duration_problems(spec: WindowSpec, rule: MaintenanceType) -> Iterator[Problem]:
    duration = spec.end - spec.start
    if rule.max_duration is not None and duration > rule.max_duration:
        yield Problem(
            "end",
            "max-duration",
            f"{spec.type} may last at most {format_duration(rule.max_duration)}, "
            f"this one lasts {format_duration(duration)}",
            f"end by {format_instant(spec.start + rule.max_duration)} or choose a longer type",
        )


def _notice_problems(
    spec: WindowSpec, policy: Policy, rule: MaintenanceType, now: datetime
) -> Iterator[Problem]:
    earliest = now + rule.notice
    if spec.start >= earliest:
        return
    if rule.notice:
        message = (
            f"{spec.type} needs {format_duration(rule.notice)} notice; "
            f"the earliest allowed start is {format_instant(ceil_minute(earliest))}"
        )
    else:
        message = f"starts at {format_instant(spec.start)}, which is in the past"
    yield Problem(
        "start",
        "notice",
        message,
        _fits_hint(policy, rule, spec.end - spec.start, now)
        if rule.windows != "any"
        else f"start at or after {format_instant(ceil_minute(earliest))}",
    )


def _window_problems(
    spec: WindowSpec, policy: Policy, rule: MaintenanceType, now: datetime
) -> Iterator[Problem]:
    if rule.windows == "any":
        return
    if any(occ.contains(spec.interval) for _, occ in allowed_spans(policy, rule, spec.interval)):
        return
    yield Problem(
        "start",
        "allowed-window",
        f"{spec.type} must lie wholly inside one allowed window ({', '.join(rule.windows)}); "
        f"{span_text(spec.interval)} does not",
        _fits_hint(policy, rule, spec.end - spec.start, now),
    )


def _freeze_problems(
    spec: WindowSpec, policy: Policy, rule: MaintenanceType, now: datetime
) -> Iterator[Problem]:
    for name, occ in frozen(policy, rule, spec.interval):
        yield Problem(
            "start",
            "freeze",
            f"overlaps the {name} freeze ({span_text(occ)}); only types exempt from freezes "
            "may run then",
            _fits_hint(policy, rule, spec.end - spec.start, now),
        )


def _overlap_problems(spec: WindowSpec, bookings: Sequence[Booking]) -> Iterator[Problem]:
    mine = set(spec.systems)
    for other in sorted(bookings, key=lambda b: (b.start, b.id)):
        shared = sorted(mine & other.systems)
        if shared and other.interval.overlaps(spec.interval):
            yield Problem(
                "start",
                "overlap",
                f"overlaps {other.id} on {', '.join(shared)} ({span_text(other.interval)})",
                "pick another time (maintctl slots finds free ones) or other systems",
            )


def calendar_conflicts(
    window: Interval, events: Sequence[CalendarEvent], oncall_calendars: Mapping[str, Severity]
) -> list[Conflict]:
    """What outside calendars say about an interval: events, on-call handoffs and gaps."""
    found: list[Conflict] = []
    plain = [e for e in events if e.kind != ItemKind.ONCALL and e.interval.overlaps(window)]
    for e in sorted(plain, key=lambda e: (e.start, e.calendar)):
        found.append(Conflict(e.kind, e.calendar, e.start, e.end, e.severity, e.summary))
    for name, severity in oncall_calendars.items():
        items = [e for e in events if e.kind == ItemKind.ONCALL and e.calendar == name]
        intervals = [e.interval for e in items]
        for t in oncall.handoffs(intervals, window):
            detail = "on-call handoff: " + " → ".join(
                e.summary
                for e in sorted(items, key=lambda e: e.start)
                if e.start == t or e.end == t
            )
            found.append(Conflict(ItemKind.ONCALL, name, t, t, severity, detail))
        for gap in oncall.gaps(intervals, window):
            found.append(
                Conflict(ItemKind.ONCALL, name, gap.start, gap.end, severity, "nobody on call")
            )
    return found


def _calendar_findings(
    spec: WindowSpec, rule: MaintenanceType, ctx: Context, verdict: Verdict
) -> None:
    blocking: list[Conflict] = []
    for c in calendar_conflicts(spec.interval, ctx.events, ctx.oncall):
        if c.severity == Severity.BLOCK and rule.customer_impacting and spec.type != EMERGENCY:
            blocking.append(c)
        else:
            verdict.conflicts.append(c)
    verdict.conflicts[:] = bounded(verdict.conflicts)
    for c in bounded(blocking):
        verdict.problems.append(
            Problem(
                "start",
                "calendar-block",
                f"conflicts with {c.kind.value} {c.name!r}: {c.detail} "
                f"({span_text(Interval(c.start, c.end))})",
                "pick another time (maintctl slots avoids blocking calendars)",
            )
        )


def bounded(
    conflicts: Sequence[Conflict], limit: int = bounds.MAX_STORED_CONFLICTS
) -> list[Conflict]:
    """At most `limit` conflicts: the first limit - 1 by start, and one that counts the rest.

    A window is stored with its conflicts; a month against a minutely feed would otherwise
    store tens of thousands of them in its row.
    """
    if len(conflicts) <= limit:
        return list(conflicts)
    ordered = sorted(conflicts, key=lambda c: (c.start, c.kind.value, c.name))
    kept, rest = ordered[: limit - 1], ordered[limit - 1 :]
    names = sorted({c.name for c in rest})
    severity = (
        Severity.BLOCK if any(c.severity == Severity.BLOCK for c in rest) else rest[0].severity
    )
    summary = Conflict(
        rest[0].kind,
        names[0] if len(names) == 1 else "several",
        rest[0].start,
        max(c.end for c in rest),
        severity,
        f"and {len(rest)} more from {', '.join(names[:5])}{', ...' if len(names) > 5 else ''} "
        f"up to {format_instant(max(c.end for c in rest))} (maintctl check DAY lists them)",
    )
    return [*kept, summary]
