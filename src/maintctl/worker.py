"""The worker: a loop of small steps over the job table, each "find due work, claim it, do it,
record it", each returning whether it found work.

Everything it knows is in the database, so `kill -9` at any point loses nothing: a killed
worker's claim runs out after its lease and the job runs again, with the same idempotency key.
On SQLite one worker at a time works (it holds the lease row); on PostgreSQL many share the work.
A worker runs several jobs at once in a thread pool, at most a lane's limit of one lane (sends to
one channel), and renews the claims of the jobs it runs, so a long send is not run twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
DEFAULT_CONCURRENCY = 8
# A job still running is kept claimed (its lease renewed every third of the lease) for at most
# this long; past it, a hung handler's job may be claimed and run again, with the same key.
KEEP_AT_MOST = timedelta(minutes=15)

Lane = tuple[str, str]


def worker_id() -> str:
    """This worker's name: host, process and a random tag (a restarted pid is a new worker)."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{secrets.token_hex(3)}"


class LeaseHeld(Exception):
    """On SQLite another worker holds the one worker lease."""

    def __init__(self, holder: str, until: datetime) -> None:
        super().__init__(f"{holder} holds the worker lease until {until.isoformat()}")
        self.holder = holder
        self.until = until


@dataclass
class _Flight:
    job: store.Job
    lane: Lane | None
    since: datetime


