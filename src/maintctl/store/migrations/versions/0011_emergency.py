"""Emergencies may overlap other windows (an overlap only warns): PostgreSQL's no-double-booking
constraint leaves them out; a partial GiST index over every active row keeps the overlap query
served as before. Jobs name the window whose move planned them (services/effects.py).

Revision ID: 0011_emergency
Revises: 0010_watches
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_emergency"
down_revision = "0011_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("window_id", sa.String(32), nullable=True))
    op.create_index("ix_jobs_window", "jobs", ["window_id", "id"])
    with op.batch_alter_table("window_systems") as batch:
        batch.add_column(
            sa.Column("emergency", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE window_systems SET emergency = true WHERE window_id IN "
        "(SELECT id FROM windows WHERE type = 'emergency')"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE window_systems DROP CONSTRAINT window_systems_no_overlap")
        op.execute(
            "ALTER TABLE window_systems ADD CONSTRAINT window_systems_no_overlap "
            "EXCLUDE USING gist (system WITH =, tstzrange(start_at, end_at) WITH &&) "
            "WHERE (active AND NOT emergency)"
        )
        op.execute(
            "CREATE INDEX ix_window_systems_during ON window_systems "
            "USING gist (system, tstzrange(start_at, end_at)) WHERE (active)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_window_systems_during")
        op.execute("ALTER TABLE window_systems DROP CONSTRAINT window_systems_no_overlap")
        op.execute(
            "ALTER TABLE window_systems ADD CONSTRAINT window_systems_no_overlap "
            "EXCLUDE USING gist (system WITH =, tstzrange(start_at, end_at) WITH &&) "
            "WHERE (active)"
        )
    with op.batch_alter_table("window_systems") as batch:
        batch.drop_column("emergency")
    op.drop_index("ix_jobs_window", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("window_id")
