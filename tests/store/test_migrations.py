"""The migrations and the models describe the same schema (what `alembic check` asks)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from maintctl.store import migrate
from maintctl.store.db import Database
from maintctl.store.tables import Base

# PostgreSQL-only objects the migration adds by hand (GiST range index, exclusion constraint,
# audit triggers); the models stay portable, so they are not declared there.
POSTGRES_ONLY = {"ix_windows_during", "ix_window_systems_during"}
# And the SQLite-only one: PostgreSQL's GiST index answers what it serves on SQLite.
SQLITE_ONLY = {"ix_windows_long_end"}


def test_the_migrations_match_the_models(db: Database) -> None:
    skipped = POSTGRES_ONLY | (SQLITE_ONLY if db.dialect == "postgresql" else set())

    def _declared(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        return not (kind == "index" and name in skipped)

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _declared})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_schema_is_at_the_newest_revision(db: Database) -> None:
    assert migrate.current(db) == migrate.head(db)
    assert migrate.upgrade(db) is False


def test_the_head_read_from_the_files_is_alembics(db: Database) -> None:
    # Every local command compares the database with this, without importing Alembic.
    assert migrate.known_head() == migrate.head(db)
