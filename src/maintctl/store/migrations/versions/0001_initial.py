"""Windows, their systems, and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maintctl.store.types import Json, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "windows",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("seq_year", sa.Integer, nullable=True),
        sa.Column("seq_no", sa.Integer, nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("start_at", UTCDateTime, nullable=False),
        sa.Column("end_at", UTCDateTime, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("impact", sa.Text, nullable=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("details", Json, nullable=False),
        sa.Column("conflicts", Json, nullable=False),
        sa.Column("cancel_reason", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_windows_start_at", "windows", ["start_at"])
    op.create_index("ix_windows_status_start", "windows", ["status", "start_at"])
    op.create_index("ix_windows_seq", "windows", ["seq_year", "seq_no"])
    op.create_index("ix_windows_duration", "windows", ["duration_s"])
    op.create_table(
        "window_systems",
        sa.Column(
            "window_id",
            sa.String(32),
            sa.ForeignKey("windows.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("system", sa.String(64), primary_key=True),
        sa.Column("start_at", UTCDateTime, nullable=False),
        sa.Column("end_at", UTCDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_window_systems_system_start", "window_systems", ["system", "start_at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("window_id", sa.String(32), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        sa.Column("detail", Json, nullable=False),
    )
    op.create_index("ix_audit_window_id", "audit", ["window_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The database itself refuses double booking: no two active windows may hold
        # one system at overlapping times, whatever the application does.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE window_systems ADD CONSTRAINT window_systems_no_overlap "
            "EXCLUDE USING gist (system WITH =, tstzrange(start_at, end_at) WITH &&) "
            "WHERE (active)"
        )
        op.execute(
            "CREATE INDEX ix_windows_during ON windows USING gist (tstzrange(start_at, end_at))"
        )
        # The audit trail is append-only in the database too.
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_table("window_systems")
    op.drop_table("windows")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
