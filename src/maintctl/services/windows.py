"""Creating, changing, cancelling and listing maintenance windows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from maintctl.config import system_problems
from maintctl.domain import bounds, lifecycle, pages, rules
from maintctl.domain.errors import (
    ConflictError,
    NotFound,
    Problem,
    RuleViolation,
    StaleError,
    refuse,
)
from maintctl.domain.ids import emt_id, id_problem, mnt_id, parse_id
from maintctl.domain.model import Status, Window, WindowSpec
from maintctl.domain.pages import Key
from maintctl.domain.requests import build_spec, is_rescheduling, is_retimed
from maintctl.domain.roles import Principal, require_owner_or_approver, require_writer
from maintctl.services import events
from maintctl.services.deps import Deps
from maintctl.store import accounts, audit
from maintctl.store import windows as store


def context(deps: Deps, session: Session, spec: WindowSpec, exclude: str | None) -> rules.Context:
    """Everything the rules need to judge `spec` besides the policy."""
    return rules.Context(
        now=deps.clock(),
        bookings=store.bookings(session, spec.systems, spec.interval, exclude),
        events=deps.events(spec.interval),
        oncall=deps.feeds.oncall_calendars(),
    )


def judge(deps: Deps, session: Session, spec: WindowSpec, exclude: str | None) -> rules.Verdict:
    verdict = rules.check_spec(spec, deps.config.policy, context(deps, session, spec, exclude))
    refuse(verdict.problems)
    return verdict


def require(session: Session, window_id: str, expected_version: int | None = None) -> Window:
    """The window, or 404; 412 when the caller saw an older version of it."""
    found = store.get(session, window_id.strip().upper())
    if found is not None and expected_version is not None and found.version != expected_version:
        raise stale(found)
    if found is None:
        raise NotFound(
            [
                Problem(
                    "id",
                    "not-found",
                    f"there is no window {window_id}",
                    "list them with maintctl window list",
                )
            ]
        )
    return found


def stale(window: Window) -> StaleError:
    return StaleError(
        [
            Problem(
                "version",
                "stale",
                f"{window.id} changed since you read it; it is now at version {window.version}",
                "read it again and repeat the change if it still holds",
            )
        ]
    )


def save(session: Session, window: Window) -> None:
    """Write a changed window; refuse if another writer changed it first."""
    _write(session, partial(store.save, session, window), window)


def _explicit_id_problems(session: Session, text: str) -> list[Problem]:
    problems = bounds.text_problems("id", text, "id", multiline=False)
    if problems:
        return problems
    try:
        parsed = parse_id(text)
    except ValueError:
        return [id_problem(text)]
    if store.exists(session, parsed.text):
        return [
            Problem(
                "id",
                "id-taken",
                f"{parsed.text} is taken",
                "choose another ID or leave --id out for the next free number",
            )
        ]
    return []


def team_problems(session: Session, team: Sequence[str]) -> list[Problem]:
    """Every member of a window's team must be an enabled account: they acknowledge as it."""
    problems = []
    for name in team:
        row = accounts.user(session, name)
        if row is None or row.disabled:
            state = "no account" if row is None else "a disabled account"
            problems.append(
                Problem("team", "team-account", f"{name} is {state}", "name existing accounts")
            )
    return problems


def _new_id(
    session: Session, raw_id: Any, spec: WindowSpec, now: datetime
) -> tuple[str, tuple[int, int] | None]:
    """The window's ID: the one given (already checked), an EMT- one, or the next number.

    Numbers come from a counter row per prefix, taken atomically, so parallel creates never
    refuse each other; an ID given by hand raises its counter so no later number collides.
    """
    if raw_id:
        parsed = parse_id(str(raw_id))
        if parsed.year is not None and parsed.number is not None:
            store.raise_number(session, f"MNT-{parsed.year:04d}", parsed.number)
            return parsed.text, (parsed.year, parsed.number)
        base, _, suffix = parsed.text.partition("-")[2].partition("-")
        store.raise_number(session, f"EMT-{base}", int(suffix or 1))
        return parsed.text, None
    if spec.type == "emergency":
        # Two emergencies in one minute: the second is EMT-...-2 (the runbook's form allows it).
        base_id = emt_id(spec.start).text
        number = store.take_number(session, base_id)
        return (base_id if number == 1 else f"{base_id}-{number}"), None
    number = store.take_number(session, f"MNT-{now.year:04d}")
    made = mnt_id(now.year, number)
    return made.text, (now.year, number)


