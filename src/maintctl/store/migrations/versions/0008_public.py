"""What the public is told of a window: its public title and message, and its last approved times.

Revision ID: 0008_public
Revises: 0007_lifecycle
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import UTCDateTime

revision = "0008_public"
down_revision = "0007_lifecycle"
branch_labels = None
depends_on = None

# Windows that were scheduled at some point: public since, at their stored times.
_WERE_SCHEDULED = ("scheduled", "in_progress", "verifying", "completed", "rolled_back", "closed")


def upgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.add_column(
            sa.Column("public_title", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("public_message", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("published_start", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("published_end", UTCDateTime, nullable=True))
    windows = sa.table(
        "windows",
        sa.column("status", sa.String),
        sa.column("start_at", UTCDateTime),
        sa.column("end_at", UTCDateTime),
        sa.column("published_start", UTCDateTime),
        sa.column("published_end", UTCDateTime),
    )
    op.execute(
        windows.update()
        .where(windows.c.status.in_(_WERE_SCHEDULED))
        .values(published_start=windows.c.start_at, published_end=windows.c.end_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("published_end")
        batch.drop_column("published_start")
        batch.drop_column("public_message")
        batch.drop_column("public_title")
