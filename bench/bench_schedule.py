"""How `check` and `slots` scale with the number of stored windows, on SQLite and PostgreSQL.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_schedule.py              # 100, 10k and 100k windows, both DBs
    .venv/bin/python bench/bench_schedule.py --db sqlite --sizes 100,100000
    .venv/bin/python bench/bench_schedule.py --explain    # also print every query's plan

Each size gets a fresh database, seeded by bulk inserts (the service would take too long for 100k),
then the services are called in-process exactly as the API calls them: one read session per call.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url

from maintctl.config import Config, parse_config
from maintctl.domain.bounds import MAX_WINDOW
from maintctl.services import schedule
from maintctl.services.deps import Deps
from maintctl.store import migrate
from maintctl.store.db import Database
from maintctl.store.tables import SHORT_S, SystemRow, WindowRow

FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# A Sunday (the first of its month, so the primary and extended windows both fall on it): the day a
# team most often asks about, and inside the seeded span, so as busy as any other Sunday.
CHECK_DAY = date(2026, 12, 6)
CHECK_AT = datetime(CHECK_DAY.year, CHECK_DAY.month, CHECK_DAY.day, 2, tzinfo=UTC)
CHECK_SYSTEMS = ["db"]
# The extended window comes once a month and the year-end freeze is in the way: the search for
# five slots must cross several of the slot finder's chunks.
SLOT_TYPE = "extended-outage"
SLOT_DURATION = timedelta(hours=4)
SLOT_SYSTEMS = ["db"]
SLOT_COUNT = 5
# Outside calendars, as a team has them: a weekly deploy train and a weekly on-call rota.
FEEDS = {
    "deploys.ics": (
        "BEGIN:VEVENT\r\nUID:train@bench\r\nSUMMARY:Deploy train\r\n"
        "DTSTART:20160105T140000Z\r\nDTEND:20160105T160000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        "END:VEVENT\r\n"
    ),
    "oncall.ics": (
        "BEGIN:VEVENT\r\nUID:rota@bench\r\nSUMMARY:On call\r\n"
        "DTSTART:20160103T090000Z\r\nDTEND:20160110T090000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        "END:VEVENT\r\n"
    ),
}
FEED_CONFIG = """
calendars:
  - {name: deploys, kind: deployment, source: deploys.ics, severity: warn}
  - {name: oncall, kind: oncall, source: oncall.ics, severity: warn}
"""

SPAN_YEARS = 20
LONGEST_START = FIXED_NOW - timedelta(days=6 * 365)
SYSTEMS = ["db", *(f"svc-{i:03d}" for i in range(1, 200))]
BATCH = 5_000
SEED = 20261127
DEFAULT_PG_URL = "postgresql+psycopg://maintctl:maintctl@127.0.0.1/maintctl_bench"
DETAILS = {
    "justification": "",
    "prerequisites": [],
    "execution_plan": [],
    "rollback_plan": [],
    "verification_steps": [],
}


# Seeding -------------------------------------------------------------------------------------


class Lanes:
    """Per-system booked intervals, so no system is double booked (PostgreSQL would refuse it)."""

    def __init__(self) -> None:
        self.starts: dict[str, list[datetime]] = {s: [] for s in SYSTEMS}
        self.ends: dict[str, list[datetime]] = {s: [] for s in SYSTEMS}

    def free(self, system: str, start: datetime, end: datetime) -> bool:
        starts, ends = self.starts[system], self.ends[system]
        i = bisect.bisect_right(starts, start)
        if i > 0 and ends[i - 1] > start:
            return False
        return not (i < len(starts) and starts[i] < end)

    def book(self, system: str, start: datetime, end: datetime) -> None:
        i = bisect.bisect_right(self.starts[system], start)
        self.starts[system].insert(i, start)
        self.ends[system].insert(i, end)


def _aligned(rng: random.Random, first_week: datetime, weeks: int) -> tuple[str, datetime, int]:
    """A window inside the policy's allowed windows: Sun 02-06 (02-08 on the first), Wed 02-04."""
    sunday = first_week + timedelta(weeks=rng.randrange(weeks))
    pick = rng.random()
    if pick < 0.15 and sunday.day <= 7:
        return "extended-outage", sunday + timedelta(hours=2), rng.choice([3, 4]) * 3600
    if pick < 0.70:
        hours = rng.choice([1, 2])
        start = sunday + timedelta(hours=rng.randrange(2, 7 - hours))
        return "planned-outage", start, hours * 3600
    return "planned-outage", sunday + timedelta(days=3, hours=2), rng.choice([1, 2]) * 3600


