"""Outside calendar feeds: the cache of URL feeds, refreshed in the background.

Revision ID: 0005_feeds
Revises: 0004_trust
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import UTCDateTime

revision = "0005_feeds"
down_revision = "0004_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_cache",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("fetched_at", UTCDateTime, nullable=True),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("checked_at", UTCDateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("feed_cache")
