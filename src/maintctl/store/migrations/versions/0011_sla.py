"""Windows that ran, found by their actual times: the SLA report's and stats' index.

Revision ID: 0011_sla
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0011_sla"
down_revision = "0010_watches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_windows_actual", "windows", ["actual_start", "actual_end"])


def downgrade() -> None:
    op.drop_index("ix_windows_actual", table_name="windows")