def _anytime(rng: random.Random, lo: datetime, seconds: int) -> tuple[str, datetime, int]:
    start = lo + timedelta(minutes=15 * rng.randrange(seconds // 900))
    kind = "emergency" if rng.random() < 0.03 else "zero-downtime"
    if kind == "zero-downtime" and rng.random() < 0.05:
        # Mixed lengths: rolling work that takes days, longer than the 1-day short look-back.
        return kind, start, rng.randint(1, 3) * 86400 + 3600
    return kind, start, rng.randint(1, 4) * 3600


def _status(rng: random.Random, start: datetime, end: datetime) -> str:
    r = rng.random()
    if r < 0.08:
        return "cancelled"
    if end <= FIXED_NOW:
        return "rolled_back" if r < 0.12 else ("completed" if r < 0.25 else "closed")
    if start <= FIXED_NOW:
        return "in_progress"
    return "draft" if r < 0.15 else ("pending_approval" if r < 0.35 else "scheduled")


def generate(n: int, seed: int = SEED) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """`n` windows on 1-3 systems, over SPAN_YEARS centred on FIXED_NOW.

    About 40 % sit in the policy's allowed windows (the outage types, 1-4 h), the rest anywhere
    (zero-downtime work and emergencies; 1 in 20 of the zero-downtime ones lasts days). The first
    is one window of the maximum length on `db`, six years back: it must cost nothing to the
    queries about today; the second is work on `db` on the day checked. A system is never booked
    twice at once.
    """
    rng = random.Random(seed)
    lo = FIXED_NOW - timedelta(days=365 * SPAN_YEARS // 2)
    seconds = int(timedelta(days=365 * SPAN_YEARS).total_seconds())
    first_sunday = (lo + timedelta(days=(6 - lo.weekday()) % 7)).replace(hour=0, minute=0)
    weeks = SPAN_YEARS * 52
    lanes = Lanes()
    numbers: dict[int, int] = {}
    made = 0
    while made < n:
        if made == 0:
            kind, start, duration = "zero-downtime", LONGEST_START, int(MAX_WINDOW.total_seconds())
        elif made == 1:
            # Work on `db` on the day checked, so the check has a window to find.
            kind, start, duration = "planned-outage", CHECK_AT, 7200
        elif rng.random() < 0.4:
            kind, start, duration = _aligned(rng, first_sunday, weeks)
        else:
            kind, start, duration = _anytime(rng, lo, seconds)
        end = start + timedelta(seconds=duration)
        wanted = rng.randint(1, 3) if made > 1 else 1
        held: list[str] = []
        for _ in range(12):
            system = rng.choice(SYSTEMS) if made > 1 else "db"
            if system not in held and lanes.free(system, start, end):
                held.append(system)
                if len(held) == wanted:
                    break
        if not held:
            continue
        for system in held:
            lanes.book(system, start, end)
        created = start - timedelta(days=rng.randint(8, 40), minutes=rng.randrange(1440))
        year = created.year
        numbers[year] = numbers.get(year, 0) + 1
        status = _status(rng, start, end)
        window = {
            "id": f"MNT-{year}-{numbers[year]:04d}",
            "seq_year": year,
            "seq_no": numbers[year],
            "type": kind,
            "status": status,
            "start_at": start,
            "end_at": end,
            "duration_s": duration,
            "owner": f"team-{rng.randrange(20):02d}",
            "requested_by": f"user-{rng.randrange(60):02d}",
            "description": f"{kind} on {', '.join(sorted(held))}",
            "impact": "",
            "risk": rng.choice(["low", "medium", "high"]),
            "details": DETAILS,
            "conflicts": [],
            "cancel_reason": "superseded" if status == "cancelled" else None,
            "created_at": created,
            "updated_at": created,
            "sequence": 0,
            "version": 1,
        }
        systems = [
            {
                "window_id": window["id"],
                "system": s,
                "start_at": start,
                "end_at": end,
                "active": status != "cancelled",
                "long": duration > SHORT_S,
            }
            for s in sorted(held)
        ]
        made += 1
        yield window, systems


def seed(db: Database, n: int) -> None:
    windows: list[dict[str, Any]] = []
    systems: list[dict[str, Any]] = []

    def flush() -> None:
        with db.engine.begin() as conn:
            if windows:
                conn.execute(insert(WindowRow), windows)
            if systems:
                conn.execute(insert(SystemRow), systems)
        windows.clear()
        systems.clear()

    for window, rows in generate(n):
        windows.append(window)
        systems.extend(rows)
        if len(windows) >= BATCH:
            flush()
    flush()
    settle(db)


def settle(db: Database) -> None:
    """Let the database finish the load's background work before anything is timed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if db.dialect == "postgresql":
            # Autovacuum would analyze after a load this size within a minute; do it now so
            # every run sees the plans a settled database gets. The checkpoint keeps the
            # load's (and the previous size's DROP SCHEMA's) writes out of the timings.
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    gc.collect()


# Fresh databases -----------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[Database]:
    folder = tempfile.mkdtemp(prefix="maintctl-bench-")
    db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
    try:
        migrate.upgrade(db)
        yield db
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _ensure_pg_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            known = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            )
            if not known:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


@contextmanager
def postgres_database(url: str) -> Iterator[Database]:
    _ensure_pg_database(url)
    wipe = create_engine(url, isolation_level="AUTOCOMMIT")
    with wipe.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    wipe.dispose()
    db = Database(url)
    try:
        migrate.upgrade(db)
        yield db
    finally:
        db.dispose()


# Measuring -----------------------------------------------------------------------------------


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(call: Callable[[], Any], runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        call()
    timing = Timing()
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        timing.runs.append((time.perf_counter() - t0) * 1000)
    return timing


@dataclass
class Result:
    size: int
    seed_s: float
    check: Timing
    check_all: Timing
    slots: Timing
    sql: dict[str, Timing]
    check_items: int
    check_all_items: int
    slot_found: list[str]
    statements: dict[str, int]
    load: str


@contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The queries (and their parameters) run inside the block; not BEGIN and the like."""
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def replay(db: Database, statements: list[tuple[str, Any]], runs: int, warmup: int) -> Timing:
    """The same SQL through the driver alone: the database's share of a call, without the ORM."""
    with db.engine.connect() as conn:

        def call() -> None:
            for statement, params in statements:
                conn.exec_driver_sql(statement, params).fetchall()

        timing = measure(call, runs, warmup)
        conn.rollback()
    return timing


def explain(db: Database, label: str, statements: list[tuple[str, Any]]) -> None:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    for statement, params in statements:
        print(f"\n--- {label}: {' '.join(statement.split())[:400]}")
        print(f"    params: {str(params)[:200]}")
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(prefix + statement, params).fetchall()
        for row in rows:
            print("   ", " | ".join(str(v) for v in (row[-1:] if db.dialect == "sqlite" else row)))


def feed_config(folder: Path) -> Config:
    """The default policy with FEEDS as file calendars in `folder`."""
    for name, events in FEEDS.items():
        body = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{events}END:VCALENDAR\r\n"
        (folder / name).write_text(body, "utf-8")
    return parse_config(FEED_CONFIG, "bench config", folder)


def bench_one(db: Database, size: int, args: argparse.Namespace) -> Result:
    t0 = time.perf_counter()
    seed(db, size)
    seed_s = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(prefix="maintctl-bench-feeds-"))
    deps = Deps.build(db, feed_config(folder), clock=lambda: FIXED_NOW)

    def check(systems: list[str]) -> Callable[[], schedule.DayReport]:
        def call() -> schedule.DayReport:
            with db.read() as s:
                return schedule.check_day(deps, s, CHECK_DAY, systems)

        return call

    def slots() -> list[Any]:
        with db.read() as s:
            return schedule.slots(
                deps,
                s,
                type_name=SLOT_TYPE,
                duration=SLOT_DURATION,
                systems=SLOT_SYSTEMS,
                count=SLOT_COUNT,
            )

    with captured(db) as check_sql:
        report = check(CHECK_SYSTEMS)()
    with captured(db) as check_all_sql:
        report_all = check(SYSTEMS)()
    with captured(db) as slots_sql:
        found = slots()
    if args.explain:
        explain(db, f"{db.dialect} {size:,} check {','.join(CHECK_SYSTEMS)}", check_sql)
        explain(db, f"{db.dialect} {size:,} check (all systems)", check_all_sql)
        explain(db, f"{db.dialect} {size:,} slots", slots_sql)
    return Result(
        size=size,
        seed_s=seed_s,
        check=measure(check(CHECK_SYSTEMS), args.check_runs, args.warmup),
        check_all=measure(check(SYSTEMS), args.check_runs, args.warmup),
        slots=measure(slots, args.slots_runs, args.warmup),
        sql={
            "check": replay(db, check_sql, args.check_runs, args.warmup),
            "check_all": replay(db, check_all_sql, args.check_runs, args.warmup),
            "slots": replay(db, slots_sql, args.slots_runs, args.warmup),
        },
        check_items=len(report.items),
        check_all_items=len(report_all.items),
        slot_found=[f"{s.start:%Y-%m-%d %H:%M}" for s in found],
        statements={
            "check": len(check_sql),
            "check_all": len(check_all_sql),
            "slots": len(slots_sql),
        },
        load=load(db),
    )


# Reporting -----------------------------------------------------------------------------------


def report(dialect: str, results: list[Result]) -> None:
    base = results[0]
    print(f"\n{dialect}: in-process calls, median / p95 ms (items = what check returned)")
    print(
        f"{'windows':>9} {'seed s':>7} | {'check db':>15} {'items':>5} | "
        f"{'check all':>15} {'items':>5} | {'slots db':>15}"
    )
    for r in results:
        print(
            f"{r.size:>9,} {r.seed_s:>7.1f} | "
            f"{r.check.median:>7.2f} / {r.check.p95:>5.2f} {r.check_items:>5} | "
            f"{r.check_all.median:>7.2f} / {r.check_all.p95:>5.2f} {r.check_all_items:>5} | "
            f"{r.slots.median:>7.2f} / {r.slots.p95:>5.2f}"
        )
    print(f"{dialect}: the same SQL replayed through the driver, median ms (statements per call)")
    for r in results:
        print(
            f"{r.size:>9,}         | "
            f"{r.sql['check'].median:>7.2f} ({r.statements['check']})        | "
            f"{r.sql['check_all'].median:>7.2f} ({r.statements['check_all']})        | "
            f"{r.sql['slots'].median:>7.2f} ({r.statements['slots']})"
        )
    print(f"ratio to the {base.size:,}-window baseline (medians; in-process, SQL only):")
    for r in results:
        parts = []
        for label, key, timing, b in (
            ("check db", "check", r.check, base.check),
            ("check all", "check_all", r.check_all, base.check_all),
            ("slots db", "slots", r.slots, base.slots),
        ):
            sql_ratio = r.sql[key].median / base.sql[key].median
            parts.append(f"{label} x{timing.median / b.median:.2f} (sql x{sql_ratio:.2f})")
        print(f"{r.size:>9,}   " + "   ".join(parts))
    print("slots found:")
    for r in results:
        print(f"{r.size:>9,}   {', '.join(r.slot_found)}")


def verdict(dialect: str, results: list[Result]) -> None:
    base, top = results[0], results[-1]
    ratio = top.check.median / base.check.median
    print(f"\n{dialect} targets at {top.size:,} windows:")
    print(f"  check db  {top.check.median:.2f} ms < 20 ms: {top.check.median < 20}")
    print(f"  check all {top.check_all.median:.2f} ms < 20 ms: {top.check_all.median < 20}")
    print(f"  slots db  {top.slots.median:.2f} ms < 100 ms: {top.slots.median < 100}")
    print(f"  check db ratio {top.size:,}/{base.size:,} = {ratio:.2f} <= 3: {ratio <= 3}")
    ratio_all = top.check_all.median / base.check_all.median
    print(f"  check all ratio {top.size:,}/{base.size:,} = {ratio_all:.2f} <= 3: {ratio_all <= 3}")


def server_name(db: Database) -> str:
    if db.dialect == "sqlite":
        return f"sqlite {sqlite3.sqlite_version}"
    with db.engine.connect() as conn:
        return f"postgresql {conn.scalar(text('SHOW server_version'))}"


def load(db: Database) -> str:
    """How busy `db` is next to the average system, and around the day and slots measured."""
    day = datetime(CHECK_DAY.year, CHECK_DAY.month, CHECK_DAY.day, tzinfo=UTC)
    reach_from = FIXED_NOW + timedelta(days=7)
    reach_to = reach_from + schedule.FIRST_CHUNK + SLOT_DURATION
    rows = SystemRow
    with db.engine.connect() as conn:
        counts = select(rows.system, func.count()).group_by(rows.system)
        per_system = {str(row[0]): int(row[1]) for row in conn.execute(counts)}
        mine = per_system.get("db", 0)
        near = conn.scalar(
            select(func.count()).where(
                rows.system == "db", rows.start_at < reach_to, rows.end_at > reach_from
            )
        )
        on_day = conn.scalar(
            select(func.count()).where(
                rows.start_at < day + timedelta(days=1), rows.end_at > day, rows.system == "db"
            )
        )
    mean = sum(per_system.values()) / len(SYSTEMS)
    per_chunk = mine * schedule.FIRST_CHUNK.days / (365 * SPAN_YEARS)
    return (
        f"db holds {mine} windows (mean per system {mean:.0f}), {on_day} on {CHECK_DAY}, "
        f"{near} in the first slot chunk (average {per_chunk:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000", help="comma-separated counts")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MAINTCTL_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--check-runs", type=int, default=50)
    parser.add_argument("--slots-runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="print the plans of every query")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    print(
        f"maintctl bench: {datetime.now(UTC):%Y-%m-%d %H:%M}Z, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"now={FIXED_NOW:%Y-%m-%dT%H:%MZ}; check {CHECK_DAY} (systems db, and all 200 named); "
        f"slots {SLOT_TYPE} {SLOT_DURATION} on db, first {SLOT_COUNT}; {len(SYSTEMS)} systems, "
        f"windows over {SPAN_YEARS} years, one of {MAX_WINDOW.days} days; feeds configured"
    )
    engines: list[Callable[[], Any]] = []
    if args.db in ("sqlite", "both"):
        engines.append(sqlite_database)
    if args.db in ("postgres", "both"):
        engines.append(lambda: postgres_database(args.pg_url))
    summaries: list[tuple[str, list[Result]]] = []
    for fresh in engines:
        results = []
        for size in sizes:
            with fresh() as db:
                name = server_name(db)
                results.append(bench_one(db, size, args))
                r = results[-1]
                print(
                    f"  {name}: {size:,} windows; {r.load}; "
                    f"check db {r.check.median:.2f} ms, slots {r.slots.median:.2f} ms",
                    flush=True,
                )
        summaries.append((name, results))
    for name, results in summaries:
        report(name, results)
    for name, results in summaries:
        verdict(name, results)
    # Other work on the machine shows up in the timings; a load near the CPU count means noise.
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
