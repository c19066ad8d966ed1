"""An account's optional Apprise URL, where messages for that person alone also go.

Revision ID: 0008_people
Revises: 0008_statuspage
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_people"
down_revision = "0008_statuspage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        # A secret (it carries the service's tokens): read at send time, never shown.
        batch.add_column(sa.Column("apprise_url", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("apprise_url")
