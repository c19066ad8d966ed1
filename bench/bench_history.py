"""How `report sla` and `stats` scale with the number of past windows, on SQLite and PostgreSQL.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_history.py                  # 10k and 100k windows, SQLite
    .venv/bin/python bench/bench_history.py --db both        # and PostgreSQL
    .venv/bin/python bench/bench_history.py --sizes 10000,100000 --runs 5

Each size gets a fresh database seeded with SQLAlchemy core executemany: windows that ran, evenly
over the ten years before NOW (`--years 2`: all inside the stats horizon, the worst case), one or
two of 100 systems each, ten components of ten systems, and two timed notices per window. Then the
route bodies are called in-process as the API calls them (handlers/history.py): the SLA report
for one month, and stats over every type and system.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench_schedule import postgres_database, server_name, sqlite_database
from sqlalchemy import insert

from maintctl.api.handlers.history import duration_hint, sla_report, stats
from maintctl.config import parse_config
from maintctl.domain.roles import Principal, Role
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from maintctl.store.tables import NotificationRow, SystemRow, WindowRow

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# Ten years of history: stats read the last two (bounds.HISTORY_HORIZON); --years 2 puts every
# window inside the horizon, the worst case.
YEARS = 10
MONTH = "2026-10"
SYSTEMS = [f"svc-{i:03d}" for i in range(100)]
COMPONENTS = "components:\n" + "".join(
    f"  - {{id: c{c}, name: C{c}, systems: [{', '.join(SYSTEMS[c * 10 : c * 10 + 10])}]}}\n"
    for c in range(10)
)
# Type, share, planned hours: the runbook's mix, mostly planned outages.
TYPES = [
    ("planned-outage", 0.5, (1, 2)),
    ("brief-interruption", 0.2, (1,)),
    ("zero-downtime", 0.15, (1, 2, 3, 4)),
    ("extended-outage", 0.1, (3, 4)),
    ("emergency", 0.05, (1, 2)),
]
BATCH = 5_000
SEED = 20261128
DEFAULT_PG_URL = "postgresql+psycopg://maintctl:maintctl@127.0.0.1/maintctl_sla_bench"
DETAILS = {
    "justification": "",
    "prerequisites": [],
    "execution_plan": [],
    "rollback_plan": [],
    "verification_steps": [],
}
VIEWER = Principal("bench", Role.VIEWER)


def _type(rng: random.Random) -> tuple[str, int]:
    pick, seen = rng.random(), 0.0
    for name, share, hours in TYPES:
        seen += share
        if pick < seen:
            return name, rng.choice(hours) * 3600
    return TYPES[0][0], 3600


def generate(
    n: int, years: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """`n` windows that ran, evenly over `years` before NOW; no system booked twice at once.

    Window i holds system i mod 100 and, every other one, the system 50 further: a system's
    windows are 50 steps apart (8.75 h for 100k in two years), longer than any planned (4 h).
    """
    rng = random.Random(SEED)
    span = timedelta(days=365 * years)
    step = span / n
    lo = NOW - span
    for i in range(n):
        kind, planned = _type(rng)
        start = lo + step * i
        end = start + timedelta(seconds=planned)
        actual_start = start + timedelta(minutes=rng.randrange(0, 10))
        # A third overrun (up to an hour), the rest end early or on time.
        over = rng.randrange(1, 3600) if rng.random() < 0.33 else -rng.randrange(0, 1800)
        actual_end = max(end + timedelta(seconds=over), actual_start + timedelta(minutes=1))
        status = "rolled_back" if rng.random() < 0.05 else "closed"
        window_id = f"MNT-{start.year}-{i:06d}"
        window = {
            "id": window_id,
            "seq_year": None,
            "seq_no": None,
            "type": kind,
            "status": status,
            "start_at": start,
            "end_at": end,
            "duration_s": planned,
            "owner": f"team-{rng.randrange(20):02d}",
            "requested_by": "bench",
            "description": "bench window",
            "impact": "",
            "risk": "low",
            "details": DETAILS,
            "conflicts": [],
            "cancel_reason": None,
            "created_at": start - timedelta(days=10),
            "updated_at": actual_end,
            "sequence": 0,
            "version": 5,
            "lead": "bench",
            "actual_start": actual_start,
            "actual_end": actual_end,
            "public_title": "",
            "public_message": "",
            "published_start": start,
            "published_end": end,
            "team": [],
        }
        held = [SYSTEMS[i % 100]] + ([SYSTEMS[(i + 50) % 100]] if i % 2 else [])
        systems = [
            {
                "window_id": window_id,
                "system": s,
                "start_at": start,
                "end_at": end,
                "active": True,
                "long": False,
            }
            for s in held
        ]
        notices = [
            {
                "window_id": window_id,
                "kind": kind_,
                "audience": "customers-all",
                "channel": "email",
                "manual": False,
                "due_at": start - before,
                "status": "sent",
                "update_id": None,
                "created_at": start - timedelta(days=10),
                "sent_at": start - before + timedelta(seconds=rng.choice([1, 2, 5, 90, 300])),
                "sent_by": None,
            }
            for kind_, before in (
                ("initial", timedelta(days=7)),
                ("reminder-24h", timedelta(days=1)),
            )
        ]
        yield window, systems, notices


def seed(db: Database, n: int, years: int) -> float:
    """Bulk-insert `n` windows; the seconds it took."""
    began = time.perf_counter()
    windows: list[dict[str, Any]] = []
    systems: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []

    def flush() -> None:
        with db.engine.begin() as conn:
            conn.execute(insert(WindowRow.__table__), windows)
            conn.execute(insert(SystemRow.__table__), systems)
            conn.execute(insert(NotificationRow.__table__), notices)
        windows.clear()
        systems.clear()
        notices.clear()

    for window, held, told in generate(n, years):
        windows.append(window)
        systems.extend(held)
        notices.extend(told)
        if len(windows) >= BATCH:
            flush()
    if windows:
        flush()
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE windows, window_systems, notifications")
    return time.perf_counter() - began


def measure(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of `runs` calls (after one warm-up), and the last answer."""
    answer = call()
    taken = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = call()
        taken.append(time.perf_counter() - began)
    return statistics.median(taken), answer


