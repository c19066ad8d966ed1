"""Hosted Statuspage sync: each window's incident id per channel and what was last synced.

Revision ID: 0008_statuspage
Revises: 0008_notices
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0008_statuspage"
# The brief says 0007_lifecycle; 0008_public is already on that branch here, and two heads
# would stop `upgrade head`, so this chains after it (the lead re-chains at merge).
down_revision = "0008_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statuspage_incidents",
        sa.Column("channel", sa.String(64), primary_key=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("incident_id", sa.String(64), nullable=True),
        sa.Column("create_sent", sa.Boolean, nullable=False),
        sa.Column("synced", Json, nullable=False),
        sa.Column("last_update", sa.Integer, nullable=False),
        sa.Column("held_by", sa.String(200), nullable=True),
        sa.Column("held_until", UTCDateTime, nullable=True),
        sa.Column("synced_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("statuspage_incidents")
