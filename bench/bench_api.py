"""How the lists and the calendar feed scale, through a real `maintctl serve` and the real CLI.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_api.py                      # 1k and 100k windows, both DBs
    .venv/bin/python bench/bench_api.py --db sqlite --sizes 1000,100000

For each size: a fresh database seeded as bench_schedule.py seeds it, a `maintctl serve` process on
loopback, then
- `GET /api/v1/windows?limit=100`, median over many calls (target: 100k/1k ratio <= 2);
- `GET /calendar.ics`, four at once, and the server's peak resident memory (VmHWM) before and after
  (target: under 200 MB at 100k), plus a conditional GET that must answer 304;
- `maintctl window list` (the first page) in local mode, as a user runs it (target: under 1 s).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_schedule import DEFAULT_PG_URL, postgres_database, seed, sqlite_database

from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts
from maintctl.store.db import Database

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def admin_token(db: Database) -> str:
    with db.write() as session:
        issued = accounts.add_user(
            session, Principal("bench", Role.ADMIN), "bench", "admin", "", datetime.now(UTC)
        )
    return issued.secret


@contextmanager
def server(
    url: str, config: str = os.devnull, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`maintctl serve [extra]` on a free loopback port, until healthy; its base URL and process."""
    port = free_port()
    env = {**os.environ, "MAINTCTL_DATABASE_URL": url, "MAINTCTL_CONFIG": config}
    proc = subprocess.Popen(
        [str(BIN / "maintctl"), "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("maintctl serve did not start")
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(10)


def median_ms(call: Callable[[], Any], runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_size(db: Database, size: int, args: argparse.Namespace) -> dict[str, float]:
    seed(db, size)
    token = admin_token(db)
    headers = {"Authorization": f"Bearer {token}"}
    found: dict[str, float] = {}
    with server(db.url) as (base, proc), httpx.Client(base_url=base, headers=headers) as http:

        def page() -> None:
            response = http.get("/api/v1/windows", params={"limit": 100})
            assert response.status_code == 200 and len(response.json()) == 100
            assert "next" in response.headers.get("link", "")

        found["list_ms"] = median_ms(page, args.runs)
        found["healthz_ms"] = median_ms(lambda: http.get("/healthz"), args.runs)
        before = peak_rss_mb(proc.pid)

        def feed(_: int) -> httpx.Response:
            with httpx.Client(base_url=base, headers=headers, timeout=300) as own:
                return own.get("/calendar.ics")

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(feed, range(4)))
        found["ics_s"] = time.perf_counter() - t0
        assert all(a.status_code == 200 for a in answers)
        found["ics_mb"] = len(answers[0].content) / 1e6
        found["rss_before_mb"] = before
        found["rss_peak_mb"] = peak_rss_mb(proc.pid)
        again = http.get("/calendar.ics", headers={"If-None-Match": answers[0].headers["etag"]})
        found["ics_304"] = float(again.status_code == 304)
    env = {**os.environ, "MAINTCTL_DATABASE_URL": db.url, "MAINTCTL_CONFIG": os.devnull}
    env.pop("MAINTCTL_URL", None)

    def cli_list() -> None:
        subprocess.run(
            [str(BIN / "maintctl"), "window", "list"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    found["cli_list_ms"] = median_ms(cli_list, args.cli_runs, warmup=1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MAINTCTL_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(
        f"maintctl bench_api: {datetime.now(UTC):%Y-%m-%d %H:%M}Z, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    lanes: list[tuple[str, Callable[[], Any]]] = []
    if args.db in ("sqlite", "both"):
        lanes.append(("sqlite", sqlite_database))
    if args.db in ("postgres", "both"):
        lanes.append(("postgresql", lambda: postgres_database(args.pg_url)))
    for name, fresh in lanes:
        results: list[tuple[int, dict[str, float]]] = []
        for size in sizes:
            with fresh() as db:
                results.append((size, bench_size(db, size, args)))
            r = results[-1][1]
            print(
                f"{name} {size:>7,}: list?limit=100 {r['list_ms']:.2f} ms "
                f"(healthz {r['healthz_ms']:.2f}); calendar.ics x4 {r['ics_s']:.2f} s, "
                f"{r['ics_mb']:.1f} MB each, server peak RSS {r['rss_before_mb']:.0f} -> "
                f"{r['rss_peak_mb']:.0f} MB, If-None-Match 304: {bool(r['ics_304'])}; "
                f"CLI window list {r['cli_list_ms']:.0f} ms",
                flush=True,
            )
        (small, first), (large, last) = results[0], results[-1]
        ratio = last["list_ms"] / first["list_ms"]
        print(
            f"{name} targets: list ratio {large:,}/{small:,} = {ratio:.2f} <= 2: {ratio <= 2}; "
            f"calendar.ics peak {last['rss_peak_mb']:.0f} MB < 200: {last['rss_peak_mb'] < 200}; "
            f"CLI window list {last['cli_list_ms']:.0f} ms < 1000: {last['cli_list_ms'] < 1000}"
        )


if __name__ == "__main__":
    main()
