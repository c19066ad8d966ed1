"""The sql kind through SQLAlchemy: SQLite files, and the suite's PostgreSQL when it runs on it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from maintctl.domain.checks import Status
from tests.checks.servers import make, run


def test_a_query_giving_the_expected_value_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    result = run(make("sql", url=url, query="select 1", expect=1))
    assert result.status is Status.PASS and result.message.startswith("Connected (")
    assert result.observed == 1


def test_another_value_fails_and_a_bad_query_is_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    wrong = run(make("sql", url=url, query="select 2", expect=1))
    bad = run(make("sql", url=url, query="select * from nowhere"))
    assert wrong.status is Status.FAIL and wrong.message == "Unexpected (2, expected 1)"
    assert bad.status is Status.ERROR and "nowhere" in bad.message


def test_a_locked_database_times_out(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("create table t (x)")
    holder.execute("begin exclusive")
    try:
        result = run(
            make("sql", url=f"sqlite:///{path}", query="select count(*) from t", timeout=0.3)
        )
    finally:
        holder.close()
    assert result.status is Status.TIMEOUT


def test_the_url_comes_from_a_file_and_its_password_never_shows(tmp_path: Path) -> None:
    (tmp_path / "db.url").write_text("postgresql+psycopg://app:s3cret-pw@127.0.0.1:1/app\n")
    result = run(make("sql", tmp_path, url_file="db.url", timeout=5))
    assert result.status is Status.FAIL and result.message.startswith("Unreachable (")
    assert "s3cret-pw" not in result.message


def test_an_unreadable_url_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    result = run(make("sql", tmp_path, url_file="missing.url"))
    assert (
        result.status is Status.ERROR
        and result.message == "the URL file missing.url cannot be read"
    )


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("runs on the PostgreSQL lane (MAINTCTL_TEST_DATABASE_URL)")
    return database_url


def test_postgresql_connected_wrong_value_and_timeout(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_DB_URL", pg_url)
    ok = run(make("sql", url_env="APP_DB_URL", query="select 41 + 1", expect=42))
    wrong = run(make("sql", url_env="APP_DB_URL", query="select 41", expect=42))
    slow = run(make("sql", url_env="APP_DB_URL", query="select pg_sleep(5)", timeout=0.5))
    assert ok.status is Status.PASS and ok.message.startswith("Connected (")
    assert wrong.status is Status.FAIL
    assert slow.status is Status.TIMEOUT
    password = pg_url.split("://", 1)[1].split("@")[0].split(":")[1]
    assert all(password not in r.message for r in (ok, wrong, slow))
