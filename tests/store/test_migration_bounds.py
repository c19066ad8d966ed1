"""Migration 0003_bounds on a database that already holds windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import select, text

from maintctl.services import windows
from maintctl.services.deps import Deps
from maintctl.store import audit, migrate
from maintctl.store.db import Database
from maintctl.store.tables import IdCounterRow, SystemRow
from tests.conftest import ALICE, PLANNED_OUTAGE

T = datetime(2026, 12, 6, 2, tzinfo=UTC)


def _at(db: Database, revision: str) -> None:
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(cfg, "head")
        else:
            command.downgrade(cfg, revision)


def _insert(db: Database, window_id: str, seq: tuple[int, int] | None, hours: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO windows (id, seq_year, seq_no, type, status, start_at, end_at,"
                " duration_s, owner, requested_by, description, impact, risk, details, conflicts,"
                " created_at, updated_at, sequence, version) VALUES (:id, :y, :n, 'standard',"
                " 'draft', :s, :e, :d, 'o', 'alice', 'd', '', 'low', '{}', '[]', :s, :s, 0, 1)"
            ),
            {
                "id": window_id,
                "y": seq[0] if seq else None,
                "n": seq[1] if seq else None,
                "s": T.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else T,
                "e": (T + timedelta(hours=hours)).replace(tzinfo=None)
                if db.engine.dialect.name == "sqlite"
                else T + timedelta(hours=hours),
                "d": hours * 3600,
            },
        )
        conn.execute(
            text(
                "INSERT INTO window_systems (window_id, system, start_at, end_at, active)"
                " SELECT id, :system, start_at, end_at, true FROM windows WHERE id = :id"
            ),
            {"id": window_id, "system": f"sys-{window_id}"},
        )


def test_it_seeds_counters_and_marks_long_windows_from_what_is_stored(
    db: Database, deps: Deps
) -> None:
    _at(db, "0002")
    _insert(db, "MNT-2026-0041", (2026, 41), 2)
    _insert(db, "EMT-202612060200", None, 48)
    _insert(db, "EMT-202612060200-3", None, 1)
    _at(db, "head")
    with db.read() as session:
        counters = dict(session.execute(select(IdCounterRow.prefix, IdCounterRow.last)).all())
        long = dict(session.execute(select(SystemRow.window_id, SystemRow.long)).all())
    assert counters == {"MNT-2026": 41, "EMT-202612060200": 3}
    assert long == {"MNT-2026-0041": False, "EMT-202612060200": True, "EMT-202612060200-3": False}
    with db.write() as session:
        made = windows.create(deps, session, {**PLANNED_OUTAGE, "systems": ["api"]}, ALICE)
    assert made.id == "MNT-2026-0042"


def test_a_window_longer_than_the_cap_stored_before_it_is_cancelled_with_its_reason(
    db: Database, deps: Deps
) -> None:
    _at(db, "0002")
    _insert(db, "EMT-203001010000", None, 24 * 401)  # made before the cap: 401 days
    _insert(db, "EMT-203101010000", None, 24 * 400)  # exactly the cap: kept
    _at(db, "head")
    with db.read() as session:
        over = windows.require(session, "EMT-203001010000")
        kept = windows.require(session, "EMT-203101010000")
        active = dict(session.execute(select(SystemRow.window_id, SystemRow.active)).all())
    assert over.status.value == "cancelled" and "longer than 400 days" in (over.cancel_reason or "")
    assert kept.status.value == "draft"
    assert active == {"EMT-203001010000": False, "EMT-203101010000": True}
    with db.read() as session:
        (row,) = audit.history(session, "EMT-203001010000")
    assert (row.actor, row.action, row.from_status, row.to_status) == (
        "maintctl-upgrade",
        "cancel",
        "draft",
        "cancelled",
    )
