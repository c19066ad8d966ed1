"""Validation runs as stored jobs: started by a person, run by the worker (or in-process by the
CLI alone), each result written as it finishes; baselines captured on a window and compared.

A run is `V-<n>`. Its job (`validation.run`, payload: the run's number only) runs the suite with
the config of the process that runs it. Results are keyed (run, check name), so a killed
worker's run, run again by the job's retry, replaces its results and never doubles them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.checks import Result, Row, compare
from maintctl.domain.errors import MaintctlError, NotFound, Problem, RuleViolation
from maintctl.domain.roles import Principal, require_validator
from maintctl.services import jobs, validation, windows
from maintctl.services.deps import Deps
from maintctl.store import validation as store
from maintctl.store.jobs import Job
from maintctl.store.tables import ValidationRunRow

KIND = "validation.run"
MODES = ("quick", "full")
PURPOSES = ("check", "baseline", "compare")
VERIFY = "verify"  # the quick validation `complete` runs: its pass completes the window
RETENTION = timedelta(days=bounds.VALIDATION_RETENTION_DAYS)


def run_id(text: str) -> int:
    """The number of `V-<n>` (or a bare n); 404 when it is not one."""
    raw = text.strip().upper().removeprefix("V-")
    if not raw.isdigit() or not 0 < int(raw) <= 2**31 - 1:
        raise _missing(text)
    return int(raw)


def public_id(number: int) -> str:
    return f"V-{number}"


def _missing(text: str) -> NotFound:
    return NotFound(
        [
            Problem(
                "id",
                "not-found",
                f"there is no validation run {text[:40]}",
                "list a window's runs with maintctl window show ID",
            )
        ]
    )


@dataclass(frozen=True)
class Ask:
    """What a person asked for: on which window, which checks, and why."""

    window_id: str | None = None
    quick: bool = False
    groups: tuple[str, ...] = ()
    purpose: str = "check"


def _refuse(field: str, rule: str, message: str, fix: str) -> RuleViolation:
    return RuleViolation([Problem(field, rule, message, fix)])


def start(
    deps: Deps,
    session: Session,
    who: Principal,
    ask: Ask,
    *,
    enqueue: bool = True,
    watch_id: int | None = None,
) -> ValidationRunRow:
    """Record a queued run (and plan its job unless run in-process); refused before any write
    when the caller may not validate, the window is unknown, no check is chosen, or a
    comparison has no baseline to compare with."""
    require_validator(who, "validate")
    if ask.purpose not in PURPOSES:
        raise _refuse("baseline", "unknown-purpose", f"{ask.purpose!r}", "use capture or compare")
    window_id = None
    if ask.window_id is not None:
        window_id = windows.require(session, ask.window_id).id
    elif ask.purpose != "check":
        raise _refuse(
            "window",
            "window-required",
            "a baseline is kept on a window",
            "name the window: --window ID",
        )
    validation.select(deps.config.checks, quick=ask.quick, groups=ask.groups)
    if ask.purpose == "compare" and baseline_captured(session, str(window_id)) is None:
        raise _refuse(
            "window",
            "no-baseline",
            f"the window {window_id} has no baseline",
            f"capture one first: maintctl validate --window {window_id} --baseline capture",
        )
    return plan_run(deps, session, who.name, ask, window_id, enqueue=enqueue, watch_id=watch_id)


def plan_run(
    deps: Deps,
    session: Session,
    started_by: str,
    ask: Ask,
    window_id: str | None,
    *,
    enqueue: bool = True,
    watch_id: int | None = None,
    due: datetime | None = None,
) -> ValidationRunRow:
    """Write a queued run already allowed (and its job, due at `due` or now, unless in-process)."""
    now = deps.clock()
    row = store.create(
        session,
        window_id=window_id,
        mode="quick" if ask.quick else "full",
        groups=list(ask.groups),
        purpose=ask.purpose,
        started_by=started_by,
        now=now,
        config_hash=deps.config.hash,
        watch_id=watch_id,
    )
    if enqueue:
        from maintctl.store import jobs as job_store

        key = f"{KIND}:{row.id}"
        job_store.enqueue(session, KIND, {"run": row.id}, due or now, key, now, deps.config.hash)
    return row


def execute(
    deps: Deps, number: int, on_result: Callable[[Result], None] | None = None
) -> ValidationRunRow:
    """Run a stored run's suite with this process's config, writing each result as it
    finishes (a short transaction each), then the run's status; the finished run."""
    with deps.db.write() as session:
        row = store.get(session, number)
        if row is None:
            raise _missing(public_id(number))
        if row.status in store.FINISHED:
            return row
        store.begin(session, number, deps.config.hash, deps.clock())
        quick, groups = row.mode == "quick", tuple(row.groups)
    try:
        specs = validation.select(deps.config.checks, quick=quick, groups=groups)
    except MaintctlError as exc:
        # The config changed since the run was asked for: say so on the run, never retry.
        with deps.db.write() as session:
            store.finish(session, number, store.ERROR, deps.clock(), str(exc))
            return _reload(session, number)

    def written(result: Result) -> None:
        with deps.db.write() as session:
            store.put_result(session, number, result, deps.clock())
        if on_result is not None:
            on_result(result)

    report = validation.run(specs, written)
    with deps.db.write() as session:
        passed = report.passed
        row = _reload(session, number)
        if row.purpose == "compare" and row.window_id is not None:
            passed = passed and all(r.passed for r in comparison(deps, session, row))
        store.finish(session, number, store.PASSED if passed else store.FAILED, deps.clock())
        row = _reload(session, number)
        if row.purpose == VERIFY:
            from maintctl.services import lifecycle

            lifecycle.verified(deps, session, row)  # in the run's transaction
        return row


