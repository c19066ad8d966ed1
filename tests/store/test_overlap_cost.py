"""One window of the maximum length leaves every other overlap query's cost unchanged.

Cost is counted, not timed: SQLite's virtual-machine steps, PostgreSQL's rows read per plan node.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.intervals import Interval
from maintctl.domain.model import Status, Window, WindowSpec
from maintctl.store import windows as store
from maintctl.store.db import Database

T0 = datetime(2027, 3, 1, tzinfo=UTC)
SPAN = Interval(T0 + timedelta(days=10), T0 + timedelta(days=11))
SYSTEMS = ("api", "db", "web")


def window(
    n: int,
    start: datetime,
    length: timedelta,
    status: Status = Status.DRAFT,
    systems: tuple[str, ...] = SYSTEMS,
) -> Window:
    spec = WindowSpec("standard", start, start + length, list(systems), "sre", f"w{n}")
    return Window(f"MNT-2027-{n:04d}", status, spec, "alice", T0, T0)


def fill(db: Database) -> None:
    # 300 two-hour windows, one every 4 hours over 50 days around the span.
    with db.write() as session:
        for n in range(300):
            store.add(session, window(n + 1, T0 + timedelta(hours=4 * n), timedelta(hours=2)), None)


@contextmanager
def _statements(session: Session) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _pg_rows(plan: dict[str, Any]) -> int:
    rows = int(plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0))
    rows *= int(plan.get("Actual Loops", 1))
    return rows + sum(_pg_rows(child) for child in plan.get("Plans", []))


def cost(db: Database, query: Callable[[Session], Sequence[object]]) -> int:
    """Steps (SQLite) or rows read (PostgreSQL) to answer `query` once."""
    with db.read() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        if db.engine.dialect.name == "sqlite":
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0

            raw.set_progress_handler(count, 1)
            try:
                query(session)
            finally:
                raw.set_progress_handler(None, 1)
            return steps[0]
        with _statements(session) as seen:
            query(session)
        total = 0
        conn = session.connection()
        # The plan a large table would get; on 300 rows the planner may prefer a scan.
        conn.exec_driver_sql("ANALYZE windows, window_systems")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, params in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            result = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params
            ).scalar_one()
            plan = result if isinstance(result, list) else json.loads(result)
            total += _pg_rows(plan[0]["Plan"])
        return total


QUERIES: dict[str, Callable[[Session], Sequence[object]]] = {
    "bookings": lambda s: store.bookings(s, ["api", "db"], SPAN),
    "overlapping": lambda s: store.overlapping(s, SPAN),
    "overlapping-systems": lambda s: store.overlapping(s, SPAN, ["db"]),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("where", ["long-before", "long-after"])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.CANCELLED])
def test_one_window_of_the_maximum_length_leaves_other_queries_cost_unchanged(
    db: Database, name: str, where: str, status: Status
) -> None:
    fill(db)
    query = QUERIES[name]

    def found(session: Session) -> list[str]:
        return sorted(repr(item) for item in query(session))

    with db.read() as session:
        answer_before = found(session)
    before = cost(db, query)
    far = timedelta(days=3 * 365)
    start = SPAN.start - far - bounds.MAX_WINDOW if where == "long-before" else SPAN.end + far
    with db.write() as session:
        store.add(session, window(9999, start, bounds.MAX_WINDOW, status), None)
    after = cost(db, query)
    with db.read() as session:
        assert found(session) == answer_before
    assert answer_before  # the span holds windows: the query does real work
    # A constant slack: the long window may sit in one more index page than before.
    assert abs(after - before) <= 25, (before, after)


def test_a_long_window_over_the_span_is_still_found(db: Database) -> None:
    fill(db)
    start = SPAN.start - bounds.MAX_WINDOW + timedelta(hours=1)
    with db.write() as session:
        long = window(9999, start, bounds.MAX_WINDOW, systems=("batch",))
        store.add(session, long, None)
    with db.read() as session:
        assert "MNT-2027-9999" in {b.id for b in store.bookings(session, ["batch"], SPAN)}
        assert "MNT-2027-9999" in {w.id for w in store.overlapping(session, SPAN)}
        assert "MNT-2027-9999" in {w.id for w in store.overlapping(session, SPAN, ["batch"])}


@pytest.mark.parametrize(
    "offset",
    [timedelta(0), timedelta(days=200), bounds.MAX_WINDOW - timedelta(hours=1)],
    ids=["its first hour", "its middle", "its last hour"],
)
def test_a_window_of_the_maximum_length_is_found_by_any_hour_it_holds(
    db: Database, offset: timedelta
) -> None:
    # The long half of SQLite's query reads ends up to the span's end plus the cap: the edge.
    with db.write() as session:
        store.add(session, window(1, T0, bounds.MAX_WINDOW, systems=("db",)), None)
    span = Interval(T0 + offset, T0 + offset + timedelta(hours=1))
    with db.read() as session:
        assert [b.id for b in store.bookings(session, ["db"], span)] == ["MNT-2027-0001"]
        assert [w.id for w in store.overlapping(session, span)] == ["MNT-2027-0001"]
        assert [w.id for w in store.overlapping(session, span, ["db"])] == ["MNT-2027-0001"]
