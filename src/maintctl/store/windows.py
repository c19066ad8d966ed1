"""Reading and writing windows. Interval questions use indexes, never a scan of the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from maintctl.domain import bounds
from maintctl.domain.approvals import Signature
from maintctl.domain.intervals import Interval
from maintctl.domain.model import (
    Booking,
    Conflict,
    ItemKind,
    RequestDetails,
    Risk,
    Severity,
    Status,
    Window,
    WindowSpec,
)
from maintctl.domain.pages import Key
from maintctl.domain.public import EMERGENCY
from maintctl.domain.steps import FIELDS as STEP_FIELDS
from maintctl.domain.steps import from_stored
from maintctl.store.db import upsert_insert
from maintctl.store.tables import SHORT_S, IdCounterRow, SignatureRow, SystemRow, WindowRow

SHORT = timedelta(seconds=SHORT_S)


def _conflict(d: dict[str, Any]) -> Conflict:
    return Conflict(
        ItemKind(d["kind"]),
        d["name"],
        datetime.fromisoformat(d["start"]),
        datetime.fromisoformat(d["end"]),
        Severity(d["severity"]),
        d.get("detail", ""),
    )


def to_window(row: WindowRow) -> Window:
    spec = WindowSpec(
        type=row.type,
        start=row.start_at,
        end=row.end_at,
        systems=[s.system for s in row.systems],
        owner=row.owner,
        description=row.description,
        impact=row.impact,
        risk=Risk(row.risk),
        details=RequestDetails(**row.details),
        public_title=row.public_title,
        public_message=row.public_message,
        team=list(row.team or []),
        **{
            name: [from_stored(d) for d in (row.steps or {}).get(name, [])]
            for name in STEP_FIELDS.values()
        },
        maintenance_mode=bool(row.maintenance_mode),
        maintenance_message=row.maintenance_message,
        traffic_mode=row.traffic_mode or "normal",
    )
    return Window(
        id=row.id,
        status=Status(row.status),
        spec=spec,
        requested_by=row.requested_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        conflicts=[_conflict(c) for c in row.conflicts],
        cancel_reason=row.cancel_reason,
        sequence=row.sequence,
        version=row.version,
        signatures=[
            Signature(
                g.level,
                g.role,
                g.signer,
                g.signer_role,
                g.at,
                g.comment,
                token_id=g.token_id,
                token_issuer=g.token_issuer,
            )
            for g in row.signatures
        ],
        lead=row.lead,
        actual_start=row.actual_start,
        actual_end=row.actual_end,
        published_start=row.published_start,
        published_end=row.published_end,
        signed_hash=row.signed_hash,
    )


def _fill(row: WindowRow, w: Window) -> None:
    spec = w.spec
    row.type = spec.type
    row.status = w.status.value
    row.start_at = spec.start
    row.end_at = spec.end
    row.duration_s = int((spec.end - spec.start).total_seconds())
    row.owner = spec.owner
    row.requested_by = w.requested_by
    row.description = spec.description
    row.impact = spec.impact
    row.risk = spec.risk.value
    row.details = asdict(spec.details)
    row.conflicts = [c.as_dict() for c in w.conflicts]
    row.cancel_reason = w.cancel_reason
    row.created_at = w.created_at
    row.updated_at = w.updated_at
    row.sequence = w.sequence
    row.version = w.version
    row.lead = w.lead
    row.actual_start = w.actual_start
    row.actual_end = w.actual_end
    row.public_title = spec.public_title
    row.public_message = spec.public_message
    row.team = list(spec.team)
    row.maintenance_mode = spec.maintenance_mode
    row.maintenance_message = spec.maintenance_message
    row.traffic_mode = spec.traffic_mode
    row.published_start = w.published_start
    row.published_end = w.published_end
    row.steps = {
        name: [step.stored() for step in getattr(spec, name)] for name in STEP_FIELDS.values()
    }
    row.signed_hash = w.signed_hash
    wanted_signatures = {(g.level, g.signer) for g in w.signatures}
    row.signatures = [g for g in row.signatures if (g.level, g.signer) in wanted_signatures]
    have_signatures = {(g.level, g.signer) for g in row.signatures}
    for g in w.signatures:
        if (g.level, g.signer) not in have_signatures:
            row.signatures.append(
                SignatureRow(
                    level=g.level,
                    role=g.role,
                    signer=g.signer,
                    signer_role=g.signer_role,
                    at=g.at,
                    comment=g.comment,
                    token_id=g.token_id,
                    token_issuer=g.token_issuer,
                )
            )
    active = w.status != Status.CANCELLED
    long = row.duration_s > SHORT_S
    wanted = set(spec.systems)
    row.systems = [s for s in row.systems if s.system in wanted]
    have = {s.system for s in row.systems}
    for name in sorted(wanted - have):
        row.systems.append(SystemRow(system=name))
    emergency = spec.type == EMERGENCY
    for s in row.systems:
        s.start_at, s.end_at, s.active, s.long = spec.start, spec.end, active, long
        s.emergency = emergency


def get(session: Session, window_id: str) -> Window | None:
    row = session.get(WindowRow, window_id)
    return None if row is None else to_window(row)


def exists(session: Session, window_id: str) -> bool:
    return session.get(WindowRow, window_id) is not None


def add(session: Session, w: Window, seq: tuple[int, int] | None) -> None:
    row = WindowRow(id=w.id, seq_year=seq[0] if seq else None, seq_no=seq[1] if seq else None)
    _fill(row, w)
    session.add(row)
    session.flush()


def save(session: Session, w: Window) -> None:
    """Write a changed window whose version is one more than the version it was read at.

    The row may have been re-read since (another writer committed in between): then its version
    is not the one the change was made from, and the change must not land on top of it.
    """
    row = session.get(WindowRow, w.id)
    if row is None or row.version + 1 != w.version:
        raise StaleDataError(f"{w.id} is at version {row.version if row else None}")
    _fill(row, w)
    session.flush()


def take_number(session: Session, prefix: str, at_least: int = 0) -> int:
    """The next number under `prefix` (one more than the last, and at least `at_least`).

    One atomic statement: the row is created on first use, and concurrent callers queue on its
    lock (PostgreSQL) or on the write lock (SQLite), so no caller ever sees a number taken.
    """
    insert = upsert_insert(session)
    last = IdCounterRow.last
    bumped = case((last + 1 < at_least, at_least), else_=last + 1)
    statement = (
        insert(IdCounterRow)
        .values(prefix=prefix, last=max(at_least, 1))
        .on_conflict_do_update(index_elements=["prefix"], set_={"last": bumped})
        .returning(last)
    )
    return int(session.execute(statement).scalar_one())


def raise_number(session: Session, prefix: str, number: int) -> None:
    """Make sure the counter under `prefix` is at least `number` (an ID given by hand)."""
    insert = upsert_insert(session)
    last = IdCounterRow.last
    raised = case((last < number, number), else_=last)
    session.execute(
        insert(IdCounterRow)
        .values(prefix=prefix, last=number)
        .on_conflict_do_update(index_elements=["prefix"], set_={"last": raised})
    )


def _during(
    session: Session, span: Interval, start: Any, end: Any, long: Any
) -> list[ColumnElement[bool]]:
    """Conditions for "(start, end) overlaps `span`"; a row matching any one of them does.

    PostgreSQL: one range test, served by the GiST index / exclusion constraint. SQLite: short
    rows by their start with a fixed look-back (they cannot start earlier and still reach the
    span), long rows by their end (a partial index holds only them), which can lie no later than
    the span's end plus the longest any window may last, so the future's long windows are not
    all read. Neither depends on the longest window ever stored, and cancelled rows widen
    nothing.
    """
    if session.get_bind().dialect.name == "postgresql":
        wanted = func.tstzrange(span.start, span.end)
        return [func.tstzrange(start, end).bool_op("&&")(wanted)]
    return [
        and_(start >= span.start - SHORT, start < span.end, end > span.start),
        and_(long, end > span.start, end <= span.end + bounds.MAX_WINDOW, start < span.end),
    ]


def bookings(
    session: Session, systems: Sequence[str], span: Interval, exclude: str | None = None
) -> list[Booking]:
    """Active windows holding any of `systems` at a time overlapping `span`."""
    if not systems:
        return []
    held = SystemRow.system.in_(list(systems))
    parts = [
        select(SystemRow.window_id, SystemRow.start_at, SystemRow.end_at, SystemRow.system).where(
            held,
            # Plain `active` (not IS TRUE) so PostgreSQL can use the partial GiST index.
            SystemRow.active,
            during,
            *([SystemRow.window_id != exclude] if exclude else []),
        )
        for during in _during(session, span, SystemRow.start_at, SystemRow.end_at, SystemRow.long)
    ]
    query = parts[0] if len(parts) == 1 else union(*parts)
    found: dict[str, tuple[datetime, datetime, set[str]]] = {}
    for window_id, start, end, system in session.execute(query):
        found.setdefault(window_id, (start, end, set()))[2].add(system)
    return [Booking(i, s, e, frozenset(names)) for i, (s, e, names) in found.items()]


def overlapping(
    session: Session, span: Interval, systems: Sequence[str] | None = None
) -> list[Window]:
    """Windows of any status overlapping `span` (optionally only those holding `systems`)."""
    # A literal, not a bound parameter, so SQLite sees the partial index's condition.
    long = WindowRow.duration_s > literal_column(str(SHORT_S))
    during = _during(session, span, WindowRow.start_at, WindowRow.end_at, long)
    if len(during) == 1:
        # PostgreSQL: the windows' GiST index finds the span; each found window's systems are
        # then a primary-key lookup.
        query = select(WindowRow).where(during[0])
        if systems:
            held = select(SystemRow.window_id).where(
                SystemRow.window_id == WindowRow.id, SystemRow.system.in_(list(systems))
            )
            query = query.where(held.exists())
    else:
        if systems:
            # Bounded in time too, or SQLite reads every window the systems ever had.
            during = _during(session, span, SystemRow.start_at, SystemRow.end_at, SystemRow.long)
            held_now = SystemRow.system.in_(list(systems))
            parts = [select(SystemRow.window_id).where(held_now, c) for c in during]
        else:
            parts = [select(WindowRow.id).where(c) for c in during]
        query = select(WindowRow).where(WindowRow.id.in_(union(*parts)))
    rows = session.scalars(query.order_by(WindowRow.start_at, WindowRow.id))
    return [to_window(r) for r in rows]


def listing(
    session: Session,
    *,
    statuses: Sequence[Status] = (),
    ending_after: datetime | None = None,
    starting_before: datetime | None = None,
    types: Sequence[str] = (),
    systems: Sequence[str] = (),
    after: Key | None = None,
    limit: int | None = None,
) -> list[Window]:
    """Windows ordered by (start, id), filtered, from just past the key `after` on."""
    # One system: walk that system's rows in the (system, start) index, which hold the window's
    # times, so a system with few windows costs a page a few rows, not a scan of every window.
    # (window, system) is the key there, so no window comes twice.
    one = systems[0] if len(systems) == 1 else None
    start, id_ = (
        (SystemRow.start_at, SystemRow.window_id) if one else (WindowRow.start_at, WindowRow.id)
    )
    query = select(WindowRow)
    if one is not None:
        query = query.join(SystemRow, SystemRow.window_id == WindowRow.id)
        query = query.where(SystemRow.system == one)
    elif systems:
        touching = select(SystemRow.window_id).where(SystemRow.system.in_(systems))
        query = query.where(WindowRow.id.in_(touching))
    if statuses:
        query = query.where(WindowRow.status.in_([s.value for s in statuses]))
    if ending_after is not None:
        # No window is longer than MAX_WINDOW, so one ending after T starts after T - MAX_WINDOW:
        # that bound lets the start index skip the past instead of reading every old window.
        query = query.where(WindowRow.end_at > ending_after)
        query = query.where(start > ending_after - bounds.MAX_WINDOW)
    if starting_before is not None:
        query = query.where(start < starting_before)
    if types:
        query = query.where(WindowRow.type.in_(types))
    if after is not None:
        # A keyset, not an offset: a page costs the same however deep, and rows added or
        # removed before the key cannot shift what the next page holds.
        query = query.where(or_(start > after.start, and_(start == after.start, id_ > after.id)))
    query = query.order_by(start, id_)
    if limit is not None:
        query = query.limit(limit)
    return [to_window(r) for r in session.scalars(query)]
