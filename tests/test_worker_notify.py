"""The worker sending `notify.send` jobs to a real HTTP server on loopback that records each
request's path and Idempotency-Key: killed with SIGKILL at random moments while 1,000 fall due,
two workers on PostgreSQL, SIGTERM with sends in flight, and the per-channel bound (a slow
channel holds only its own sends; measured at the sink, never by timing)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from maintctl.config import parse_config
from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.services.notify import SEND_KIND
from maintctl.store import jobs as store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow
from maintctl.worker import Worker, start_thread
from tests import children

ROOT = Path(__file__).parent.parent
CLI = "from maintctl.cli.main import run; run()"
DEADLINE_S = 90  # any wait in these tests gives up after this
MESSAGE = {"subject": "[Scheduled Maintenance] DB", "text": "at 02:00 UTC", "event": "initial"}


class Sink:
    """A webhook receiver on 127.0.0.1: (path, Idempotency-Key) of each request as it arrives,
    the requests in flight per path and the most at once; requests to `held` paths wait for
    `release`."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []
        self.flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.held: set[str] = set()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    def keys(self, path: str | None = None) -> list[str]:
        with self.lock:
            return [k for p, k in self.hits if path is None or p == path]

    def arrived(self, path: str, key: str) -> None:
        with self.lock:
            self.hits.append((path, key))
            self.flight[path] += 1
            self.peak[path] = max(self.peak[path], self.flight[path])

    def left(self, path: str) -> None:
        with self.lock:
            self.flight[path] -= 1


