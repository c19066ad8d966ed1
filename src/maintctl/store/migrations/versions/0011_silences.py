"""Alert suppression: a row per window, provider and system silenced, and where it stands.

Revision ID: 0011_silences
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import UTCDateTime

revision = "0011_silences"
down_revision = "0010_watches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=True),
        sa.Column("ends_at", UTCDateTime, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ux_silences_window_target", "silences", ["window_id", "provider", "target"], unique=True
    )
    op.create_index("ix_silences_state", "silences", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_silences_state", "silences")
    op.drop_index("ux_silences_window_target", "silences")
    op.drop_table("silences")
