"""Job kinds and the claimed-job wrapper: what the worker runs, by name.

A handler is a plain function `(deps, payload) -> result text`, the same one a test calls. It
raises JobError to say it failed and whether a retry can help; any other exception counts as a
failure a retry might cure. Handlers run outside any transaction (a slow send must not hold the
write lock) and must be safe to repeat: a killed worker's job runs again with the same key.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from maintctl.config import Settings
from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.roles import Principal
from maintctl.services.deps import Deps
from maintctl.store import jobs as store

log = logging.getLogger(__name__)

Handler = Callable[[Deps, dict[str, Any]], str]
KINDS: dict[str, Handler] = {}
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
# modules that register kinds when imported
BUILT_IN = (
    "maintctl.services.feeds",
    "maintctl.services.notify",
    "maintctl.services.notices",
    "maintctl.services.statuspage",
    "maintctl.services.people",
    "maintctl.services.watch",
    "maintctl.services.runs",
    "maintctl.services.suppression",
    "maintctl.services.hooks",
    "maintctl.services.actions",
    "maintctl.services.aftercare",
)
# A dead job is told to these channels; the alerts' keys start with the prefix.
ALERT_AUDIENCE = "internal-engineering"
DEAD_ALERT_PREFIX = "job-dead:"
DEAD_ALERT_ERROR_CHARS = 500
_current: ContextVar[store.Job | None] = ContextVar("maintctl_job", default=None)


class JobError(Exception):
    """A job failed; `permanent` when trying again cannot help (bad payload, refused for good)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Lane:
    """Jobs of one kind with the same payload[field] run at most `limit(deps, value)` at once
    in one worker (notify.send: sends to one channel), so one slow far end holds only its own."""

    field: str
    limit: Callable[[Deps, str], int]


LANES: dict[str, Lane] = {}
# What a kind does when one of its jobs dies (a validation run marks itself error), in the
# transaction that records the death.
DeadHook = Callable[[Deps, Session, store.Job], None]
ON_DEAD: dict[str, DeadHook] = {}


def register(
    kind: str, handler: Handler, lane: Lane | None = None, on_dead: DeadHook | None = None
) -> None:
    """Name a job kind's handler (its lane, and what its death does); registering a kind again
    replaces it."""
    if not 0 < len(kind) <= bounds.JOB_KIND_MAX:
        raise ValueError(f"a job kind is 1 to {bounds.JOB_KIND_MAX} characters")
    KINDS[kind] = handler
    if lane is None:
        LANES.pop(kind, None)
    else:
        LANES[kind] = lane
    if on_dead is None:
        ON_DEAD.pop(kind, None)
    else:
        ON_DEAD[kind] = on_dead


def lane_limit(deps: Deps, lane: tuple[str, str]) -> int:
    """How many jobs of `lane` one worker runs at once (at least 1)."""
    return max(1, LANES[lane[0]].limit(deps, lane[1]))


def release(deps: Deps, worker: str, ids: list[int]) -> None:
    """Hand back jobs claimed but not started (a worker stopping): due again at once."""
    if ids:
        with deps.db.write() as session:
            store.release(session, worker, ids, deps.clock())


