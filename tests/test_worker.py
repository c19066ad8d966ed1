"""`maintctl worker` as a real process: stopped with SIGTERM, run `--once`, two at a time on
PostgreSQL, and checking its config at start (tests/test_worker_notify.py kills it with SIGKILL).
Jobs of the test-only kind `test.append` (tests/jobkinds.py) append their idempotency key to a
file as they finish."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from maintctl.store import jobs as store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow, WorkerBeatRow
from tests import children

ROOT = Path(__file__).parent.parent
KIND = "test.append"
DEADLINE_S = 90  # any wait in these tests gives up after this
CLI = "from maintctl.cli.main import run; run()"


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "maintctl.yaml"
    config.write_text("{}\n", "utf-8")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "MAINTCTL_DATABASE_URL": database_url,
        "MAINTCTL_CONFIG": str(config),
        "MAINTCTL_JOB_PLUGINS": "tests.jobkinds",
        "MAINTCTL_TEST_JOB_LOG": str(tmp_path / "ran.log"),
        "MAINTCTL_WORKER_LEASE_S": "1",  # a killed worker's claim runs out after 1 s
    }


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return children.popen(
        [sys.executable, "-c", CLI, "worker", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def plan(db: Database, count: int, spread_s: float = 0.0, **payload: Any) -> list[str]:
    """`count` jobs falling due evenly over the next `spread_s` seconds; their keys."""
    now = datetime.now(UTC)
    keys = [f"job-{n:04d}" for n in range(count)]
    with db.write() as session:
        for n, key in enumerate(keys):
            due = now + timedelta(seconds=spread_s * n / max(count, 1))
            assert store.enqueue(session, KIND, payload, due, key, now)
    return keys


def ran(env: dict[str, str]) -> list[str]:
    path = Path(env["MAINTCTL_TEST_JOB_LOG"])
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    return [line.split()[0] for line in lines if not line.startswith("start ")]


def done(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(JobRow.status == store.DONE)) or 0)


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def stop(worker: subprocess.Popen[str]) -> str:
    worker.send_signal(signal.SIGTERM)
    out, _ = worker.communicate(timeout=DEADLINE_S)
    return out


def test_sigterm_finishes_the_job_in_flight_then_exits(env: dict[str, str], db: Database) -> None:
    (key,) = plan(db, 1, sleep=1.5, mark_start=True)
    worker = start(env)
    log = Path(env["MAINTCTL_TEST_JOB_LOG"])
    wait_for(lambda: log.exists() and f"start {key}" in log.read_text(), "the job to start")

    out = stop(worker)

    assert worker.returncode == 0, out
    assert ran(env) == [key]
    with db.read() as session:
        job = store.get(session, key)
    assert job is not None and job.status == store.DONE


def test_worker_once_does_what_is_due_and_exits(env: dict[str, str], db: Database) -> None:
    due = plan(db, 3)
    with db.write() as session:
        later = datetime.now(UTC) + timedelta(hours=1)
        store.enqueue(session, KIND, {}, later, "later", datetime.now(UTC))

    finished = subprocess.run(
        [sys.executable, "-c", CLI, "worker", "--once"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )

    assert finished.returncode == 0, finished.stderr
    assert "worker: 3 jobs done" in finished.stdout
    assert sorted(ran(env)) == due
    with db.read() as session:
        job = store.get(session, "later")
    assert job is not None and job.status == store.PENDING


def test_two_workers_on_postgresql_never_run_a_job_twice(env: dict[str, str], db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("on SQLite one worker at a time holds the lease")
    env = {**env, "MAINTCTL_WORKER_LEASE_S": "60"}  # no claim runs out: a repeat is a bug
    keys = plan(db, 300, sleep=0.005)
    workers = [start(env), start(env)]
    wait_for(lambda: done(db) == len(keys), "every job done")
    for worker in workers:
        stop(worker)

    seen = Counter(ran(env))
    assert set(seen) == set(keys)
    assert max(seen.values()) == 1  # each key finished once
    pids = {line.split()[1] for line in Path(env["MAINTCTL_TEST_JOB_LOG"]).read_text().splitlines()}
    assert len(pids) == 2  # both shared the work


def serve(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    """`maintctl serve` on a free port, once /healthz answers; the process and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = children.popen(
        [sys.executable, "-c", CLI, "serve", "--port", str(port), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, "maintctl serve exited early"
        try:
            return httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, "maintctl serve to answer")
    return process, url


def beats(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(WorkerBeatRow.worker_id)))


def test_serve_runs_one_worker_however_many_http_processes(
    env: dict[str, str], db: Database
) -> None:
    keys = plan(db, 5)
    process, url = serve(env, "--workers", "2")
    try:
        wait_for(lambda: done(db) == len(keys), "the embedded worker to do the jobs")
        health = httpx.get(f"{url}/health", timeout=5.0)
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE_S)
    (worker,) = beats(db)  # one worker, in the serve process itself
    assert worker.split(":")[1] == str(process.pid)
    assert health.json()["status"] == "pass"
    assert {line.split()[1] for line in ran_lines(env)} == {str(process.pid)}


def test_serve_no_worker_runs_none(env: dict[str, str], db: Database) -> None:
    plan(db, 1)
    process, url = serve(env, "--no-worker")
    try:
        time.sleep(1.5)  # three idle periods: a worker would have done the job by now
        health = httpx.get(f"{url}/health", timeout=5.0).json()
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE_S)
    assert done(db) == 0 and beats(db) == []
    assert health["checks"]["worker:heartbeat"][0]["status"] == "warn"


def ran_lines(env: dict[str, str]) -> list[str]:
    return Path(env["MAINTCTL_TEST_JOB_LOG"]).read_text("utf-8").splitlines()


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )


def test_worker_once_says_who_holds_the_sqlite_lease_and_exits_1(
    env: dict[str, str], db: Database
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL workers share the work without a lease")
    due = plan(db, 2)
    until = datetime.now(UTC) + timedelta(minutes=5)
    with db.write() as session:
        assert store.hold_lease(
            session, "ops-box:4242:ab12cd", until - timedelta(minutes=5), timedelta(minutes=5)
        )

    finished = run_cli(env, "worker", "--once")

    assert finished.returncode == 1, finished.stderr
    (line,) = finished.stdout.splitlines()
    assert "ops-box:4242:ab12cd" in line and until.strftime("%Y-%m-%dT%H:%M:%SZ") in line
    assert ran(env) == [] and done(db) == 0
    with db.read() as session:
        assert store.lease_holder(session, datetime.now(UTC)) == ("ops-box:4242:ab12cd", until)
    assert len(due) == 2


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_a_url_apprise_cannot_parse_stops_worker_and_serve_at_start(
    env: dict[str, str], command: str
) -> None:
    Path(env["MAINTCTL_CONFIG"]).write_text(
        "channels:\n  - {name: chat, audience: internal-engineering, url: 'nosuch://token/x'}\n",
        "utf-8",
    )

    finished = run_cli(env, command)

    assert finished.returncode == 3
    (line,) = finished.stderr.splitlines()
    assert line.startswith(f"error: {env['MAINTCTL_CONFIG']}:2: channels.0.url: Apprise cannot")
    assert "apprise/wiki" in line and "token" not in line
