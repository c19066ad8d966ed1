"""Windows that ran, by their actual times, and their timed notices: history's indexes.

Revision ID: 0011_sla
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0011_sla"
down_revision = "0011_mode"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_windows_actual",
        "windows",
        ["actual_start", "actual_end", "end_at", "duration_s", "type", "status", "id"],
    )
    op.create_index(
        "ix_notifications_window_due",
        "notifications",
        ["window_id", "due_at", "sent_at", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_window_due", table_name="notifications")
    op.drop_index("ix_windows_actual", table_name="windows")
