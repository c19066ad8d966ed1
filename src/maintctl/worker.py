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
import time
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


class _GroupCommit:
    """Outcomes recorded together: a thread that finds no write under way writes every outcome
    waiting, in one transaction, while the others wait for theirs (a group commit). Under load
    this saves most of a transaction's round trips per job."""

    def __init__(self, write: Callable[[list[Ended]], list[str]]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._waiting: list[_Entry] = []
        self._writing = False

    def record(self, ended: Ended) -> str:
        """Record one job's outcome (with whatever else is waiting); its new status."""
        entry = _Entry(ended)
        batch: list[_Entry] = []
        with self._cond:
            self._waiting.append(entry)
            while self._writing and not entry.settled:
                self._cond.wait()
            if not entry.settled:  # this thread writes, for all waiting
                self._writing = True
                batch, self._waiting = self._waiting, []
        if batch:
            try:
                for item, status in zip(batch, self._write([e.ended for e in batch]), strict=True):
                    item.status = status
            except Exception as exc:  # every job of the batch: its claim runs out
                for item in batch:
                    item.error = exc
            with self._cond:
                for item in batch:
                    item.settled = True
                self._writing = False
                self._cond.notify_all()
        if entry.error is not None:
            raise entry.error
        return entry.status


Ended = tuple[store.Job, jobs.Outcome]


@dataclass
class _Entry:
    ended: Ended
    status: str = ""
    error: Exception | None = None
    settled: bool = False


@dataclass
class _Held:
    job: store.Job
    lane: Lane | None
    since: datetime


class Worker:
    """One worker over `deps`, running up to `concurrency` jobs at once in a thread pool.

    It holds up to twice as many claimed jobs: those running and those next in line (at most a
    lane's limit waiting per lane), so one claim serves several jobs. A thread that ends a job
    starts the next one in line that has room. `step()` claims what it can and waits for all
    of it; `run()` keeps claiming as the line empties.
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
        self._held: dict[int, _Held] = {}  # claimed: running or in line
        self._line: list[store.Job] = []  # claimed, not started, in due order
        self._running = 0
        self._lanes: Counter[Lane] = Counter()  # running, by lane
        self._limits: dict[Lane, int] = {}
        self._wake = threading.Event()  # set when a job ends
        self._claimed_at = 0.0  # time.monotonic() of the last claim
        self.filled = False  # the last claim got all it asked for: more may be due
        self._outcomes = _GroupCommit(
            lambda ended: jobs.record(self.deps, ended, self.name, self.tuning)
        )
        self._more = False  # and this dispatch claimed: claim again without waiting

    def step(self) -> bool:
        """Claim the due jobs it has room for, run them and record them; whether there were any."""
        found = self.dispatch(ahead=False) > 0
        self._drain()
        return found

    def dispatch(self, ahead: bool = True) -> int:
        """Claim due jobs up to what this worker may hold and start those with room; how many.

        `ahead`: also claim as many again to hold in line (a step claims only what it runs).
        """
        self._more = False
        self._housekeeping()
        with self._lock:
            want = (2 if ahead else 1) * self.concurrency - len(self._held)
            lined = bool(self._line)
            held = Counter(h.lane for h in self._held.values() if h.lane is not None)
            busy = tuple(self._held)
        if want <= 0:
            return 0
        if lined:
            # With jobs in line, claim only for a batch (half the hold free), and only when the
            # last claim got all it asked for (more is due) or a pause has passed: else each
            # ending job would claim one job, or rescan a full lane's backlog for nothing.
            recent = time.monotonic() - self._claimed_at < self._pause()
            if want < self.concurrency or (recent and not self.filled):
                return 0
        claimed = jobs.claim_batch(
            self.deps,
            self.name,
            self.tuning,
            lease_row=self._single,
            limit=want,
            running=held,
            busy=busy,
            depth=2 if ahead else 1,
        )
        self._claimed_at = time.monotonic()
        self.filled = self._more = len(claimed) == want
        now = self.deps.clock()
        with self._lock:
            for job in claimed:
                self._held[job.id] = _Held(job, jobs.lane_of(job.kind, job.payload), now)
                self._line.append(job)
            starting = self._take_all()
        for job in starting:
            self._executor().submit(self._run, job)
        return len(claimed)

    def _take(self) -> store.Job | None:
        """The first job in line with room to run, marked running (the lock held)."""
        if self._running >= self.concurrency:
            return None
        for n, job in enumerate(self._line):
            lane = self._held[job.id].lane
            if lane is not None:
                if lane not in self._limits:
                    self._limits[lane] = jobs.lane_limit(self.deps, lane)
                if self._lanes[lane] >= self._limits[lane]:
                    continue
                self._lanes[lane] += 1
            self._running += 1
            del self._line[n]
            return job
        return None

    def _take_all(self) -> list[store.Job]:
        taken = []
        while (job := self._take()) is not None:
            taken.append(job)
        return taken

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="maintctl-job")
        return self._pool

    def _run(self, first: store.Job) -> None:
        """Run `first`, then each next job in line with room, until none has."""
        job: store.Job | None = first
        while job is not None:
            try:
                status = self._outcomes.record((job, jobs.execute(self.deps, job)))
                log.info("job %s %s (%s): %s", job.id, job.kind, job.key, status)
            except Exception as exc:  # the outcome could not be written: the claim runs out
                fault = self.deps.db.fault(exc)
                log.warning("job %s (%s): outcome not recorded: %s", job.id, job.kind, fault or exc)
            finally:
                with self._lock:
                    lane = self._held.pop(job.id).lane
                    self._running -= 1
                    if lane is not None:
                        self._lanes[lane] -= 1
                    self.done += 1
                    job = self._take()
                self._wake.set()

    def busy(self) -> int:
        """How many claimed jobs this worker holds now (running or in line)."""
        with self._lock:
            return len(self._held)

    def _keep(self) -> None:
        """Renew the claims of the jobs still running (and SQLite's lease) every third lease."""
        now = self.deps.clock()
        if self._kept_at is not None and now - self._kept_at < self.tuning.lease / 3:
            return
        with self._lock:
            ids = [h.job.id for h in self._held.values() if now - h.since < KEEP_AT_MOST]
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
            from maintctl.services import runs, suppression
            from maintctl.services.feeds import plan_refresh

            pruned = jobs.prune(self.deps, self.retention)
            if pruned:
                log.info("pruned %d finished jobs", pruned)
            pruned = runs.prune(self.deps)  # validation runs keep their own retention (90 days)
            if pruned:
                log.info("pruned %d finished validation runs", pruned)
            plan_refresh(self.deps)
            suppression.sweep(self.deps)  # silences whose end or extend job was lost
            self._swept_at = now

    def run(self) -> None:
        """Claim and run jobs until `stop` is set; the jobs in flight always finish first."""
        log.info("worker %s started (%d at once)", self.name, self.concurrency)
        while not self.stop.is_set():
            self._wake.clear()
            self._guarded(self.dispatch)
            if not self._more:
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
            if not self._more:
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
        with self._lock:  # jobs in line were not started: they go back, due at once
            unstarted = [job.id for job in self._line]
            self._line.clear()
            for job_id in unstarted:
                del self._held[job_id]
        if unstarted and not self._guarded(lambda: jobs.release(self.deps, self.name, unstarted)):
            log.warning("worker %s: %d claims left to run out", self.name, len(unstarted))
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
