"""Validation runs and their check results.

Revision ID: 0009_validation
Revises: 0009_precheck
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0009_validation"
down_revision = "0009_precheck"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "validation_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("groups", Json, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("config_hash", sa.String(64), nullable=True),
        sa.Column("message", sa.Text, nullable=True),
    )
    op.create_index("ix_validation_runs_window", "validation_runs", ["window_id", "id"])
    op.create_index("ix_validation_runs_created", "validation_runs", ["created_at"])
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("validation_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("check_group", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("observed", Json, nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ux_check_results_run_name", "check_results", ["run_id", "name"], unique=True)


def downgrade() -> None:
    op.drop_table("check_results")
    op.drop_table("validation_runs")
