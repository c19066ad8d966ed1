"""Applying Alembic migrations from inside maintctl (first use, and `maintctl db upgrade`).

Every local command asks whether the schema is current, so that question is plain SQL and a read
of the migration files' names; Alembic (~50 ms to import) loads only when there is work to do.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from maintctl.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\b[^=]*=(.*)$", re.MULTILINE)


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("maintctl.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def head(db: Database) -> str | None:
    """The newest revision, as Alembic computes it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def known_head() -> str | None:
    """The newest revision read from the migration files' text; None unless exactly one."""
    revisions: set[str] = set()
    downs: set[str] = set()
    folder = resources.files("maintctl.store") / "migrations" / "versions"
    for entry in folder.iterdir():
        if not entry.name.endswith(".py"):
            continue
        source = entry.read_text("utf-8")
        found = _REVISION.search(source)
        if found:
            revisions.add(found.group(1))
        for line in _DOWN.findall(source):
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", line))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def current(db: Database) -> str | None:
    """The revision the database is at; None for a database without maintctl's schema."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError):
        return None  # no alembic_version table: a new database
    return rows[0] if len(rows) == 1 else None


def upgrade(db: Database) -> bool:
    """Bring the schema to the newest revision; True when anything was applied."""
    at = current(db)
    if at is not None and at == known_head():
        return False
    if at == head(db):
        return False
    from alembic import command

    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
