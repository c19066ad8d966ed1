"""Readiness: a window's team, and the acknowledgements of checklist items.

Revision ID: 0009_precheck
Revises: 0008_people
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0009_precheck"
down_revision = "0008_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild of `windows` on SQLite would drop the table, and with
    # it (ON DELETE CASCADE) every window's systems.
    op.add_column(
        "windows", sa.Column("team", Json, nullable=False, server_default=sa.text("'[]'"))
    )
    op.create_table(
        "acks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item", sa.String(130), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("undone_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_acks_window_item", "acks", ["window_id", "item", "id"])


def downgrade() -> None:
    op.drop_index("ix_acks_window_item", "acks")
    op.drop_table("acks")
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("team")
