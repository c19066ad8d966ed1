"""The worker: a loop of small steps over the job table, each "find due work, claim it, do it,
record it", each returning whether it found work.

Everything it knows is in the database, so `kill -9` at any point loses nothing: a killed
worker's claim runs out after its lease and the job runs again, with the same idempotency key.
On SQLite one worker at a time works (it holds the lease row); on PostgreSQL many share the work.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from datetime import datetime, timedelta
from types import FrameType

from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as store

log = logging.getLogger(__name__)

IDLE_S = 0.5  # the sleep when nothing is due: a due job is picked up within about this
BEAT_EVERY = timedelta(seconds=10)
# Pruning, and planning the feed refresh of the current interval (a no-op while the refresh
# chain is alive, since each refresh plans the next; it restarts a chain that died).
HOUSEKEEPING_EVERY = timedelta(minutes=10)
ONCE_MAX_STEPS = 10_000  # `--once` stops after this many jobs, so a flood cannot keep it running


def worker_id() -> str:
    """This worker's name: host, process and a random tag (a restarted pid is a new worker)."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """One worker over `deps`; `step()` does one job, `run()` steps until stopped."""

    def __init__(
        self,
        deps: Deps,
        tuning: jobs.Tuning | None = None,
        retention: timedelta = timedelta(days=30),
        name: str | None = None,
    ) -> None:
        self.deps = deps
        self.tuning = tuning or jobs.Tuning()
        self.retention = retention
        self.name = name or worker_id()
        self.stop = threading.Event()
        self._beat_at: datetime | None = None
        self._swept_at: datetime | None = None
        self._single = deps.db.dialect == "sqlite"

    def step(self) -> bool:
        """Claim one due job, run it and record it; whether there was one."""
        self._housekeeping()
        job = jobs.claim(self.deps, self.name, self.tuning, lease_row=self._single)
        if job is None:
            return False
        status = jobs.run(self.deps, job, self.name, self.tuning)
        log.info("job %s %s (%s): %s", job.id, job.kind, job.key, status)
        return True

    def _housekeeping(self) -> None:
        now = self.deps.clock()
        if self._beat_at is None or now - self._beat_at >= BEAT_EVERY:
            with self.deps.db.write() as session:
                store.beat(session, self.name, now, self.deps.config.hash)
            self._beat_at = now
        if self._swept_at is None or now - self._swept_at >= HOUSEKEEPING_EVERY:
            from maintctl.services.feeds import plan_refresh

            pruned = jobs.prune(self.deps, self.retention)
            if pruned:
                log.info("pruned %d finished jobs", pruned)
            plan_refresh(self.deps)
            self._swept_at = now

    def run(self) -> None:
        """Step until `stop` is set; the job in flight always finishes first."""
        log.info("worker %s started", self.name)
        while not self.stop.is_set():
            try:
                found = self.step()
            except Exception as exc:
                # A database outage must not end the worker: log it, wait, try again.
                fault = self.deps.db.fault(exc)
                if fault is None:
                    log.exception("worker step failed")
                else:
                    log.warning("worker: %s", fault)
                found = False
            if not found:
                self.stop.wait(IDLE_S)
        try:
            self.close()
        except Exception:  # the lease then simply runs out
            log.warning("worker %s: could not release the lease", self.name)
        log.info("worker %s stopped", self.name)

    def run_once(self) -> int:
        """Do every job due now and return how many ran (`maintctl worker --once`)."""
        done = 0
        while done < ONCE_MAX_STEPS and not self.stop.is_set() and self.step():
            done += 1
        self.close()
        return done

    def close(self) -> None:
        """Give the SQLite lease up, so the next worker need not wait for it to run out."""
        if self._single:
            with self.deps.db.write() as session:
                store.release_lease(session, self.name, self.deps.clock())


def stop_on_sigterm(worker: Worker) -> None:
    """SIGTERM (and SIGINT) let the job in flight finish, then the loop ends."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: signal %d, finishing the job in flight", signum)
        worker.stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def start_thread(worker: Worker) -> threading.Thread:
    """The worker in a thread of this process (`maintctl serve`'s one embedded worker)."""
    thread = threading.Thread(target=worker.run, name="maintctl-worker", daemon=True)
    thread.start()
    return thread
