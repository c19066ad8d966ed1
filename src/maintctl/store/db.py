"""Engines and units of work for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from maintctl.faults import EnvironmentFault

SQLITE_BUSY_MS = 10_000
URL_SHAPES = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
SET_URL = "MAINTCTL_DATABASE_URL (or MAINTCTL_DATABASE_URL_FILE)"


def parse_url(url: str) -> URL:
    """The URL parsed, or a fault that does not repeat it (it may hold a password)."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        raise EnvironmentFault(
            "the database URL is not a URL maintctl can read", f"set {SET_URL} to {URL_SHAPES}"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise EnvironmentFault(
            f"the database URL names {parsed.get_backend_name()!r}, which maintctl cannot use",
            f"set {SET_URL} to {URL_SHAPES}",
        )
    return parsed


def make_engine(url: str) -> Engine:
    """An engine with the right settings for its database."""
    parsed = parse_url(url)
    try:
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True, future=True)
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise EnvironmentFault(
                    f"cannot make the database's folder {folder}: {err.strerror}",
                    f"make it writable, or set {SET_URL}",
                ) from None
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
    except (exc.NoSuchModuleError, ImportError) as err:
        raise EnvironmentFault(
            f"the database driver for {shown(parsed)} is not installed ({err})",
            f"install it, or set {SET_URL} to {URL_SHAPES}",
        ) from None
    _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take the write lock up front;
    # writes must BEGIN IMMEDIATE so a check-then-insert cannot race another writer.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as err:
            # Switching to WAL writes the file; a read-only database must still be readable.
            if "readonly" not in str(err):
                raise
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def shown(url: URL) -> str:
    """The database as it may be shown: a SQLite path, or a URL without its password."""
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database or ':memory:'}"
    where = f"{url.host or 'localhost'}{f':{url.port}' if url.port else ''}/{url.database or ''}"
    return f"the PostgreSQL database {where} (user {url.username or '?'})"


# What a driver's message means, in the order to test them: (words in the message, what it
# means, the fix, whether trying again shortly can help).
_MEANINGS: list[tuple[tuple[str, ...], str, str, bool]] = [
    (
        ("database is locked", "database table is locked"),
        "is locked by another writer",
        "try again in a moment",
        True,
    ),
    (
        (
            "could not serialize",
            "deadlock detected",
            "lock timeout",
            "statement timeout",
            "too many connections",
            "starting up",
            "shutting down",
        ),
        "is busy (a conflicting write, a timeout, or too many connections)",
        "try again in a moment",
        True,
    ),
    (
        ("readonly database", "read-only"),
        "is read-only",
        "make the file and its folder writable to change anything; reading works as it is",
        False,
    ),
    (
        ("file is not a database", "malformed"),
        "is not a maintctl database (the file is damaged or of another kind)",
        f"move the file away to start afresh, or point {SET_URL} at the right file",
        False,
    ),
    (
        ("password authentication failed", "authentication failed"),
        "refused the user's password",
        f"check the user and password in {SET_URL}",
        False,
    ),
    (
        ("does not exist",),
        "does not exist on that server (or the user does not)",
        f"create it, or check the name in {SET_URL}",
        False,
    ),
]


def fault_of(err: BaseException, url: str) -> EnvironmentFault | None:
    """The environment fault a database error means, or None when it is not one (a bug)."""
    if isinstance(err, EnvironmentFault):
        return err
    if isinstance(err, exc.TimeoutError):  # every pooled connection is in use
        return EnvironmentFault(
            "the database's connections are all in use", "try again in a moment", busy=True
        )
    if not isinstance(err, exc.OperationalError | exc.DatabaseError | exc.InterfaceError):
        return None
    if isinstance(err, exc.IntegrityError | exc.DataError | exc.ProgrammingError):
        return None  # the request or the code, not the environment
    try:
        parsed = parse_url(url)
    except EnvironmentFault as fault:
        return fault
    what = shown(parsed)
    text = str(getattr(err, "orig", err)).lower()
    for words, meaning, fix, busy in _MEANINGS:
        if any(w in text for w in words):
            return EnvironmentFault(f"{what} {meaning}", fix, busy=busy)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if path.is_dir():
            return EnvironmentFault(
                f"{what} is a directory, not a file", f"set {SET_URL} to a file's path"
            )
        return EnvironmentFault(
            f"cannot open {what}", f"check that its folder exists and is writable, or set {SET_URL}"
        )
    return EnvironmentFault(
        f"cannot reach {what}",
        f"check that the server runs and accepts connections, and {SET_URL}",
        busy=True,
    )


class Database:
    """One database: an engine and the two kinds of unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def fault(self, err: BaseException) -> EnvironmentFault | None:
        """The environment fault a database error means here, or None."""
        return fault_of(err, self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that holds the write lock from its start and commits at the end."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options={"immediate": True})
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def upsert_insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT; imported on first use, since the PostgreSQL
    dialect costs a local CLI command some 40 ms at start-up."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
