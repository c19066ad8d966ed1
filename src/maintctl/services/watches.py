"""Recovery watches run by the worker (`validate --watch` through a server): a series of
ordinary validation runs, one per round, each its own `validation.run` job due at its round's
time, so no job runs longer than one round and a killed worker loses nothing.

Round k+1 is planned when round k finishes (services/runs.run_job calls `plan_next`), at the
time domain/recovery's plan gives: never overlapping, never past the deadline, never more
rounds than the plan allows. The verdict is computed from the stored rounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.checks import Result, Status
from maintctl.domain.errors import NotFound, Problem, RuleViolation
from maintctl.domain.recovery import EVERY_FIELD, WATCH_FIELD, Plan, Watch, parse_plan
from maintctl.domain.roles import Principal, require_validator
from maintctl.domain.times import format_duration, format_instant
from maintctl.services import runs, windows
from maintctl.services.deps import Deps
from maintctl.services.validation import Report
from maintctl.store import validation as store
from maintctl.store.tables import ValidationRunRow, ValidationWatchRow

if TYPE_CHECKING:
    from maintctl.checks.base import Spec
    from maintctl.services.recovery import RunRound

FIELDS = {WATCH_FIELD: "watch", EVERY_FIELD: "every"}


def watch_id(text: str) -> int:
    """The number of `W-<n>` (or a bare n); 404 when it is not one."""
    raw = text.strip().upper().removeprefix("W-")
    if not raw.isdigit() or not 0 < int(raw) <= 2**31 - 1:
        raise _missing(text)
    return int(raw)


def public_id(number: int) -> str:
    return f"W-{number}"


def _missing(text: str) -> NotFound:
    return NotFound(
        [Problem("id", "not-found", f"there is no watch {text[:40]}", "start one with --watch")]
    )


def plan_of(row: ValidationWatchRow) -> Plan:
    return Plan(row.started_at, timedelta(seconds=row.duration_s), timedelta(seconds=row.every_s))


def start(
    deps: Deps,
    session: Session,
    who: Principal,
    ask: runs.Ask,
    duration: str,
    every: str | None,
    fields: dict[str, str] | None = None,
) -> ValidationWatchRow:
    """Record a watch and its first round (due now); refused before any write like a run,
    or when --watch/--every are out of bounds (each problem naming its field in `fields`)."""
    now = deps.clock()
    try:
        plan = parse_plan(now, duration, every)
    except RuleViolation as exc:
        names = fields or {}
        raise RuleViolation(
            [Problem(names.get(p.field, p.field), p.rule, p.message, p.fix) for p in exc.problems]
        ) from None
    if ask.purpose != "check":
        raise RuleViolation(
            [
                Problem(
                    (fields or {}).get(WATCH_FIELD, WATCH_FIELD),
                    "watch-purpose",
                    "a watch runs the checks; it does not capture or compare a baseline",
                    "drop --baseline / --compare-baseline",
                )
            ]
        )
    row = store.create_watch(
        session,
        window_id=None,
        mode="quick" if ask.quick else "full",
        groups=list(ask.groups),
        duration_s=int(plan.duration.total_seconds()),
        every_s=int(plan.every.total_seconds()),
        started_at=now,
        started_by=who.name,
    )
    first = runs.start(deps, session, who, ask, watch_id=row.id)
    row.window_id = first.window_id
    session.flush()
    return row


def plan_next(deps: Deps, finished: ValidationRunRow) -> None:
    """Plan the round after `finished` (once: a retried job finds it planned), or end the watch."""
    assert finished.watch_id is not None
    with deps.db.write() as session:
        row = store.get_watch(session, finished.watch_id)
        if row is None or row.finished_at is not None:
            return
        plan = plan_of(row)
        rounds = store.watch_runs(session, row.id, plan.rounds + 1)
        if rounds[-1].id != finished.id:
            return
        # Rounds keep to the plan's grid (as in-process), so a late worker costs no round:
        # each round was due at max(the last one's due + every, when the last one ended).
        due: datetime | None = plan.start
        for previous in rounds[:-1]:
            if due is not None:
                due = plan.next_start(due, previous.finished_at or due)
        ended = finished.finished_at or deps.clock()
        following = None if due is None else plan.next_start(due, ended)
        if following is None or len(rounds) >= plan.rounds:
            store.finish_watch(session, row.id, ended)
            return
        ask = runs.Ask(row.window_id, row.mode == "quick", tuple(row.groups))
        # The person's right was checked when the watch began; its rounds continue it.
        runs.plan_run(
            deps, session, row.started_by, ask, row.window_id, watch_id=row.id, due=following
        )


def get(session: Session, number: int) -> ValidationWatchRow:
    row = store.get_watch(session, number)
    if row is None:
        raise _missing(public_id(number))
    return row


def _could_not_run(run: ValidationRunRow) -> Result:
    return Result("(run)", "-", "-", Status.ERROR, None, "", 0, run.message or "could not run")


def _round_results(session: Session, run: ValidationRunRow) -> tuple[Result, ...]:
    found = tuple(r for _, r in store.results(session, run.id))
    # A round that could not run is a failed round, never a silent pass.
    return (*found, _could_not_run(run)) if run.status == store.ERROR else found


def view(session: Session, row: ValidationWatchRow) -> dict[str, Any]:
    """The watch, its rounds so far (each run's status and failing results) and, once it has
    ended, the verdict from domain/recovery over the stored rounds."""
    plan = plan_of(row)
    record = Watch(plan)
    rounds = []
    # Bounded whatever the watch's length: counts in one grouped query, and only the failing
    # results the domain keeps (WATCH_FAILURES_KEPT), never every result of every round.
    tallies = store.watch_tallies(session, row.id)
    failures = store.watch_failures(session, row.id, bounds.WATCH_FAILURES_KEPT)
    for run in store.watch_runs(session, row.id, plan.rounds):
        item: dict[str, Any] = {"run": runs.public_id(run.id), "status": run.status}
        if run.status in store.FINISHED:
            began = run.started_at or run.created_at
            checks, failed = tallies.get(run.id, (0, 0))
            found = tuple(failures.get(run.id, ()))
            if run.status == store.ERROR:
                # A round that could not run is a failed round, never a silent pass.
                found += (_could_not_run(run),)
                checks, failed = checks + 1, failed + 1
            done = record.record(began, run.finished_at or began, found, (checks, failed))
            item.update(done.as_dict())
        rounds.append(item)
    ended = row.finished_at is not None
    return {
        "id": public_id(row.id),
        "window": row.window_id,
        "mode": row.mode,
        "groups": list(row.groups),
        "duration": format_duration(plan.duration),
        "every": format_duration(plan.every),
        "duration_s": row.duration_s,
        "every_s": row.every_s,
        "planned": plan.rounds,
        "started_at": format_instant(row.started_at),
        "started_by": row.started_by,
        "deadline": format_instant(plan.deadline),
        "status": "finished" if ended else "running",
        "finished_at": format_instant(row.finished_at) if row.finished_at else None,
        "rounds": rounds,
        "verdict": record.verdict().as_dict() if ended else None,
    }


class Here:
    """A watch run in this process (local mode with --window): the watch row, and each round an
    ordinary run linked to it, run here and stored as the worker would store it."""

    def __init__(self, deps: Deps, who: Principal, window_id: str) -> None:
        self.deps, self.who, self.window_id = deps, who, window_id
        self.number: int | None = None

    def begin(self, plan: Plan, quick: bool, groups: tuple[str, ...]) -> RunRound:
        """Record the watch (refused like a run) and give the round runner that stores rounds."""
        require_validator(self.who, "validate")
        ask = runs.Ask(self.window_id, quick, groups)
        with self.deps.db.write() as session:
            window_id = windows.require(session, self.window_id).id
            row = store.create_watch(
                session,
                window_id=window_id,
                mode="quick" if quick else "full",
                groups=list(groups),
                duration_s=int(plan.duration.total_seconds()),
                every_s=int(plan.every.total_seconds()),
                started_at=plan.start,
                started_by=self.who.name,
            )
            self.number = number = row.id

        def one(on_result: Callable[[Result], None] | None) -> Report:
            with self.deps.db.write() as session:
                run = runs.plan_run(
                    self.deps,
                    session,
                    self.who.name,
                    ask,
                    window_id,
                    enqueue=False,
                    watch_id=number,
                )
            done = runs.execute(self.deps, run.id, on_result)
            with self.deps.db.read() as session:
                return Report(_round_results(session, done))

        async def run_round(
            specs: Sequence[Spec], on_result: Callable[[Result], None] | None
        ) -> Report:
            # The run writes through the database's blocking session: off the watch's loop.
            return await asyncio.to_thread(one, on_result)

        return run_round

    def end(self) -> None:
        """Mark the watch ended (however it ended), so `GET /api/v1/watches` gives its verdict."""
        if self.number is not None:
            with self.deps.db.write() as session:
                store.finish_watch(session, self.number, self.deps.clock())
