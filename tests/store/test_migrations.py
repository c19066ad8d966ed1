"""The migrations and the models describe the same schema (what `alembic check` asks)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from maintctl.store import migrate
from maintctl.store.db import Database
from maintctl.store.tables import Base


def test_the_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_schema_is_at_the_newest_revision(db: Database) -> None:
    assert migrate.current(db) == migrate.head(db)
    assert migrate.upgrade(db) is False
