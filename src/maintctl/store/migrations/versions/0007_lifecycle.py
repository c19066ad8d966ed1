"""The life-cycle moves: a window's lead, actual start and end, and its progress updates.

Revision ID: 0007_lifecycle
Revises: 0006_jobs
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import UTCDateTime

revision = "0007_lifecycle"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.add_column(sa.Column("lead", sa.String(200), nullable=True))
        batch.add_column(sa.Column("actual_start", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("actual_end", UTCDateTime, nullable=True))
    op.create_table(
        "window_updates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("of_steps", sa.Integer, nullable=False),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("eta", UTCDateTime, nullable=True),
        sa.Column("public", sa.Text, nullable=True),
        sa.Column("by", sa.String(200), nullable=False),
    )
    op.create_index("ix_window_updates_window", "window_updates", ["window_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_window_updates_window", "window_updates")
    op.drop_table("window_updates")
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("actual_end")
        batch.drop_column("actual_start")
        batch.drop_column("lead")