class Worker:
    """One worker over `deps`, running up to `concurrency` jobs at once in a thread pool.

    `step()` claims what it can start and waits for it; `run()` keeps claiming as slots free.
    """

    def __init__(
        self,
        deps: Deps,
        tuning: jobs.Tuning | None = None,
        retention: timedelta = timedelta(days=30),
        name: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.deps = deps
        self.tuning = tuning or jobs.Tuning()
        self.retention = retention
        self.name = name or worker_id()
        self.concurrency = max(1, concurrency)
        self.stop = threading.Event()
        self.done = 0  # jobs this worker ran to an outcome
        self._beat_at: datetime | None = None
        self._swept_at: datetime | None = None
        self._kept_at: datetime | None = None
        self._single = deps.db.dialect == "sqlite"
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._flight: dict[int, _Flight] = {}
        self._lanes: Counter[Lane] = Counter()
        self._wake = threading.Event()  # set when a job ends: a slot is free

    def step(self) -> bool:
        """Claim the due jobs it has room for, run them and record them; whether there were any."""
        found = self.dispatch() > 0
        self._drain()
        return found

    def dispatch(self) -> int:
        """Claim as many due jobs as there are free slots and start them; how many."""
        self._housekeeping()
        with self._lock:
            free = self.concurrency - len(self._flight)
            running = dict(self._lanes)
            busy = tuple(self._flight)
        if free <= 0:
            return 0
        claimed = jobs.claim_batch(
            self.deps,
            self.name,
            self.tuning,
            lease_row=self._single,
            limit=free,
            running=running,
            busy=busy,
        )
        now = self.deps.clock()
        for job in claimed:
            lane = jobs.lane_of(job.kind, job.payload)
            with self._lock:
                self._flight[job.id] = _Flight(job, lane, now)
                if lane is not None:
                    self._lanes[lane] += 1
            self._executor().submit(self._run, job)
        return len(claimed)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="maintctl-job")
        return self._pool

    def _run(self, job: store.Job) -> None:
        try:
            status = jobs.run(self.deps, job, self.name, self.tuning)
            log.info("job %s %s (%s): %s", job.id, job.kind, job.key, status)
        except Exception as exc:  # the outcome could not be written: the claim runs out
            fault = self.deps.db.fault(exc)
            log.warning("job %s (%s): outcome not recorded: %s", job.id, job.kind, fault or exc)
        finally:
            with self._lock:
                flight = self._flight.pop(job.id)
                if flight.lane is not None:
                    self._lanes[flight.lane] -= 1
                    if self._lanes[flight.lane] <= 0:
                        del self._lanes[flight.lane]
                self.done += 1
            self._wake.set()

    def busy(self) -> int:
        """How many jobs are running now."""
        with self._lock:
            return len(self._flight)

    def _keep(self) -> None:
        """Renew the claims of the jobs still running (and SQLite's lease) every third lease."""
        now = self.deps.clock()
        if self._kept_at is not None and now - self._kept_at < self.tuning.lease / 3:
            return
        with self._lock:
            ids = [f.job.id for f in self._flight.values() if now - f.since < KEEP_AT_MOST]
        if ids or self._single:
            jobs.keep(self.deps, self.name, self.tuning, ids, lease_row=self._single)
        self._kept_at = now

    def _pause(self) -> float:
        """How long to wait for a free slot or new work: short enough to renew the claims."""
        return min(IDLE_S, self.tuning.lease.total_seconds() / 3)

    def _drain(self) -> None:
        """Wait for the jobs in flight to end, renewing their claims meanwhile."""
        while self.busy():
            self._wake.clear()
            if not self.busy():
                break
            self._guarded(self._keep)
            self._wake.wait(self._pause())

    def _guarded(self, action: Callable[[], object]) -> bool:
        """Run `action`; a database outage or a bug is logged, never ends the worker."""
        try:
            action()
        except Exception as exc:
            fault = self.deps.db.fault(exc)
            if fault is None:
                log.exception("worker step failed")
            else:
                log.warning("worker: %s", fault)
            return False
        return True

    def _housekeeping(self) -> None:
        now = self.deps.clock()
        if self.busy():
            self._keep()
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
        """Claim and run jobs until `stop` is set; the jobs in flight always finish first."""
        log.info("worker %s started (%d at once)", self.name, self.concurrency)
        while not self.stop.is_set():
            self._wake.clear()
            claimed = 0

            def dispatch() -> None:
                nonlocal claimed
                claimed = self.dispatch()

            self._guarded(dispatch)
            if claimed == 0 or self.busy() >= self.concurrency:
                self._wake.wait(self._pause())
        self._finish()
        log.info("worker %s stopped", self.name)

    def run_once(self) -> int:
        """Do every job due now and return how many ran (`maintctl worker --once`).

        Raises LeaseHeld, doing nothing, when on SQLite another worker holds the lease.
        """
        if self._single:
            self._check_lease()
        claimed = 0
        while claimed < ONCE_MAX_STEPS and not self.stop.is_set():
            self._wake.clear()
            started = self.dispatch()
            claimed += started
            if started == 0 and not self.busy():
                break
            if started == 0 or self.busy() >= self.concurrency:
                self._wake.wait(self._pause())
        self._finish()
        return self.done

    def _check_lease(self) -> None:
        now = self.deps.clock()
        with self.deps.db.write() as session:
            if store.hold_lease(session, self.name, now, self.tuning.lease):
                return
            held = store.lease_holder(session, now)
        if held is not None:
            raise LeaseHeld(*held)

    def _finish(self) -> None:
        self._drain()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        try:
            self.close()
        except Exception:  # the lease then simply runs out
            log.warning("worker %s: could not release the lease", self.name)

    def close(self) -> None:
        """Give the SQLite lease up, so the next worker need not wait for it to run out."""
        if self._single:
            with self.deps.db.write() as session:
                store.release_lease(session, self.name, self.deps.clock())


def stop_on_sigterm(worker: Worker) -> None:
    """SIGTERM (and SIGINT) let the jobs in flight finish, then the loop ends."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: signal %d, finishing the jobs in flight", signum)
        worker.stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def start_thread(worker: Worker) -> threading.Thread:
    """The worker in a thread of this process (`maintctl serve`'s one embedded worker)."""
    thread = threading.Thread(target=worker.run, name="maintctl-worker", daemon=True)
    thread.start()
    return thread
