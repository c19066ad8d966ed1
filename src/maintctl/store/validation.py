"""Validation runs and their check results: written as each finishes, read a page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from maintctl.domain.checks import Result, Status
from maintctl.store.tables import CheckResultRow, ValidationRunRow, ValidationWatchRow

QUEUED, RUNNING, PASSED, FAILED, ERROR = "queued", "running", "passed", "failed", "error"
FINISHED = (PASSED, FAILED, ERROR)


def create(
    session: Session,
    *,
    window_id: str | None,
    mode: str,
    groups: list[str],
    purpose: str,
    started_by: str,
    now: datetime,
    config_hash: str | None,
    watch_id: int | None = None,
) -> ValidationRunRow:
    row = ValidationRunRow(
        watch_id=watch_id,
        window_id=window_id,
        mode=mode,
        groups=groups,
        purpose=purpose,
        status=QUEUED,
        started_by=started_by,
        created_at=now,
        config_hash=config_hash,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, run_id: int) -> ValidationRunRow | None:
    return session.get(ValidationRunRow, run_id)


def begin(
    session: Session, run_id: int, config_hash: str | None, now: datetime | None = None
) -> None:
    """Mark a run running (again, on a retry), stamped with the config that runs it."""
    session.execute(
        update(ValidationRunRow)
        .where(ValidationRunRow.id == run_id)
        .values(
            status=RUNNING, config_hash=config_hash, finished_at=None, message=None, started_at=now
        )
    )


def finish(
    session: Session, run_id: int, status: str, now: datetime, message: str | None = None
) -> None:
    session.execute(
        update(ValidationRunRow)
        .where(ValidationRunRow.id == run_id)
        .values(status=status, finished_at=now, message=message)
    )


def put_result(session: Session, run_id: int, result: Result, now: datetime) -> None:
    """Store one result; a repeat of the same check in the same run replaces it."""
    values = {
        "check_group": result.group,
        "kind": result.kind,
        "status": result.status.value,
        "observed": {"value": result.observed},
        "unit": result.unit,
        "duration_ms": result.duration_ms,
        "message": result.message,
        "at": now,
    }
    found = session.scalar(
        select(CheckResultRow).where(
            CheckResultRow.run_id == run_id, CheckResultRow.name == result.name
        )
    )
    if found is None:
        session.add(CheckResultRow(run_id=run_id, name=result.name, **values))
    else:
        for key, value in values.items():
            setattr(found, key, value)
    session.flush()


def as_result(row: CheckResultRow) -> Result:
    return Result(
        name=row.name,
        group=row.check_group,
        kind=row.kind,
        status=Status(row.status),
        observed=row.observed.get("value"),
        unit=row.unit,
        duration_ms=row.duration_ms,
        message=row.message,
    )


def results(
    session: Session, run_id: int, after: int | None = None, limit: int | None = None
) -> list[tuple[int, Result]]:
    """A run's results in the order they were first written, from just past the id `after`."""
    query = select(CheckResultRow).where(CheckResultRow.run_id == run_id)
    if after is not None:
        query = query.where(CheckResultRow.id > after)
    query = query.order_by(CheckResultRow.id)
    if limit is not None:
        query = query.limit(limit)
    return [(r.id, as_result(r)) for r in session.scalars(query)]


def window_runs(
    session: Session, window_id: str, before: int | None, limit: int
) -> list[ValidationRunRow]:
    """A window's runs, newest first, from just before the id `before`."""
    query = select(ValidationRunRow).where(ValidationRunRow.window_id == window_id)
    if before is not None:
        query = query.where(ValidationRunRow.id < before)
    return list(session.scalars(query.order_by(ValidationRunRow.id.desc()).limit(limit)))


def last(
    session: Session, window_id: str, purpose: str, statuses: tuple[str, ...] | None = None
) -> ValidationRunRow | None:
    """A window's newest run of one purpose (of one of `statuses` when given)."""
    query = select(ValidationRunRow).where(
        ValidationRunRow.window_id == window_id, ValidationRunRow.purpose == purpose
    )
    if statuses is not None:
        query = query.where(ValidationRunRow.status.in_(statuses))
    return session.scalar(query.order_by(ValidationRunRow.id.desc()).limit(1))


def prune(session: Session, before: datetime, batch: int = 1_000) -> int:
    """Delete finished runs (and their results) created before `before`, then ended watches
    left with no round: one bounded batch of each."""
    ids = list(
        session.scalars(
            select(ValidationRunRow.id)
            .where(ValidationRunRow.created_at < before, ValidationRunRow.status.in_(FINISHED))
            .limit(batch)
        )
    )
    if ids:
        session.execute(delete(CheckResultRow).where(CheckResultRow.run_id.in_(ids)))
        session.execute(delete(ValidationRunRow).where(ValidationRunRow.id.in_(ids)))
    # Watches ended before `before` whose rounds are all gone (a round is never older than its
    # watch, so these rounds went in this batch or an earlier one).
    rounds = select(ValidationRunRow.id).where(ValidationRunRow.watch_id == ValidationWatchRow.id)
    ended = list(
        session.scalars(
            select(ValidationWatchRow.id)
            .where(ValidationWatchRow.finished_at < before, ~rounds.exists())
            .limit(batch)
        )
    )
    if ended:
        session.execute(delete(ValidationWatchRow).where(ValidationWatchRow.id.in_(ended)))
    return len(ids) + len(ended)


def create_watch(session: Session, **values: object) -> ValidationWatchRow:
    row = ValidationWatchRow(**values)
    session.add(row)
    session.flush()
    return row


def get_watch(session: Session, watch_id: int) -> ValidationWatchRow | None:
    return session.get(ValidationWatchRow, watch_id)


def watch_runs(session: Session, watch_id: int, limit: int) -> list[ValidationRunRow]:
    """A watch's rounds in order (at most `limit`: a plan's rounds are bounded)."""
    query = select(ValidationRunRow).where(ValidationRunRow.watch_id == watch_id)
    return list(session.scalars(query.order_by(ValidationRunRow.id).limit(limit)))


def finish_watch(session: Session, watch_id: int, now: datetime) -> None:
    session.execute(
        update(ValidationWatchRow)
        .where(ValidationWatchRow.id == watch_id, ValidationWatchRow.finished_at.is_(None))
        .values(finished_at=now)
    )


def watch_tallies(session: Session, watch_id: int) -> dict[int, tuple[int, int]]:
    """Each round's (checks, failed) of a watch, by run id: one grouped query."""
    failing = func.sum(case((CheckResultRow.status != Status.PASS.value, 1), else_=0))
    query = (
        select(CheckResultRow.run_id, func.count(), failing)
        .join(ValidationRunRow, ValidationRunRow.id == CheckResultRow.run_id)
        .where(ValidationRunRow.watch_id == watch_id)
        .group_by(CheckResultRow.run_id)
    )
    return {run: (int(n), int(bad or 0)) for run, n, bad in session.execute(query)}


def watch_failures(session: Session, watch_id: int, limit: int) -> dict[int, list[Result]]:
    """A watch's first `limit` failing results, by run id, in the order they were written."""
    query = (
        select(CheckResultRow)
        .join(ValidationRunRow, ValidationRunRow.id == CheckResultRow.run_id)
        .where(ValidationRunRow.watch_id == watch_id, CheckResultRow.status != Status.PASS.value)
        .order_by(CheckResultRow.run_id, CheckResultRow.id)
        .limit(limit)
    )
    found: dict[int, list[Result]] = {}
    for row in session.scalars(query):
        found.setdefault(row.run_id, []).append(as_result(row))
    return found
