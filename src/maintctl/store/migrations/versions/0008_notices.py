"""The notices planned for each window, and every attempt at sending one.

Revision ID: 0008_notices
Revises: 0008_public
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import UTCDateTime

revision = "0008_notices"
down_revision = "0008_public"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("window_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("manual", sa.Boolean, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("update_id", sa.Integer, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("sent_by", sa.String(200), nullable=True),
    )
    op.create_index(
        "ux_notifications_notice",
        "notifications",
        ["window_id", "kind", "audience", "channel"],
        unique=True,
    )
    op.create_index("ix_notifications_status_due", "notifications", ["status", "due_at", "id"])
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "notification_id",
            sa.Integer,
            sa.ForeignKey("notifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_notification_attempts_notice", "notification_attempts", ["notification_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_notification_attempts_notice", "notification_attempts")
    op.drop_table("notification_attempts")
    op.drop_index("ix_notifications_status_due", "notifications")
    op.drop_index("ux_notifications_notice", "notifications")
    op.drop_table("notifications")