def bench_one(db: Database, n: int, runs: int, years: int) -> dict[str, Any]:
    seeded = seed(db, n, years)
    deps = Deps.build(db, parse_config(COMPONENTS, "bench.yaml"), clock=lambda: NOW)
    sla_s, report = measure(lambda: sla_report(deps, VIEWER, MONTH), runs)
    stats_s, found = measure(lambda: stats(deps, VIEWER), runs)
    hint_s, _ = measure(
        lambda: duration_hint(deps, VIEWER, "planned-outage", "1h", "svc-001,svc-051"), runs
    )
    in_month = sum(c["windows"] for c in report.body["components"])
    return {
        "n": n,
        "seeded": seeded,
        "sla": sla_s,
        "stats": stats_s,
        "hint": hint_s,
        "month_windows": in_month,
        "groups": len(found.body["groups"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated counts")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("MAINTCTL_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--years", type=int, default=YEARS, help="the history's span (>= 2)")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    print(
        f"maintctl bench_history: {datetime.now(UTC):%Y-%m-%d %H:%M}Z, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}; report sla --month {MONTH}, stats (all), "
        f"the duration hint; windows over {args.years} years; medians of {args.runs} runs"
    )
    engines: list[Callable[[], Any]] = []
    if args.db in ("sqlite", "both"):
        engines.append(sqlite_database)
    if args.db in ("postgres", "both"):
        engines.append(lambda: postgres_database(args.pg_url))
    for fresh in engines:
        results = []
        for n in sizes:
            with fresh() as db:
                name = server_name(db)
                r = bench_one(db, n, args.runs, args.years)
            results.append(r)
            print(
                f"  {name}: {n:,} windows (seeded in {r['seeded']:.1f} s; {r['month_windows']:,} "
                f"component-windows in {MONTH}, {r['groups']} stats groups): report sla "
                f"{r['sla']:.3f} s, stats {r['stats']:.3f} s, hint {r['hint'] * 1000:.1f} ms",
                flush=True,
            )
        base, top = results[0], results[-1]
        for key in ("sla", "stats", "hint"):
            ratio = top[key] / base[key]
            print(
                f"  {name} {key}: {top['n']:,}/{base['n']:,} ratio {ratio:.2f} (target < 12), "
                f"{top[key]:.3f} s at {top['n']:,} (target < 1 s)"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
