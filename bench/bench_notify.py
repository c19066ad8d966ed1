"""How fast the worker sends `notify.send` jobs to a webhook, on PostgreSQL.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_notify.py                       # the full run
    .venv/bin/python bench/bench_notify.py --steady-seconds 10   # a shorter steady phase

The database (emptied first!) is --pg-url, else $MAINTCTL_BENCH_PG, else maintctl_w. A webhook sink
runs in a process of its own on 127.0.0.1, recording each request's Idempotency-Key and arrival
time. Then, each against the same sink:
- baseline: a plain sequential httpx.Client loop posting the same body: the sink's raw rate;
- burst: 10,000 jobs due at once, sent by one `maintctl worker` process, then by two: sends a second
  from the first arrival to the last (target: at least 200 with one; with two, no key twice and
  not below one's), also as a ratio to the baseline;
- steady: 50 jobs falling due each second for --steady-seconds (60), one worker already running:
  due-to-arrival lag p50 and p99 (target: p99 under 2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from bench_schedule import postgres_database
from sqlalchemy import func, select

from maintctl.channels.webhook import sign
from maintctl.services.notify import SEND_KIND
from maintctl.store import jobs as store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow

BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://maintctl:maintctl@127.0.0.1/maintctl_w"
MESSAGE = {
    "subject": "[Scheduled Maintenance] Database upgrade",
    "text": "The database is upgraded on 2026-12-06 from 02:00 to 04:00 UTC; the API is read-only.",
    "html": "<p>The database is upgraded on 2026-12-06 from 02:00 to 04:00 UTC.</p>",
    "event": "initial",
    "window": {"id": "MW-2026-0001"},
}
WAIT_S = 600  # any phase gives up after this
PLAN_AHEAD_S = 10


# The sink, in its own process -----------------------------------------------------------------


def run_sink(port: int) -> None:
    """Record (key, arrival) per POST; GET /stats, GET /arrivals, POST /reset."""
    arrivals: list[tuple[str, float]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, body: bytes = b"") -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/reset":
                with lock:
                    arrivals.clear()
            else:
                key = self.headers.get("Idempotency-Key", "")
                with lock:
                    arrivals.append((key, time.time()))
            self._answer()

        def do_GET(self) -> None:
            with lock:
                seen = list(arrivals)
            if self.path == "/arrivals":
                self._answer(json.dumps(seen).encode())
                return
            keys = {k for k, _ in seen}
            stats = {"received": len(seen), "unique": len(keys)}
            self._answer(json.dumps(stats).encode())

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256
        daemon_threads = True

    Server(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def sink() -> Iterator[str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--sink", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/stats", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait()


def stats(url: str) -> dict[str, int]:
    result: dict[str, int] = httpx.get(f"{url}/stats", timeout=30).json()
    return result


def arrivals(url: str) -> list[tuple[str, float]]:
    return [(k, t) for k, t in httpx.get(f"{url}/arrivals", timeout=60).json()]


# Phases -----------------------------------------------------------------------------------------


def baseline(url: str, count: int) -> float:
    """Requests a second from one sequential httpx.Client loop: the sink's raw rate."""
    body = json.dumps(MESSAGE, separators=(",", ":"), sort_keys=True).encode()
    with httpx.Client(timeout=10) as client:
        start = time.perf_counter()
        for n in range(count):
            headers = {
                "Content-Type": "application/json",
                "X-Maintctl-Signature": sign("bench-secret", body),
                "Idempotency-Key": f"baseline-{n}",
            }
            client.post(f"{url}/hook", content=body, headers=headers)
        elapsed = time.perf_counter() - start
    httpx.post(f"{url}/reset", timeout=10)
    return count / elapsed


def plan(db: Database, count: int, tag: str, first_due: datetime, per_second: float) -> None:
    """`count` sends to the bench channel, due from `first_due` at `per_second` (0: all at once)."""
    now = datetime.now(UTC)
    payload = {"channel": "bench", "message": MESSAGE}
    with db.write() as session:
        for n in range(count):
            due = first_due + (timedelta(seconds=n / per_second) if per_second else timedelta(0))
            store.enqueue(session, SEND_KIND, payload, due, f"{tag}-{n:05d}", now)


def clear(db: Database, url: str) -> None:
    with db.write() as session:
        session.execute(JobRow.__table__.delete())
    httpx.post(f"{url}/reset", timeout=10)


def pending(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(JobRow.status != store.DONE)) or 0)


