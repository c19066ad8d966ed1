"""Bounds: ID counters, and overlap indexes that do not depend on the longest window stored.

Revision ID: 0003_bounds
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0003_bounds"
down_revision = "0002"
branch_labels = None
depends_on = None

SHORT_S = 86_400  # store/tables.py SHORT_S, frozen here as this revision wrote it
MAX_WINDOW_S = 400 * 86_400  # domain/bounds.py MAX_WINDOW, frozen likewise
OVER_CAP = (
    "longer than 400 days, the longest any window may now last: cancelled by the upgrade to "
    "maintctl's bounds, so that no overlap question has to read past the cap; create it again as "
    "windows of at most 400 days"
)
_EMT = re.compile(r"^(EMT-\d{12})(?:-(\d+))?$")


def upgrade() -> None:
    op.create_table(
        "id_counters",
        sa.Column("prefix", sa.String(32), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("window_systems") as batch:
        batch.add_column(sa.Column("long", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("window_systems") as batch:
        batch.alter_column("long", server_default=None)
    op.execute(
        sa.text(
            "UPDATE window_systems SET long = true WHERE window_id IN "
            "(SELECT id FROM windows WHERE duration_s > :short)"
        ).bindparams(short=SHORT_S)
    )
    op.create_index("ix_window_systems_long_end", "window_systems", ["system", "long", "end_at"])
    op.drop_index("ix_windows_duration", table_name="windows")
    if op.get_bind().dialect.name == "sqlite":
        # PostgreSQL answers overlap with its GiST index; only SQLite's query needs this one.
        op.create_index(
            "ix_windows_long_end",
            "windows",
            ["end_at"],
            sqlite_where=sa.text("duration_s > 86400"),
        )
    _seed_counters()
    _cancel_over_cap()


def _cancel_over_cap() -> None:
    """Cancel, with the reason and an audit row, what the bounds would refuse today.

    A window longer than the cap could be made before the cap existed. SQLite's overlap query reads
    long windows only up to the cap past a span, so such a row would no longer be seen as holding
    its systems; cancelled, it holds nothing and stays on record.
    """
    bind = op.get_bind()
    found = bind.execute(
        sa.text(
            "SELECT id, status FROM windows WHERE duration_s > :cap AND status <> 'cancelled'"
        ).bindparams(cap=MAX_WINDOW_S)
    ).all()
    for window_id, status in found:
        bind.execute(
            sa.text(
                "UPDATE windows SET status = 'cancelled', cancel_reason = :reason, "
                "version = version + 1 WHERE id = :id"
            ).bindparams(reason=OVER_CAP, id=window_id)
        )
        bind.execute(
            sa.text("UPDATE window_systems SET active = false WHERE window_id = :id").bindparams(
                id=window_id
            )
        )
        audit = sa.table(
            "audit",
            sa.column("window_id"),
            sa.column("at", UTCDateTime),
            sa.column("actor"),
            sa.column("action"),
            sa.column("from_status"),
            sa.column("to_status"),
            sa.column("detail", Json),
        )
        op.bulk_insert(
            audit,
            [
                {
                    "window_id": window_id,
                    "at": datetime.now(UTC),
                    "actor": "maintctl-upgrade",
                    "action": "cancel",
                    "from_status": status,
                    "to_status": "cancelled",
                    "detail": {"comment": OVER_CAP},
                }
            ],
        )


def _seed_counters() -> None:
    """Start each counter past every number already taken, so no new ID collides."""
    bind = op.get_bind()
    last: dict[str, int] = {}
    rows = bind.execute(sa.text("SELECT id, seq_year, seq_no FROM windows"))
    for window_id, year, number in rows:
        if year is not None and number is not None:
            key = f"MNT-{year:04d}"
            last[key] = max(last.get(key, 0), number)
        elif m := _EMT.match(window_id):
            last[m[1]] = max(last.get(m[1], 0), int(m[2] or 1))
    counters = sa.table("id_counters", sa.column("prefix"), sa.column("last"))
    if last:
        op.bulk_insert(counters, [{"prefix": k, "last": v} for k, v in sorted(last.items())])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_windows_long_end", table_name="windows")
    op.create_index("ix_windows_duration", "windows", ["duration_s"])
    op.drop_index("ix_window_systems_long_end", table_name="window_systems")
    with op.batch_alter_table("window_systems") as batch:
        batch.drop_column("long")
    op.drop_table("id_counters")
