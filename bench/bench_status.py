"""What the status page's JSON costs next to /healthz, with 10,000 windows stored.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_status.py                   # 10k windows, both DBs
    .venv/bin/python bench/bench_status.py --db sqlite --windows 10000

A fresh database seeded as bench_schedule.py seeds it, the scheduled-and-later windows made
public (their last approved times, an audit row for each move a public window made), ten
components over the 200 systems, and a real `maintctl serve` (no worker) on loopback. Then
`GET /api/v2/summary.json` and `GET /healthz` in alternating blocks on one keep-alive client:
requests a second of each and their ratio (target: summary/healthz >= 0.5). Also: the first
summary (the document built from the database), and one right after a move (rebuilt).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bench_api import server
from bench_schedule import (
    DEFAULT_PG_URL,
    SYSTEMS,
    generate,
    postgres_database,
    settle,
    sqlite_database,
)
from sqlalchemy import insert

from maintctl.store.db import Database
from maintctl.store.tables import AuditRow, SystemRow, WindowRow

PUBLIC = {"scheduled", "in_progress", "verifying", "completed", "rolled_back", "closed"}
COMPONENTS = 10


def config_file(folder: Path) -> Path:
    """Ten components of 20 systems each, a public page."""
    lines = ["components:"]
    for i in range(COMPONENTS):
        systems = ", ".join(SYSTEMS[i * 20 : (i + 1) * 20])
        lines.append(f"  - {{id: c{i}, name: Component {i}, systems: [{systems}]}}")
    lines.append('status_page: {title: "Bench Status", url: "https://status.example.com"}')
    path = folder / "maintctl.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@contextmanager
def serve(url: str, config: Path) -> Iterator[str]:
    """`maintctl serve --no-worker` on a free loopback port, until healthy; its base URL."""
    with server(url, str(config), "--no-worker") as (base, _):
        yield base


def seed(db: Database, n: int) -> dict[str, int]:
    """`n` windows; those scheduled and later are public, with their moves in the audit trail."""
    rng = random.Random(7)
    counts = {"windows": 0, "public": 0, "audit": 0}
    windows: list[dict[str, Any]] = []
    systems: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []

    def flush() -> None:
        with db.engine.begin() as conn:
            if windows:
                conn.execute(insert(WindowRow), windows)
            if systems:
                conn.execute(insert(SystemRow), systems)
            if audit:
                conn.execute(insert(AuditRow), audit)
        windows.clear()
        systems.clear()
        audit.clear()

    for window, rows in generate(n):
        counts["windows"] += 1
        window.update(published_start=None, published_end=None, public_title="", public_message="")
        status = window["status"]
        cancelled_public = status == "cancelled" and rng.random() < 0.5
        if (
            status in PUBLIC
            or cancelled_public
            or (status == "pending_approval" and rng.random() < 0.2)
        ):
            counts["public"] += 1
            window["published_start"] = window["start_at"]
            window["published_end"] = window["end_at"]
            window["public_title"] = f"Maintenance {window['id']}"
            at = window["created_at"] + timedelta(days=1)
            moves = [("approve", "pending_approval", "scheduled", at)]
            if status in ("in_progress", "completed", "rolled_back", "closed"):
                moves.append(("start", "scheduled", "in_progress", window["start_at"]))
            if status in ("completed", "closed"):
                moves.append(("complete", "in_progress", "verifying", window["end_at"]))
                moves.append(("verify", "verifying", "completed", window["end_at"]))
            if status == "cancelled":
                moves.append(("cancel", "scheduled", "cancelled", at + timedelta(days=1)))
            for action, before, after, when in moves:
                audit.append(
                    {
                        "window_id": window["id"],
                        "at": when,
                        "actor": "bench",
                        "action": action,
                        "from_status": before,
                        "to_status": after,
                        "detail": {},
                    }
                )
                counts["audit"] += 1
        windows.append(window)
        systems.extend(rows)
        if len(windows) >= 5_000:
            flush()
    flush()
    settle(db)
    return counts


def rate(http: httpx.Client, path: str, count: int) -> float:
    """Requests a second for `count` sequential GETs of `path`."""
    t0 = time.perf_counter()
    for _ in range(count):
        answer = http.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return count / (time.perf_counter() - t0)


def bench(db: Database, size: int, args: argparse.Namespace) -> dict[str, float]:
    counts = seed(db, size)
    found: dict[str, float] = {k: float(v) for k, v in counts.items()}
    folder = Path(tempfile.mkdtemp(prefix="maintctl-bench-status-"))
    with serve(db.url, config_file(folder)) as base, httpx.Client(base_url=base) as http:
        t0 = time.perf_counter()
        first = http.get("/api/v2/summary.json")
        found["first_ms"] = (time.perf_counter() - t0) * 1000
        body = first.json()
        found["shown"] = len(body["scheduled_maintenances"])
        found["every"] = len(
            http.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
        )
        found["bytes"] = len(first.content)
        rate(http, "/healthz", args.warmup)
        rate(http, "/api/v2/summary.json", args.warmup)
        summary: list[float] = []
        healthz: list[float] = []
        for _ in range(args.rounds):  # alternating blocks: both see the same load
            healthz.append(rate(http, "/healthz", args.block))
            summary.append(rate(http, "/api/v2/summary.json", args.block))
        found["healthz_rps"] = sorted(healthz)[len(healthz) // 2]
        found["summary_rps"] = sorted(summary)[len(summary) // 2]
        found["ratio"] = found["summary_rps"] / found["healthz_rps"]
        # A move (an audit row) makes the next request rebuild the document.
        with db.engine.begin() as conn:
            conn.execute(
                insert(AuditRow),
                [
                    {
                        "window_id": "MNT-BENCH",
                        "at": datetime.now(UTC),
                        "actor": "bench",
                        "action": "modify",
                        "from_status": "draft",
                        "to_status": "draft",
                        "detail": {},
                    }
                ],
            )
        t0 = time.perf_counter()
        http.get("/api/v2/summary.json")
        found["rebuilt_ms"] = (time.perf_counter() - t0) * 1000
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MAINTCTL_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--block", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    print(
        f"maintctl bench_status: {datetime.now(UTC):%Y-%m-%d %H:%M}Z, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
        f"{args.rounds} rounds of {args.block} requests each, medians"
    )
    lanes: list[tuple[str, Callable[[], Any]]] = []
    if args.db in ("sqlite", "both"):
        lanes.append(("sqlite", sqlite_database))
    if args.db in ("postgres", "both"):
        lanes.append(("postgresql", lambda: postgres_database(args.pg_url)))
    for name, fresh in lanes:
        with fresh() as db:
            r = bench(db, args.windows, args)
        print(
            f"{name} {int(r['windows']):,} windows ({int(r['public']):,} public, "
            f"{int(r['audit']):,} audit rows): summary.json {r['summary_rps']:.0f} req/s, "
            f"healthz {r['healthz_rps']:.0f} req/s, ratio {r['ratio']:.2f} (target >= 0.5: "
            f"{r['ratio'] >= 0.5}); first build {r['first_ms']:.0f} ms, after a move "
            f"{r['rebuilt_ms']:.0f} ms; {int(r['shown'])} in the summary, {int(r['every'])} in "
            f"scheduled-maintenances.json, summary {r['bytes'] / 1000:.1f} kB",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
