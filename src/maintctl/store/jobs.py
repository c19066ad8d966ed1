"""The job table: enqueue, claim, finish, fail, prune and list; the lease and the heartbeats.

A claim is one row changed by one worker: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so many
workers share the work without waiting on each other; on SQLite a conditional UPDATE that must
change exactly one row (and the write lock, and the lease row, keep it to one worker at a time).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.store.db import upsert_insert
from maintctl.store.tables import JobRow, WorkerBeatRow, WorkerLeaseRow

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
STATUSES = (PENDING, RUNNING, DONE, DEAD)
CLAIMABLE = (PENDING, RUNNING)  # a running job whose lease ran out (next_try_at) is claimable
LEASE_NAME = "worker"
# A claim reads this many times the jobs it wants, so a few refused by a lane filling up
# within the claim leave room for others.
_LOOK_AHEAD = 4
_TABLE: Table = JobRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Job:
    """One job as read: what a handler and a listing need."""

    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    key: str
    attempts: int
    next_try_at: datetime
    status: str
    result: str | None
    claimed_by: str | None
    claimed_until: datetime | None
    config_hash: str | None
    created_at: datetime
    finished_at: datetime | None


def _job(row: Any) -> Job:
    """A Job from an ORM row or a Core row of the jobs table (same names)."""
    return Job(
        row.id,
        row.kind,
        row.payload,
        row.due_at,
        row.idempotency_key,
        row.attempts,
        row.next_try_at,
        row.status,
        row.result,
        row.claimed_by,
        row.claimed_until,
        row.config_hash,
        row.created_at,
        row.finished_at,
    )


def check(kind: str, key: str, payload: dict[str, Any]) -> None:
    """Refuse a job past its bounds (a programming error: jobs are planned by code, not typed)."""
    if not 0 < len(kind) <= bounds.JOB_KIND_MAX:
        raise ValueError(f"a job kind is 1 to {bounds.JOB_KIND_MAX} characters: {kind!r}")
    if not 0 < len(key) <= bounds.JOB_KEY_MAX:
        raise ValueError(f"an idempotency key is 1 to {bounds.JOB_KEY_MAX} characters")
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size > bounds.JOB_PAYLOAD_MAX_BYTES:
        raise ValueError(f"a job payload is {size} bytes; at most {bounds.JOB_PAYLOAD_MAX_BYTES}")


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    key: str,
    now: datetime,
    config_hash: str | None = None,
) -> bool:
    """Plan a job; False when one with this key exists already (whatever its state)."""
    check(kind, key, payload)
    window = payload.get("window")
    insert = upsert_insert(session)
    statement = (
        insert(JobRow)
        .values(
            kind=kind,
            payload=payload,
            due_at=due_at,
            idempotency_key=key,
            attempts=0,
            next_try_at=due_at,
            status=PENDING,
            config_hash=config_hash,
            created_at=now,
            window_id=window if isinstance(window, str) and len(window) <= 32 else None,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(JobRow.id)
    )
    # RETURNING says whether a row went in; an ORM insert's rowcount is not reliable.
    return session.execute(statement).first() is not None


@dataclass(frozen=True)
class Full:
    """A lane with no room: jobs of `kind` whose payload[field] is one of `values` wait."""

    kind: str
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Claimed:
    """What one claim did: the jobs now held, and the jobs it found poisonous and marked dead."""

    jobs: list[Job]
    dead: list[Job]


def claim(
    session: Session,
    worker: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int,
    *,
    limit: int = 1,
    full: tuple[Full, ...] = (),
    admit: Callable[[str, dict[str, Any]], bool] | None = None,
    running: tuple[int, ...] = (),
    kinds: tuple[str, ...] = (),
) -> Claimed:
    """Claim up to `limit` jobs, those due first, for `lease`.

    Jobs in a `full` lane are passed over in the query itself, so a lane with a long backlog
    never hides the others' jobs; `admit(kind, payload)` may refuse more (a lane filling up
    within this claim). A job whose worker was stopped `max_attempts` times while running it is
    marked dead instead of being run again, so a job that kills its worker cannot stop the queue.
    The jobs `running` (the worker's own, whose claim may have run out while it was too busy to
    renew it) are never claimed again by the same worker.
    """
    due = and_(JobRow.status.in_(CLAIMABLE), JobRow.next_try_at <= now)
    candidates: list[Any] = []
    # One query per status, each ordered by next_try_at alone: the index (status, next_try_at)
    # then yields the rows in order and the scan stops at the limit. `status IN (...)` or a
    # tie-breaker made PostgreSQL sort every due row first (50 ms with 10,000 due).
    for status in (RUNNING, PENDING):  # a running job here is one whose lease ran out
        query = select(_TABLE).where(
            JobRow.status == status, JobRow.next_try_at <= now, *(_not_in(f) for f in full)
        )
        if running:
            query = query.where(JobRow.id.not_in(running))
        if kinds:  # only these kinds (the CLI running its own jobs in-process: cli/inline.py)
            query = query.where(JobRow.kind.in_(kinds))
        # Look a little further than `limit`: some candidates may be refused by `admit`.
        query = query.order_by(JobRow.next_try_at).limit(limit * _LOOK_AHEAD)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates += session.execute(query).all()
    candidates.sort(key=lambda r: r.next_try_at)  # stable: ties keep the index's order
    picked: list[int] = []
    dead: list[Job] = []
    for row in candidates:
        if row.status == RUNNING and row.attempts >= max_attempts:
            why = f"its worker stopped {row.attempts} times while running it"
            _end(session, JobRow.id == row.id, DEAD, why, now)
            dead.append(replace(_job(row), status=DEAD, result=why, finished_at=now))
            continue
        if admit is None or admit(row.kind, row.payload):
            picked.append(row.id)
            if len(picked) == limit:
                break
    if not picked:
        return Claimed([], dead)
    claimed = session.execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(picked), due)  # rows locked (PostgreSQL) or the write lock held
        .values(
            status=RUNNING,
            attempts=_TABLE.c.attempts + 1,
            claimed_by=worker,
            claimed_until=now + lease,
            next_try_at=now + lease,
        )
        .returning(*_TABLE.c)
    )
    order = {job_id: n for n, job_id in enumerate(picked)}
    return Claimed(sorted((_job(r) for r in claimed), key=lambda j: order[j.id]), dead)


def _not_in(lane: Full) -> Any:
    value = func.coalesce(JobRow.payload[lane.field].as_string(), "")
    return or_(JobRow.kind != lane.kind, value.not_in(lane.values))


def release(session: Session, worker: str, ids: list[int], now: datetime) -> int:
    """Give back claimed jobs this worker never started: pending, due now, the try uncounted."""
    lock_in_order(session, ids)
    changed = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(ids), JobRow.status == RUNNING, JobRow.claimed_by == worker)
        .values(
            status=PENDING,
            attempts=JobRow.attempts - 1,
            claimed_by=None,
            claimed_until=None,
            next_try_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def lock_in_order(session: Session, ids: list[int]) -> None:
    """Lock the rows `ids` in id order (PostgreSQL; SQLite writes one at a time anyway).

    Every statement that changes several jobs in one transaction (renewing claims, recording a
    group of outcomes, handing claims back) takes its row locks in this one order first, so two
    of them never wait on each other in a cycle (a deadlock).
    """
    if ids:
        session.execute(
            select(JobRow.id).where(JobRow.id.in_(ids)).order_by(JobRow.id).with_for_update()
        )


def extend(session: Session, worker: str, ids: list[int], now: datetime, lease: timedelta) -> int:
    """Renew this worker's claim on the jobs `ids` it is still running; how many it holds."""
    if not ids:
        return 0
    lock_in_order(session, ids)
    changed = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(ids), JobRow.status == RUNNING, JobRow.claimed_by == worker)
        .values(claimed_until=now + lease, next_try_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def _end(session: Session, where: Any, status: str, result: str, now: datetime) -> int:
    """Mark the job(s) `where` selects ended with `status`; how many rows changed."""
    # A Core UPDATE: it runs once per job, and the ORM's bulk-update path costs more than it.
    changed = session.execute(
        update(_TABLE)
        .where(where)
        .values(
            status=status,
            result=result[: bounds.JOB_RESULT_MAX_CHARS],
            finished_at=now,
            claimed_until=None,
        )
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def _mine(job_id: int, worker: str) -> Any:
    # A worker records only a job it still holds: if its lease ran out and another worker took
    # the job, the other one's outcome counts.
    return and_(JobRow.id == job_id, JobRow.status == RUNNING, JobRow.claimed_by == worker)


def finish(session: Session, job_id: int, worker: str, result: str, now: datetime) -> bool:
    """Record a job done; False when this worker no longer held it."""
    return _end(session, _mine(job_id, worker), DONE, result, now) == 1


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """The wait before try `attempts + 1`: base doubling per try, at most cap, plus up to a
    quarter more at random so jobs that failed together do not all retry together."""
    delay: timedelta = min(base * (2 ** min(max(attempts - 1, 0), 30)), cap)
    return delay * (1 + random.random() / 4)  # noqa: S311 - jitter, not a secret


def fail(
    session: Session,
    job_id: int,
    worker: str,
    error: str,
    now: datetime,
    *,
    permanent: bool,
    max_attempts: int,
    base: timedelta,
    cap: timedelta,
) -> str | None:
    """Record a failed try: retried after a backoff, or dead when permanent or out of tries.

    The new status, or None when this worker no longer held the job.
    """
    row = session.execute(select(JobRow.attempts).where(_mine(job_id, worker))).first()
    if row is None:
        return None
    attempts = row[0]
    dead = permanent or attempts >= max_attempts
    values: dict[str, Any] = {
        "status": DEAD if dead else PENDING,
        "result": error[: bounds.JOB_RESULT_MAX_CHARS],
        "claimed_until": None,
    }
    if dead:
        values["finished_at"] = now
    else:
        values["next_try_at"] = now + backoff(attempts, base, cap)
    changed = session.execute(
        update(JobRow)
        .where(_mine(job_id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return str(values["status"]) if changed.rowcount == 1 else None  # type: ignore[attr-defined]


def prune(session: Session, before: datetime) -> int:
    """Delete up to JOB_PRUNE_BATCH jobs finished before `before`, and stale heartbeats."""
    ids = (
        select(JobRow.id)
        .where(JobRow.status.in_((DONE, DEAD)), JobRow.finished_at < before)
        .order_by(JobRow.finished_at)
        .limit(bounds.JOB_PRUNE_BATCH)
    )
    doomed = list(session.scalars(ids))
    if doomed:
        session.execute(
            delete(JobRow).where(JobRow.id.in_(doomed)).execution_options(synchronize_session=False)
        )
    session.execute(
        delete(WorkerBeatRow)
        .where(WorkerBeatRow.beat_at < before)
        .execution_options(synchronize_session=False)
    )
    return len(doomed)


def page(session: Session, limit: int, before: int | None, status: str | None) -> list[Job]:
    """Jobs newest first, at most `limit`, older than the id `before` (a keyset page)."""
    limit = max(1, min(limit, bounds.PAGE_MAX))
    query = select(JobRow)
    if before is not None:
        query = query.where(JobRow.id < before)
    if status is not None:
        query = query.where(JobRow.status == status)
    rows = session.scalars(query.order_by(JobRow.id.desc()).limit(limit))
    return [_job(r) for r in rows]


def get(session: Session, key: str) -> Job | None:
    row = session.scalars(select(JobRow).where(JobRow.idempotency_key == key)).first()
    return _job(row) if row else None


def hold_lease(session: Session, worker: str, now: datetime, lease: timedelta) -> bool:
    """Take or renew the one worker lease; False while another worker holds it."""
    insert = upsert_insert(session)
    session.execute(
        insert(WorkerLeaseRow)
        .values(name=LEASE_NAME, holder=worker, until=now + lease)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    changed = session.execute(
        update(WorkerLeaseRow)
        .where(
            WorkerLeaseRow.name == LEASE_NAME,
            or_(WorkerLeaseRow.holder == worker, WorkerLeaseRow.until < now),
        )
        .values(holder=worker, until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def release_lease(session: Session, worker: str, now: datetime) -> None:
    """Give the lease up at once (a worker that stops cleanly), if this worker holds it."""
    session.execute(
        update(WorkerLeaseRow)
        .where(WorkerLeaseRow.name == LEASE_NAME, WorkerLeaseRow.holder == worker)
        .values(until=now)
        .execution_options(synchronize_session=False)
    )


def beat(session: Session, worker: str, now: datetime, config_hash: str) -> None:
    """Record that `worker` is alive now."""
    insert = upsert_insert(session)
    session.execute(
        insert(WorkerBeatRow)
        .values(worker_id=worker, started_at=now, beat_at=now, config_hash=config_hash)
        .on_conflict_do_update(
            index_elements=["worker_id"], set_={"beat_at": now, "config_hash": config_hash}
        )
    )


@dataclass(frozen=True)
class Beat:
    worker: str
    beat_at: datetime
    config_hash: str


def last_beat(session: Session) -> Beat | None:
    """The most recent heartbeat of any worker."""
    row = session.scalars(select(WorkerBeatRow).order_by(WorkerBeatRow.beat_at.desc())).first()
    return Beat(row.worker_id, row.beat_at, row.config_hash) if row else None


def lease_holder(session: Session, now: datetime) -> tuple[str, datetime] | None:
    """Who holds the SQLite worker lease and until when, if it holds now."""
    row = session.get(WorkerLeaseRow, LEASE_NAME)
    if row is None or row.until < now:
        return None
    return row.holder, row.until


def of_window(session: Session, window_id: str, limit: int) -> list[JobRow]:
    """The newest jobs a window's moves planned, newest first."""
    query = select(JobRow).where(JobRow.window_id == window_id)
    return list(session.scalars(query.order_by(JobRow.id.desc()).limit(limit)))