def start_workers(env: dict[str, str], count: int) -> list[subprocess.Popen[str]]:
    """`count` worker processes, started together; once each says it runs."""
    procs = [
        subprocess.Popen(
            [str(BIN / "maintctl"), "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdout is not None and "running" in proc.stdout.readline()
    return procs


def stop_workers(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=60)


def wait_sent(url: str, count: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while stats(url)["unique"] < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up: {stats(url)} of {count}")
        time.sleep(0.2)


def burst(db: Database, url: str, env: dict[str, str], count: int, workers: int) -> dict[str, Any]:
    """`count` jobs due at once, sent by `workers` processes: rate, duplicates."""
    clear(db, url)
    plan(db, count, f"burst{workers}", datetime.now(UTC), 0)
    procs = start_workers(env, workers)
    try:
        wait_sent(url, count)
    finally:
        stop_workers(procs)
    seen = arrivals(url)
    times = sorted(t for _, t in seen)
    keys = [k for k, _ in seen]
    return {
        "rate": count / (times[-1] - times[0]),
        "dupes": len(keys) - len(set(keys)),
        "left": pending(db),
    }


def steady(db: Database, url: str, env: dict[str, str], seconds: int, rate: int) -> dict[str, Any]:
    """`rate` jobs falling due each second for `seconds`, one worker running: the lag."""
    clear(db, url)
    (proc,) = start_workers(env, 1)
    try:
        # The first falls due after the plan is written (it takes a few seconds under load): a
        # job written after its due time would count the insert as lag.
        first = datetime.now(UTC) + timedelta(seconds=PLAN_AHEAD_S)
        count = seconds * rate
        plan(db, count, "steady", first, rate)
        written = datetime.now(UTC)
        if written > first:
            raise SystemExit(f"planning took past the first due time ({written - first} late)")
        wait_sent(url, count)
    finally:
        stop_workers([proc])
    due = {f"steady-{n:05d}": first.timestamp() + n / rate for n in range(count)}
    lags = sorted(t - due[k] for k, t in arrivals(url))
    return {
        "count": count,
        "p50": statistics.median(lags),
        "p99": lags[int(len(lags) * 0.99) - 1],
        "max": lags[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("MAINTCTL_BENCH_PG", DEFAULT_URL))
    parser.add_argument("--burst", type=int, default=10_000, help="jobs due at once (0: skip)")
    parser.add_argument("--steady-seconds", type=int, default=60)
    parser.add_argument("--steady-rate", type=int, default=50, help="jobs falling due a second")
    parser.add_argument("--baseline", type=int, default=3_000, help="requests in the loop")
    parser.add_argument("--channel-concurrency", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=8)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        run_sink(args.sink)
        return

    print(
        f"# {datetime.now(UTC):%Y-%m-%d} {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs"
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        sink() as url,
        postgres_database(args.pg_url) as db,
    ):
        Path(folder, "hook.key").write_text("bench-secret", "utf-8")
        config = Path(folder, "maintctl.yaml")
        config.write_text(
            "channels:\n"
            f"  - {{name: bench, audience: internal-engineering, concurrency: "
            f"{args.channel_concurrency},\n"
            f"     webhook: {{url: '{url}/hook', secret_file: hook.key}}}}\n",
            "utf-8",
        )
        env = {
            **os.environ,
            "MAINTCTL_DATABASE_URL": args.pg_url,
            "MAINTCTL_CONFIG": str(config),
            "MAINTCTL_WORKER_CONCURRENCY": str(args.worker_concurrency),
        }
        raw = baseline(url, args.baseline)
        print(f"baseline: one httpx.Client loop, {raw:,.0f} requests/s")
        if args.burst:
            bursts(db, url, env, args.burst, raw)
        lag = steady(db, url, env, args.steady_seconds, args.steady_rate)
        print(
            f"steady {args.steady_rate}/s for {args.steady_seconds} s ({lag['count']:,} sends): "
            f"due-to-sent lag p50 {lag['p50'] * 1000:.0f} ms, p99 {lag['p99'] * 1000:.0f} ms, "
            f"max {lag['max'] * 1000:.0f} ms"
        )


def bursts(db: Database, url: str, env: dict[str, str], count: int, raw: float) -> None:
    """The burst with one worker, then with two; printed."""
    one = burst(db, url, env, count, 1)
    print(
        f"burst of {count:,}, one worker: {one['rate']:,.0f} sends/s "
        f"(x{one['rate'] / raw:.3f} of baseline), {one['dupes']} sent twice, "
        f"{one['left']} not done"
    )
    two = burst(db, url, env, count, 2)
    print(
        f"burst of {count:,}, two workers: {two['rate']:,.0f} sends/s "
        f"(x{two['rate'] / raw:.3f} of baseline, x{two['rate'] / one['rate']:.2f} of one), "
        f"{two['dupes']} sent twice, {two['left']} not done"
    )


if __name__ == "__main__":
    main()
