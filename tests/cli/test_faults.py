"""Environment faults in the CLI: one `error:` line naming the thing and the fix, exit 3,
never a traceback (only with --debug)."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from maintctl.cli import faults
from maintctl.cli.main import run
from maintctl.store import db as store_db
from tests.conftest import PG_URL

PG_HOST = "postgresql+psycopg://maintctl:{password}@127.0.0.1/maintctl_h4?connect_timeout=3"
LIST = ("window", "list")
CREATE = (
    "window",
    "create",
    "--start",
    "2030-01-06T02:00:00Z",
    "--end",
    "2030-01-06T04:00:00Z",
    "--type",
    "planned-outage",
    "--description",
    "Database upgrade",
    "--systems",
    "db",
)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAINTCTL_URL", "MAINTCTL_TOKEN", "MAINTCTL_DATABASE_URL_FILE", "MAINTCTL_AS"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "maintctl.yaml"
    config.write_text("{}\n", "utf-8")
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(faults, "debug", False)


def maintctl(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str]:
    """Run the console script as a user would; its exit code and stderr."""
    monkeypatch.setattr(sys, "argv", ["maintctl", *args])
    with pytest.raises(SystemExit) as exited:
        run()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


def one_fault_line(code: int, err: str) -> str:
    assert code == 3, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture
def sqlite_copy(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(sqlite_template, path)
    return path


def test_a_directory_as_the_sqlite_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{tmp_path}")
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert str(tmp_path) in line and "directory" in line


def test_a_garbage_database_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 40)
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{garbage}")
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert str(garbage) in line and "not a maintctl database" in line


def test_a_read_only_database_is_listed_and_a_write_is_a_fault(
    sqlite_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, whom file modes do not stop; SQLite's read-only mode is the same refusal.
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///file:{sqlite_copy}?mode=ro&uri=true")
    code, err = maintctl(capsys, monkeypatch, *LIST)
    assert code == 0, err
    line = one_fault_line(*maintctl(capsys, monkeypatch, *CREATE))
    assert "read-only" in line


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("no kind of url", "not a URL"),
        ("mysql://admin:sekrit-pw@db.example/maint", "'mysql'"),
        ("postgresql+nodriver://admin:sekrit-pw@db.example/maint", "driver"),
    ],
    ids=["malformed", "unsupported", "no-driver"],
)
def test_a_database_url_maintctl_cannot_use(
    url: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", url)
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert words in line and "sekrit-pw" not in line and "MAINTCTL_DATABASE_URL" in line


def test_an_unreachable_postgresql_is_named_without_its_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://maintctl:sekrit-pw@127.0.0.1:9/maint?connect_timeout=3"
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", url)
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert "cannot reach the PostgreSQL database 127.0.0.1:9/maint" in line
    assert "sekrit-pw" not in line


@pytest.mark.skipif(not PG_URL, reason="needs the PostgreSQL lane")
def test_a_wrong_postgresql_password_is_named_without_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", PG_HOST.format(password="sekrit-pw"))
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert "password" in line and "sekrit-pw" not in line


@pytest.mark.parametrize("setting", ["MAINTCTL_DATABASE_URL_FILE", "MAINTCTL_TOKEN_FILE"])
def test_a_missing_secret_file(
    setting: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAINTCTL_DATABASE_URL", raising=False)
    monkeypatch.setenv(setting, str(tmp_path / "missing"))
    if setting == "MAINTCTL_TOKEN_FILE":
        monkeypatch.setenv("MAINTCTL_URL", "http://127.0.0.1:9")
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert setting in line and str(tmp_path / "missing") in line


def test_an_unwritable_user_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.delenv("MAINTCTL_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert "data folder" in line and "MAINTCTL_DATABASE_URL" in line


def test_an_unreachable_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_URL", "http://127.0.0.1:9")
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert "127.0.0.1:9" in line and "MAINTCTL_URL" in line


class _Broken(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>\n<body>bad gateway</body>\n</html>\n")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def broken_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_server_answering_5xx(
    broken_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_URL", broken_server)
    line = one_fault_line(*maintctl(capsys, monkeypatch, *LIST))
    assert "502" in line


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's lock")
def test_a_locked_database_is_a_fault_not_a_traceback(
    sqlite_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "SQLITE_BUSY_MS", 50)
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{sqlite_copy}")
    holder = sqlite3.connect(sqlite_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        line = one_fault_line(*maintctl(capsys, monkeypatch, *CREATE))
    finally:
        holder.execute("ROLLBACK")
    assert "locked" in line


def test_a_binary_from_file_is_refused_in_one_line(
    sqlite_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{sqlite_copy}")
    binary = tmp_path / "request.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe" * 50)
    code, err = maintctl(capsys, monkeypatch, "window", "create", "--from-file", str(binary))
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"error: from-file: {binary} is not UTF-8 text; give a markdown or YAML file"
    ]


def test_debug_lets_the_traceback_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{tmp_path}")
    monkeypatch.setattr(sys, "argv", ["maintctl", "--debug", *LIST])
    with pytest.raises(Exception, match="unable to open database file"):
        run()


@pytest.mark.parametrize(
    "args",
    [
        ("window", "show", "\udcff\udcfe"),
        (*CREATE[:-4], "--description", "a\udced\udca0\udc80b", "--systems", "db"),
    ],
    ids=["id", "description"],
)
def test_a_typed_value_that_is_not_utf8_is_refused_in_one_line(
    args: tuple[str, ...],
    sqlite_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Python makes of argv bytes that are not UTF-8 (surrogateescape).
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{sqlite_copy}")
    code, err = maintctl(capsys, monkeypatch, *args)
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    # Whichever check meets it first names it: the ID grammar, the domain's text rule (local
    # mode), or the CLI's own UTF-8 check on the way to a server.
    named = ("not UTF-8", "not a window ID", "unpaired surrogate")
    assert len(lines) == 1 and any(n in lines[0] for n in named), err


def test_a_closed_pipe_ends_the_command_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert faults.report(BrokenPipeError()) == 0
    assert capsys.readouterr().err == ""


def test_a_broken_config_file_means_the_command_could_not_run(
    sqlite_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "maintctl.yaml"
    config.write_text(
        'policy:\n  freezes:\n    - {name: f, from: "12-32", until: "01-02"}\n', "utf-8"
    )
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{sqlite_copy}")
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    code, err = maintctl(capsys, monkeypatch, "window", "list")
    assert code == 3 and "Traceback" not in err, err
    assert err.startswith(f"error: {config}:3: ") and len(err.strip().splitlines()) == 1, err