def _reload(session: Session, number: int) -> ValidationRunRow:
    row = store.get(session, number)
    assert row is not None  # runs are deleted only when finished and old
    session.refresh(row)
    return row


def run_job(deps: Deps, payload: dict[str, Any]) -> str:
    """The worker's handler of `validation.run`."""
    number = payload.get("run")
    if not isinstance(number, int):
        raise jobs.JobError("the payload names no run", permanent=True)
    try:
        row = execute(deps, number)
    except NotFound:
        raise jobs.JobError(f"there is no run {public_id(number)}", permanent=True) from None
    if row.watch_id is not None:
        from maintctl.services import watches

        watches.plan_next(deps, row)
    return f"{public_id(number)} {row.status}"


def get(session: Session, number: int) -> ValidationRunRow:
    """A run, or 404 (any account may read runs: DESIGN.md "read ... logs")."""
    row = store.get(session, number)
    if row is None:
        raise _missing(public_id(number))
    return row


def baseline_run(session: Session, window_id: str) -> ValidationRunRow | None:
    """The window's newest finished baseline capture."""
    return store.last(session, window_id, "baseline", (store.PASSED, store.FAILED))


def baseline_captured(session: Session, window_id: str) -> datetime | None:
    """When the window's baseline was captured, or None (the precheck's `baseline-captured`)."""
    found = baseline_run(session, window_id)
    return found.finished_at if found is not None else None


@dataclass(frozen=True)
class Compared:
    """One row of the runbook's table and the tolerance it was judged by."""

    row: Row
    tolerance: str

    @property
    def passed(self) -> bool:
        return self.row.passed

    def as_dict(self) -> dict[str, Any]:
        r = self.row
        return {
            "metric": r.metric,
            "baseline": r.baseline,
            "current": r.current,
            "status": r.status,
            "passed": r.passed,
            "tolerance": self.tolerance,
        }


def comparison(deps: Deps, session: Session, run: ValidationRunRow) -> list[Compared]:
    """A comparison run's results against its window's baseline, each within its check's
    tolerance in this process's config (exact where none is given)."""
    if run.window_id is None or run.purpose != "compare":
        return []
    base = baseline_run(session, run.window_id)
    before = {r.name: r.observed for _, r in store.results(session, base.id)} if base else {}
    tolerances = {s.name: s.tolerance for s in deps.config.checks}
    order = {name: i for i, name in enumerate(tolerances)}
    found = [r for _, r in store.results(session, run.id)]
    rows = []
    # In the config's order, whatever order the checks finished in.
    for current in sorted(found, key=lambda r: (order.get(r.name, len(order)), r.name)):
        tolerance = tolerances.get(current.name)
        row = compare(current.name, before.get(current.name), current, tolerance)
        rows.append(Compared(row, tolerance.text() if tolerance else "exact"))
    return rows


def results_page(
    session: Session, number: int, after: int | None, limit: int
) -> list[tuple[int, Result]]:
    return store.results(session, number, after, limit)


def window_runs(
    session: Session, window_id: str, before: int | None, limit: int
) -> list[ValidationRunRow]:
    """A window's runs, newest first (404 for an unknown window)."""
    found = windows.require(session, window_id)
    return store.window_runs(session, found.id, before, limit)


def summary(session: Session, window_id: str) -> dict[str, dict[str, Any]]:
    """The window's last run of each purpose: its id, status and when (for `window show`)."""
    out: dict[str, dict[str, Any]] = {}
    for purpose in (*PURPOSES, VERIFY):
        row = store.last(session, window_id, purpose)
        if row is not None:
            out[purpose] = {
                "id": public_id(row.id),
                "status": row.status,
                "at": row.finished_at or row.created_at,
            }
    return out


def prune(deps: Deps, retention: timedelta = RETENTION) -> int:
    """Delete finished runs older than `retention` (one bounded batch)."""
    with deps.db.write() as session:
        return store.prune(session, deps.clock() - retention)


def run_died(deps: Deps, session: Session, job: Job) -> None:
    """A run whose job died (its worker killed too often, or out of tries) ends in error."""
    number = job.payload.get("run")
    if isinstance(number, int):
        row = store.get(session, number)
        if row is not None and row.status not in store.FINISHED:
            why = f"its job died: {job.result or 'no result'}"[: bounds.CHECK_MESSAGE_MAX]
            store.finish(session, number, store.ERROR, deps.clock(), why)
            if row.watch_id is not None:  # a watch's round: no round follows it, the watch ends
                store.finish_watch(session, row.watch_id, deps.clock())


jobs.register(KIND, run_job, on_dead=run_died)