@pytest.fixture
def sink() -> Iterator[Sink]:
    found = Sink()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            found.arrived(self.path, self.headers.get("Idempotency-Key", ""))
            try:
                if self.path in found.held:
                    found.release.wait(DEADLINE_S)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            finally:
                found.left(self.path)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128
        daemon_threads = True

        def handle_error(self, *args: Any) -> None:  # a killed worker's connection: expected
            pass

    server = Server(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.release.set()
    server.shutdown()
    server.server_close()


def config_text(sink: Sink, **concurrency: int) -> str:
    """A channel per keyword (its name, its `concurrency:`), each to the sink's /<name>."""
    lines = ["channels:"]
    for name, bound in concurrency.items():
        lines.append(
            f"  - {{name: {name}, audience: customers-all, concurrency: {bound},"
            f" webhook: {{url: '{sink.url}/{name}', secret_file: hook.key}}}}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def env(database_url: str, tmp_path: Path, sink: Sink) -> dict[str, str]:
    (tmp_path / "hook.key").write_text("hook-secret", "utf-8")
    config = tmp_path / "maintctl.yaml"
    config.write_text(config_text(sink, hook=4), "utf-8")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "MAINTCTL_DATABASE_URL": database_url,
        "MAINTCTL_CONFIG": str(config),
        "MAINTCTL_WORKER_LEASE_S": "1",  # a killed worker's claims run out after 1 s
        "MAINTCTL_WORKER_CONCURRENCY": "8",
    }


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def plan(db: Database, count: int, channel: str = "hook", spread_s: float = 0.0) -> list[str]:
    """`count` sends to `channel` falling due evenly over the next `spread_s` seconds; keys."""
    now = datetime.now(UTC)
    keys = [f"n:{channel}:{n:04d}" for n in range(count)]
    payload = {"channel": channel, "message": MESSAGE}
    with db.write() as session:
        for n, key in enumerate(keys):
            due = now + timedelta(seconds=spread_s * n / max(count, 1))
            assert store.enqueue(session, SEND_KIND, payload, due, key, now)
    return keys


def count(db: Database, status: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(JobRow.status == status)) or 0)


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def start(env: dict[str, str]) -> subprocess.Popen[str]:
    return children.popen(
        [sys.executable, "-c", CLI, "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker: subprocess.Popen[str]) -> str:
    worker.send_signal(signal.SIGTERM)
    out, _ = worker.communicate(timeout=DEADLINE_S)
    return out


def test_a_worker_killed_twelve_times_while_1000_sends_fall_due_loses_none(
    env: dict[str, str], db: Database, sink: Sink
) -> None:
    keys = plan(db, 1000, spread_s=15.0)  # 1,000 sends falling due over 15 s
    chance = random.Random(20261128)
    kills = 12  # each after 0.5 to 2.5 s: startup, the SQLite lease's wait and sends all count
    for _ in range(kills):
        worker = start(env)
        time.sleep(chance.uniform(0.5, 2.5))
        worker.kill()
        worker.wait(timeout=DEADLINE_S)
    worker = start(env)
    assert worker.stdout is not None and "running" in worker.stdout.readline()  # SIGTERM is set
    wait_for(lambda: count(db, store.DONE) == len(keys), "every send done")
    out = stop(worker)

    assert worker.returncode == 0, out
    received = Counter(sink.keys())
    assert set(received) == set(keys)  # the sink received every one, and nothing else
    repeats = sum(received.values()) - len(keys)
    assert repeats <= kills * 4  # at most the sends in flight at each kill (4 to one channel)


def test_two_workers_on_postgresql_never_send_one_of_1000_twice(
    env: dict[str, str], db: Database, sink: Sink
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("on SQLite one worker at a time holds the lease")
    env = {**env, "MAINTCTL_WORKER_LEASE_S": "60"}  # no claim runs out: a repeat is a bug
    keys = plan(db, 1000)
    workers = [start(env), start(env)]
    wait_for(lambda: count(db, store.DONE) == len(keys), "every send done")
    for worker in workers:
        stop(worker)

    received = Counter(sink.keys())
    assert set(received) == set(keys) and max(received.values()) == 1
    with db.read() as session:
        senders = session.scalar(select(func.count(func.distinct(JobRow.claimed_by))))
    assert senders == 2  # both shared the work


def test_sigterm_finishes_the_sends_in_flight_then_exits(
    env: dict[str, str], db: Database, sink: Sink
) -> None:
    sink.held.add("/hook")
    keys = plan(db, 10)
    worker = start(env)
    wait_for(lambda: sink.flight["/hook"] == 4, "four sends in flight")  # the channel's bound
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the signal is in; the sends still wait at the sink
    assert worker.poll() is None
    sink.release.set()
    out, _ = worker.communicate(timeout=DEADLINE_S)

    assert worker.returncode == 0, out
    assert count(db, store.DONE) == len(sink.keys()) >= 4  # what was sent is recorded sent
    assert count(db, store.PENDING) == len(keys) - count(db, store.DONE)
    assert count(db, store.RUNNING) == 0


def test_a_slow_channel_holds_only_its_own_sends_and_each_channel_keeps_its_bound(
    db: Database, sink: Sink, tmp_path: Path
) -> None:
    (tmp_path / "hook.key").write_text("hook-secret", "utf-8")
    config = parse_config(config_text(sink, slow=2, fast=3), "c.yaml", tmp_path)
    deps = Deps.build(db, config)
    jobs.load_kinds()
    slow = plan(db, 6, "slow")  # due first
    fast = plan(db, 30, "fast")
    sink.held.add("/slow")
    worker = Worker(deps, jobs.Tuning(lease=timedelta(seconds=60)), name="w", concurrency=8)
    thread = start_thread(worker)
    try:
        wait_for(lambda: len(sink.keys("/fast")) == len(fast), "every fast send")
        assert sink.flight["/slow"] == 2 and len(sink.keys("/slow")) == 2  # 2 wait; 4 queued
        sink.release.set()
        wait_for(lambda: count(db, store.DONE) == len(slow) + len(fast), "every send done")
    finally:
        sink.release.set()
        worker.stop.set()
        thread.join(DEADLINE_S)
    assert sink.peak["/slow"] == 2 and 1 <= sink.peak["/fast"] <= 3
    assert sorted(sink.keys()) == sorted(slow + fast)
