"""Trust: tokens record their issuer, signatures their token, and an account audit trail.

Revision ID: 0004_trust
Revises: 0003_bounds
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0004_trust"
down_revision = "0003_bounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("issued_by", sa.String(200), nullable=True))
    with op.batch_alter_table("signatures") as batch:
        batch.add_column(sa.Column("token_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("token_issuer", sa.String(200), nullable=True))
    op.create_table(
        "account_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("detail", Json, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_audit")
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("token_issuer")
        batch.drop_column("token_id")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("issued_by")