def lane_of(kind: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """The (kind, value) lane a job runs in, or None when its kind has no lane."""
    lane = LANES.get(kind)
    if lane is None:
        return None
    value = payload.get(lane.field)
    return (kind, value if isinstance(value, str) else "")


def current_key() -> str:
    """The idempotency key of the job this handler runs for (an outgoing Idempotency-Key)."""
    job = _current.get()
    if job is None:
        raise RuntimeError("current_key() is for job handlers, called by the worker")
    return job.key


def load_kinds(settings: Settings | None = None) -> None:
    """Import the built-in kinds and the modules MAINTCTL_JOB_PLUGINS names."""
    names = [*BUILT_IN]
    plugins = (settings or Settings()).job_plugins
    names += [n.strip() for n in plugins.split(",") if n.strip()]
    for name in names:
        importlib.import_module(name)


def enqueue(deps: Deps, kind: str, payload: dict[str, Any], due_at: datetime, key: str) -> bool:
    """Plan a job in its own transaction; False when the key was planned already."""
    with deps.db.write() as session:
        return store.enqueue(session, kind, payload, due_at, key, deps.clock(), deps.config.hash)


@dataclass(frozen=True)
class Tuning:
    """How long a claim holds, how many tries a job gets, and how retries back off."""

    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    retry_base: timedelta = RETRY_BASE
    retry_cap: timedelta = RETRY_CAP

    @classmethod
    def from_settings(cls, settings: Settings) -> Tuning:
        return cls(timedelta(seconds=settings.worker_lease_s), settings.job_max_attempts)


def claim(deps: Deps, worker: str, tuning: Tuning, *, lease_row: bool = False) -> store.Job | None:
    """Claim the job due first for `worker`, or None when nothing is due (see claim_batch)."""
    found = claim_batch(deps, worker, tuning, lease_row=lease_row)
    return found[0] if found else None


def claim_batch(
    deps: Deps,
    worker: str,
    tuning: Tuning,
    *,
    lease_row: bool = False,
    limit: int = 1,
    running: Mapping[tuple[str, str], int] | None = None,
    busy: tuple[int, ...] = (),
    depth: int = 1,
    kinds: tuple[str, ...] = (),
) -> list[store.Job]:
    """Claim up to `limit` due jobs for `worker`, those due first; [] when nothing is due.

    `running` counts the jobs the worker holds now by lane: a lane holding `depth` times its
    limit is passed over; `busy` are their ids, never claimed again while held.
    With `lease_row` (SQLite), only while holding the one worker lease, taken or renewed in
    the same transaction: one write per step, however idle.
    """
    now = deps.clock()
    taken: Counter[tuple[str, str]] = Counter(running or {})
    limits: dict[tuple[str, str], int] = {}

    def room(lane: tuple[str, str]) -> int:
        if lane not in limits:
            limits[lane] = lane_limit(deps, lane)
        return limits[lane] * depth - taken[lane]

    def admit(kind: str, payload: dict[str, Any]) -> bool:
        lane = lane_of(kind, payload)
        if lane is not None:
            if room(lane) <= 0:
                return False
            taken[lane] += 1
        return True

    full = [lane for lane in taken if lane[0] in LANES and room(lane) <= 0]
    skip = tuple(
        store.Full(kind, LANES[kind].field, tuple(v for k, v in full if k == kind))
        for kind in sorted({k for k, _ in full})
    )
    with deps.db.write() as session:
        if lease_row and not store.hold_lease(session, worker, now, tuning.lease):
            return []
        claimed = store.claim(
            session,
            worker,
            now,
            tuning.lease,
            tuning.max_attempts,
            limit=limit,
            full=skip,
            admit=admit,
            running=busy,
            kinds=kinds,
        )
        for job in claimed.dead:
            died(deps, session, job)
    for job in claimed.dead:
        log.error("job %s (%s) is dead: %s", job.id, job.kind, job.result)
    return claimed.jobs


def keep(
    deps: Deps, worker: str, tuning: Tuning, ids: list[int], *, lease_row: bool = False
) -> bool:
    """Renew the claim on the jobs `ids` still running (and the SQLite lease); whether this
    worker still holds that lease."""
    now = deps.clock()
    with deps.db.write() as session:
        held = not lease_row or store.hold_lease(session, worker, now, tuning.lease)
        store.extend(session, worker, ids, now, tuning.lease)
    return held


def run(deps: Deps, job: store.Job, worker: str, tuning: Tuning) -> str:
    """Run a claimed job's handler and record the outcome; the job's new status."""
    (status,) = record(deps, [(job, execute(deps, job))], worker, tuning)
    return status


@dataclass(frozen=True)
class Outcome:
    """What a handler did: its result, or the error saying whether a retry can help."""

    result: str = ""
    error: JobError | None = None


def execute(deps: Deps, job: store.Job) -> Outcome:
    """Run a claimed job's handler, outside any transaction; never raises."""
    handler = KINDS.get(job.kind)
    if handler is None:
        missing = f"no handler for the job kind {job.kind!r} in this process"
        return Outcome(error=JobError(missing, permanent=True))
    token = _current.set(job)
    try:
        return Outcome(result=handler(deps, job.payload))
    except JobError as exc:
        return Outcome(error=exc)
    except Exception as exc:  # a handler's bug or an outage: logged, retried, never fatal
        log.exception("job %s (%s) failed", job.id, job.kind)
        return Outcome(error=JobError(f"{type(exc).__name__}: {exc}"))
    finally:
        _current.reset(token)


def record(
    deps: Deps, ended: list[tuple[store.Job, Outcome]], worker: str, tuning: Tuning
) -> list[str]:
    """Record the outcomes of jobs that ended, in one transaction; each job's new status
    ("lost" when the worker no longer held it)."""
    now = deps.clock()
    found: dict[int, str | None] = {}
    with deps.db.write() as session:
        # Row locks in id order, as every multi-job write takes them: never a deadlock.
        store.lock_in_order(session, sorted(job.id for job, _ in ended))
        for job, outcome in ended:
            error = outcome.error
            if error is None:
                kept = store.finish(session, job.id, worker, outcome.result, now)
                found[job.id] = store.DONE if kept else None
                continue
            status = store.fail(
                session,
                job.id,
                worker,
                str(error),
                now,
                permanent=error.permanent,
                max_attempts=tuning.max_attempts,
                base=tuning.retry_base,
                cap=tuning.retry_cap,
            )
            if status == store.DEAD:  # in the same transaction: a dead job is always alerted
                died(deps, session, replace(job, result=str(error)))
            found[job.id] = status
    statuses = [found[job.id] for job, _ in ended]
    for (job, outcome), status in zip(ended, statuses, strict=True):
        if status is None:
            log.warning("job %s (%s): its claim ran out before it finished", job.id, job.kind)
        elif status == store.DEAD:
            log.error("job %s (%s) is dead: %s", job.id, job.kind, outcome.error)
    return [status or "lost" for status in statuses]


def died(deps: Deps, session: Session, job: store.Job) -> None:
    """A job died: its kind's own hook, then the alert to internal-engineering."""
    hook = ON_DEAD.get(job.kind)
    if hook is not None:
        hook(deps, session, job)
    alert_dead(deps, session, job)


def alert_dead(deps: Deps, session: Session, job: store.Job) -> int:
    """Plan a notice of a dead job to each automated internal-engineering channel; how many.

    Keyed by the dead job's key, so its death is told once; a dead alert is never alerted.
    """
    if job.key.startswith(DEAD_ALERT_PREFIX):
        return 0
    digest = hashlib.sha256(job.key.encode()).hexdigest()[:32]
    error = (job.result or "no error recorded")[:DEAD_ALERT_ERROR_CHARS]
    text = (
        f"The job {job.id} ({job.kind}) is dead after {job.attempts} tries: {error}\n"
        "See `maintctl jobs --status dead`."
    )
    subject = f"[maintctl] job {job.id} ({job.kind}) is dead"
    return tell_engineering(deps, session, subject, text, "job.dead", DEAD_ALERT_PREFIX + digest)


def tell_engineering(
    deps: Deps, session: Session, subject: str, text: str, event: str, key: str
) -> int:
    """Plan a plain message to each automated internal-engineering channel; how many.

    `key` (one per thing told) makes it once per channel, however often it is planned.
    """
    from maintctl.services.notify import SEND_KIND

    message = {
        "subject": subject,
        "text": text,
        "html": f"<p>{html.escape(text)}</p>",
        "event": event,
        "window": {},
    }
    now = deps.clock()
    planned = 0
    for channel in deps.config.channels:
        if channel.audience != ALERT_AUDIENCE or channel.manual:
            continue
        payload = {"channel": channel.name, "message": message}
        planned += store.enqueue(
            session, SEND_KIND, payload, now, f"{key}:{channel.name}", now, deps.config.hash
        )
    return planned


def prune(deps: Deps, retention: timedelta) -> int:
    """Delete finished jobs older than `retention` (one bounded batch)."""
    with deps.db.write() as session:
        return store.prune(session, deps.clock() - retention)


def listing(
    deps: Deps, who: Principal, limit: int, before: int | None, status: str | None
) -> list[store.Job]:
    """A page of jobs, newest first (any account may read them: DESIGN.md "read ... logs")."""
    if status is not None and status not in store.STATUSES:
        raise RuleViolation(
            [
                Problem(
                    "status",
                    "unknown-status",
                    f"{status!r} is not a job status",
                    f"use one of {', '.join(store.STATUSES)}",
                )
            ]
        )
    with deps.db.read() as session:
        return store.page(session, limit, before, status)
