"""Execution steps: a window's steps and signed hash, step results, and the execution log.

Revision ID: 0011_steps
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0011_steps"
down_revision = "0011_silences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "windows", sa.Column("steps", Json, nullable=False, server_default=sa.text("'{}'"))
    )
    op.add_column("windows", sa.Column("signed_hash", sa.String(64), nullable=True))
    op.create_table(
        "step_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=True),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_step_results_window", "step_results", ["window_id", "phase", "number", "id"]
    )
    op.create_table(
        "window_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("phase", sa.String(16), nullable=True),
        sa.Column("step", sa.Integer, nullable=True),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("chars", sa.Integer, nullable=False),
    )
    op.create_index("ix_window_log_seq", "window_log", ["window_id", "seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_window_log_seq", "window_log")
    op.drop_table("window_log")
    op.drop_index("ix_step_results_window", "step_results")
    op.drop_table("step_results")
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("signed_hash")
        batch.drop_column("steps")
