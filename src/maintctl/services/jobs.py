"""Job kinds and the claimed-job wrapper: what the worker runs, by name.

A handler is a plain function `(deps, payload) -> result text`, the same one a test calls. It
raises JobError to say it failed and whether a retry can help; any other exception counts as a
failure a retry might cure. Handlers run outside any transaction (a slow send must not hold the
write lock) and must be safe to repeat: a killed worker's job runs again with the same key.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
)
_current: ContextVar[store.Job | None] = ContextVar("maintctl_job", default=None)


class JobError(Exception):
    """A job failed; `permanent` when trying again cannot help (bad payload, refused for good)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def register(kind: str, handler: Handler) -> None:
    """Name a job kind's handler; registering the same kind again replaces it."""
    if not 0 < len(kind) <= bounds.JOB_KIND_MAX:
        raise ValueError(f"a job kind is 1 to {bounds.JOB_KIND_MAX} characters")
    KINDS[kind] = handler


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
    """Claim the job due first for `worker`, or None when nothing is due.

    With `lease_row` (SQLite), only while holding the one worker lease, taken or renewed in
    the same transaction: one write per step, however idle.
    """
    now = deps.clock()
    with deps.db.write() as session:
        if lease_row and not store.hold_lease(session, worker, now, tuning.lease):
            return None
        return store.claim(session, worker, now, tuning.lease, tuning.max_attempts)


def run(deps: Deps, job: store.Job, worker: str, tuning: Tuning) -> str:
    """Run a claimed job's handler and record the outcome; the job's new status."""
    handler = KINDS.get(job.kind)
    error: JobError | None = None
    result = ""
    if handler is None:
        error = JobError(f"no handler for the job kind {job.kind!r} in this process", True)
    else:
        token = _current.set(job)
        try:
            result = handler(deps, job.payload)
        except JobError as exc:
            error = exc
        except Exception as exc:  # a handler's bug or an outage: logged, retried, never fatal
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = JobError(f"{type(exc).__name__}: {exc}")
        finally:
            _current.reset(token)
    now = deps.clock()
    with deps.db.write() as session:
        if error is None:
            kept = store.finish(session, job.id, worker, result, now)
            status: str | None = store.DONE if kept else None
        else:
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
    if status is None:
        log.warning("job %s (%s): its claim ran out before it finished", job.id, job.kind)
        return "lost"
    if status == store.DEAD:
        log.error("job %s (%s) is dead: %s", job.id, job.kind, error)
    return status


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
