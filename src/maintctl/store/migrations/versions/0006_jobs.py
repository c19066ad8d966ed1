"""The job table (the worker's outbox), SQLite's worker lease and the workers' heartbeats.

Revision ID: 0006_jobs
Revises: 0005_feeds
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0006_jobs"
down_revision = "0005_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_try_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_until", UTCDateTime, nullable=True),
        sa.Column("config_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_jobs_status_next_try", "jobs", ["status", "next_try_at"])
    op.create_index("ix_jobs_finished", "jobs", ["finished_at"])
    op.create_table(
        "worker_lease",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("until", UTCDateTime, nullable=False),
    )
    op.create_table(
        "worker_beats",
        sa.Column("worker_id", sa.String(200), primary_key=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("beat_at", UTCDateTime, nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_worker_beats_beat_at", "worker_beats", ["beat_at"])


def downgrade() -> None:
    op.drop_table("worker_beats")
    op.drop_table("worker_lease")
    op.drop_index("ix_jobs_finished", "jobs")
    op.drop_index("ix_jobs_status_next_try", "jobs")
    op.drop_table("jobs")