def create(deps: Deps, session: Session, raw: Mapping[str, Any], who: Principal) -> Window:
    """Check a new request against every rule and store it as a draft."""
    require_writer(who, "requesting a window")
    actor = who.name
    fields = {k: v for k, v in raw.items() if k != "id"}
    spec, problems = build_spec(fields, default_owner=actor)
    if raw.get("id"):
        problems.extend(_explicit_id_problems(session, str(raw["id"])))
    if spec is not None:
        problems.extend(team_problems(session, spec.team))
        problems.extend(system_problems(deps.config, spec.systems))
    if spec is None:
        refuse(problems)
    assert spec is not None
    verdict = rules.check_spec(spec, deps.config.policy, context(deps, session, spec, None))
    refuse(problems + verdict.problems)
    now = deps.clock()
    window_id, seq = _new_id(session, raw.get("id"), spec, now)
    window = Window(
        id=window_id,
        status=Status.DRAFT,
        spec=spec,
        requested_by=actor,
        created_at=now,
        updated_at=now,
        conflicts=verdict.conflicts,
    )
    _write(session, partial(store.add, session, window, seq), window)
    audit.record(session, window, actor, "create", None, now)
    return window


def modify(
    deps: Deps,
    session: Session,
    window_id: str,
    raw: Mapping[str, Any],
    who: Principal,
    expected_version: int | None = None,
) -> Window:
    """Change a window's fields and re-check what the change touches.

    Changing what approvers signed (requests.is_rescheduling) sends it back to approval; a
    change of time, type or systems runs every rule; a change to nothing changes nothing.
    """
    window = require(session, window_id, expected_version)
    require_owner_or_approver(who, window.requested_by, f"changing {window.id}")
    lifecycle.require(window.status, lifecycle.MODIFIABLE, "modify", window.id)
    actor = who.name
    if raw.get("id") and str(raw["id"]).strip().upper() != window.id:
        raise RuleViolation(
            [Problem("id", "id-immutable", "a window's ID cannot change", "create a new window")]
        )
    spec, problems = build_spec(
        {k: v for k, v in raw.items() if k != "id"}, base=window.spec, default_owner=actor
    )
    refuse(problems)
    assert spec is not None
    refuse(team_problems(session, [m for m in spec.team if m not in window.spec.team]))
    refuse(system_problems(deps.config, [s for s in spec.systems if s not in window.spec.systems]))
    if spec == window.spec:
        return window  # no version bump, no audit row: nothing happened
    # The rules judge time, type and systems only; rewording text inside the notice period
    # must stay possible, so the rules run only when one of those changed.
    conflicts = (
        judge(deps, session, spec, window.id).conflicts
        if is_retimed(window.spec, spec)
        else window.conflicts
    )
    now = deps.clock()
    resigned = is_rescheduling(window.spec, spec)
    status = lifecycle.after_reschedule(window.status) if resigned else window.status
    changed = replace(
        window,
        spec=spec,
        status=status,
        signatures=[] if resigned else window.signatures,
        conflicts=conflicts,
        updated_at=now,
        sequence=window.sequence + 1,
        version=window.version + 1,
    )
    save(session, changed)
    audit.record(session, changed, actor, "modify", window.status, now, before=window)
    if window.status == Status.SCHEDULED and changed.status != Status.SCHEDULED:
        events.announce(deps, session, events.UNSCHEDULED, changed, before=window)
    elif window.published_start is not None:
        events.announce(deps, session, events.CHANGED, changed, before=window)
    return changed


def cancel(
    deps: Deps,
    session: Session,
    window_id: str,
    reason: str,
    who: Principal,
    expected_version: int | None = None,
) -> Window:
    """Cancel a window, keeping it with its reason."""
    window = require(session, window_id, expected_version)
    require_owner_or_approver(who, window.requested_by, f"cancelling {window.id}")
    lifecycle.require(window.status, lifecycle.CANCELLABLE, "cancel", window.id)
    actor = who.name
    refuse(lifecycle.reason_problems(reason, "a cancellation"))
    now = deps.clock()
    cancelled = replace(
        window,
        status=Status.CANCELLED,
        cancel_reason=reason.strip(),
        updated_at=now,
        sequence=window.sequence + 1,
        version=window.version + 1,
    )
    save(session, cancelled)
    audit.record(session, cancelled, actor, "cancel", window.status, now, comment=reason.strip())
    events.announce(deps, session, events.CANCELLED, cancelled, before=window)
    return cancelled


