"""The review's written parts and its action items.

Revision ID: 0011_review
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0011_review"
down_revision = "0011_sla"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("went_well", sa.Text, nullable=False),
        sa.Column("could_improve", sa.Text, nullable=False),
        sa.Column("lessons", sa.Text, nullable=False),
        sa.Column("incidents", Json, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("done_at", UTCDateTime, nullable=True),
        sa.Column("done_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_action_items_window", "action_items", ["window_id", "id"])
    op.create_index("ix_action_items_owner", "action_items", ["owner", "id"])
    op.create_index("ix_action_items_done", "action_items", ["done_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_action_items_done", "action_items")
    op.drop_index("ix_action_items_owner", "action_items")
    op.drop_index("ix_action_items_window", "action_items")
    op.drop_table("action_items")
    op.drop_table("reviews")
