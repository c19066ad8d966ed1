"""Recovery watches run by the worker: a row per watch, its rounds' runs linked to it.

Revision ID: 0010_watches
Revises: 0009_validation
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0010_watches"
down_revision = "0009_validation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "validation_watches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("groups", Json, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("every_s", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
    )
    with op.batch_alter_table("validation_runs") as batch:
        batch.add_column(sa.Column("watch_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("started_at", UTCDateTime, nullable=True))
        batch.create_foreign_key(
            "fk_validation_runs_watch",
            "validation_watches",
            ["watch_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_validation_runs_watch", "validation_runs", ["watch_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_validation_runs_watch", "validation_runs")
    with op.batch_alter_table("validation_runs") as batch:
        batch.drop_constraint("fk_validation_runs_watch", type_="foreignkey")
        batch.drop_column("started_at")
        batch.drop_column("watch_id")
    op.drop_table("validation_watches")