def _write(session: Session, action: Callable[[], None], window: Window) -> None:
    """Run a store write; a race lost to another writer becomes a clear 409, never a 500.

    On SQLite writers queue (BEGIN IMMEDIATE); on PostgreSQL the database's constraints and the
    version check decide, and this names what the other writer took.
    """
    try:
        with session.begin_nested():
            action()
    except StaleDataError:
        raise _race(
            window,
            "version",
            "changed-concurrently",
            f"{window.id} was changed by someone else at the same moment",
        ) from None
    except IntegrityError as exc:
        text = str(exc.orig)
        if "no_overlap" in text:
            raise _race(
                window,
                "start",
                "overlap",
                f"another window took {', '.join(window.spec.systems)} at an overlapping time "
                f"just now ({rules.span_text(window.spec.interval)})",
            ) from None
        if "signatures" in text:
            raise _race(
                window,
                "level",
                "signed",
                f"that level of {window.id} was signed by someone else just now",
            ) from None
        raise _race(
            window, "id", "id-taken", f"{window.id} was taken by another request just now"
        ) from None


def _race(window: Window, field: str, rule: str, message: str) -> ConflictError:
    return ConflictError(
        [Problem(field, rule, message, f"look again with maintctl window show {window.id}")]
    )


def listing(
    deps: Deps,
    session: Session,
    *,
    upcoming: bool = False,
    status: str | Sequence[str] | None = None,
    types: Sequence[str] = (),
    systems: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    after: Key | None = None,
    limit: int | None = None,
) -> list[Window]:
    """Windows by start, filtered; `upcoming` keeps those not yet ended and not cancelled.

    `start`/`end` keep windows overlapping that range; `status` is one name, a comma list or
    several of either.
    """
    statuses = _statuses(status)
    if not statuses and upcoming:
        statuses = [s for s in Status if s not in (Status.CANCELLED, Status.CLOSED)]
    ending_after = max(start, deps.clock()) if start and upcoming else start
    if upcoming and ending_after is None:
        ending_after = deps.clock()
    return store.listing(
        session,
        statuses=statuses,
        ending_after=ending_after,
        starting_before=end,
        types=_names("type", types),
        systems=_names("system", systems),
        after=after,
        limit=limit,
    )


@dataclass(frozen=True)
class Page:
    """One page of windows and the key the next page starts after (None: this was the last)."""

    windows: list[Window]
    next: Key | None


def page(deps: Deps, session: Session, *, limit: int | None = None, **filters: Any) -> Page:
    """One bounded page of `listing`: the default size, never more than bounds.PAGE_MAX."""
    size = pages.page_size(limit)
    found = listing(deps, session, limit=size + 1, **filters)
    if len(found) <= size:
        return Page(found, None)
    last = found[size - 1]
    return Page(found[:size], Key(last.spec.start, last.id))


def _statuses(status: str | Sequence[str] | None) -> list[Status]:
    given = [status] if isinstance(status, str) else list(status or [])
    names = [n.strip().lower() for text in given for n in text.split(",") if n.strip()]
    try:
        return [Status(n) for n in dict.fromkeys(names)]
    except ValueError:
        unknown = next(n for n in names if n not in set(Status))
        raise RuleViolation(
            [
                Problem(
                    "status",
                    "unknown-status",
                    f"{unknown!r} is not a status",
                    f"use one of {', '.join(s.value for s in Status)}",
                )
            ]
        ) from None


def _names(field: str, given: Sequence[str]) -> list[str]:
    """Comma lists split, blanks dropped; bounded like every list a query names."""
    names = list(dict.fromkeys(n.strip() for text in given for n in text.split(",") if n.strip()))
    key = "system" if field == "system" else "type"
    problems = [p for n in names for p in bounds.text_problems(field, n, key, multiline=False)]
    if len(names) > bounds.MAX_SYSTEMS:
        problems.append(
            Problem(
                field,
                "too-many",
                f"names {len(names)} values",
                f"name at most {bounds.MAX_SYSTEMS}",
            )
        )
    if problems:
        raise RuleViolation(problems[:10])  # the first few name the mistake; no echo of all
    return names
