"""Maintenance and traffic mode: states per scope, their changes, hook runs; what a window asks.

Revision ID: 0011_mode
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0011_mode"
down_revision = "0011_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        # A literal default, not sa.false(): an expression makes SQLite's batch mode copy the
        # table, and the copy's DROP would cascade to window_systems.
        batch.add_column(
            sa.Column("maintenance_mode", sa.Boolean, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("maintenance_message", sa.Text, nullable=True))
        batch.add_column(
            sa.Column("traffic_mode", sa.String(16), nullable=False, server_default="normal")
        )
    op.create_table(
        "mode_states",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("window_id", sa.String(32), nullable=True),
        sa.Column("until", UTCDateTime, nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.Column("change_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_mode_states_window_id", "mode_states", ["window_id"])
    op.create_table(
        "mode_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("scopes", Json, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("window_id", sa.String(32), nullable=True),
        sa.Column("until", UTCDateTime, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("after", Json, nullable=False),
        sa.Column("credential", Json, nullable=False),
    )
    op.create_index("ix_mode_changes_at", "mode_changes", ["at"])
    op.create_index("ix_mode_changes_window_id", "mode_changes", ["window_id"])
    op.create_table(
        "hook_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "change_id",
            sa.Integer,
            sa.ForeignKey("mode_changes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("window_id", sa.String(32), nullable=True),
        sa.Column("hook", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_hook_runs_change", "hook_runs", ["change_id", "id"])
    op.create_index("ix_hook_runs_window", "hook_runs", ["window_id", "id"])


def downgrade() -> None:
    op.drop_table("hook_runs")
    op.drop_table("mode_changes")
    op.drop_table("mode_states")
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("traffic_mode")
        batch.drop_column("maintenance_message")
        batch.drop_column("maintenance_mode")
