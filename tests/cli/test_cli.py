"""The command line, in local mode and against a real server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from maintctl.cli.main import app
from maintctl.config import Settings
from maintctl.local import build_app

runner = CliRunner()
# The first Sunday of 2030: far enough ahead that the real clock's notice never bites.
CREATE = [
    "window",
    "create",
    "--id",
    "MNT-2030-0123",
    "--start",
    "2030-01-06T02:00:00Z",
    "--end",
    "2030-01-06T04:00:00Z",
    "--type",
    "planned-outage",
    "--description",
    "Database upgrade",
    "--owner",
    "sre-team",
    "--systems",
    "api,db",
]


@pytest.fixture
def local(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "maintctl.yaml"
    config.write_text("{}\n", "utf-8")
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    return config


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_show_modify_cancel_round_trip(local: Path) -> None:
    code, out, _ = run(*CREATE)
    assert code == 0 and "Created MNT-2030-0123 (draft)" in out
    code, out, _ = run("window", "show", "MNT-2030-0123", "--json")
    shown = json.loads(out)
    assert shown["systems"] == ["api", "db"] and shown["owner"] == "sre-team"
    code, out, _ = run(
        "window",
        "modify",
        "--id",
        "MNT-2030-0123",
        "--start",
        "2030-01-06T03:00:00Z",
        "--end",
        "2030-01-06T05:00:00Z",
    )
    assert code == 0, out
    code, out, _ = run("window", "list", "--upcoming", "--json")
    assert [w["start"] for w in json.loads(out)] == ["2030-01-06T03:00:00Z"]
    code, out, _ = run(
        "window", "cancel", "--id", "MNT-2030-0123", "--reason", "No longer required"
    )
    assert code == 0 and "No longer required" in out
    code, out, _ = run("window", "list", "--status", "cancelled", "--json")
    assert json.loads(out)[0]["cancel_reason"] == "No longer required"


def test_modify_and_cancel_take_the_window_id_as_an_argument_and_the_public_wording(
    local: Path,
) -> None:
    assert run(*CREATE)[0] == 0
    code, out, _ = run(
        "window",
        "modify",
        "MNT-2030-0123",
        "--public-title",
        "Database maintenance",
        "--public-message",
        "The API is read-only.",
        "--json",
    )
    assert code == 0, out
    shown = json.loads(out)
    assert (shown["public_title"], shown["public_message"]) == (
        "Database maintenance",
        "The API is read-only.",
    )
    code, _, err = run(
        "window", "modify", "MNT-2030-0123", "--id", "MNT-2030-0124", "--risk", "low"
    )
    assert code == 2 and err.strip() == (
        "error: ID: both ID and --id are given and differ; give the window once"
    )
    assert run("window", "modify", "--risk", "low")[0] == 2
    code, out, _ = run("window", "cancel", "MNT-2030-0123", "--reason", "Re-filed")
    assert code == 0 and "Re-filed" in out


def test_a_refused_request_prints_one_line_per_problem_and_exits_2(local: Path) -> None:
    code, _, err = run(
        "window",
        "create",
        "--start",
        "2030-01-06T02:00:00",
        "--end",
        "2030-01-06T04:00:00Z",
        "--type",
        "planned-outag",
        "--description",
        "x",
        "--systems",
        "db",
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert lines == [
        "error: start: '2030-01-06T02:00:00' has no time zone; add Z or an offset, "
        "e.g. 2030-01-06T02:00:00Z",
    ]
    code, _, err = run(
        "window",
        "create",
        "--start",
        "2030-01-06T02:00:00Z",
        "--end",
        "2030-01-06T04:00:00Z",
        "--type",
        "planned-outag",
        "--description",
        "x",
        "--systems",
        "db",
    )
    assert code == 2 and "unknown maintenance type 'planned-outag'; use one of" in err
    assert json.loads(run("window", "list", "--json")[1]) == []


def test_check_exits_1_when_the_day_is_not_clear(local: Path) -> None:
    run(*CREATE)
    code, out, _ = run("check", "--date", "2030-01-06", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["clear"] is False and report["items"][0]["name"] == "MNT-2030-0123"
    code, _, _ = run("check", "--date", "2030-01-08")
    assert code == 0


def test_slots_lists_the_earliest_starts(local: Path) -> None:
    code, out, _ = run(
        "slots", "--type", "extended-outage", "--duration", "4h", "--after", "2030-01-01", "--json"
    )
    assert code == 0
    assert json.loads(out)[0] == {
        "start": "2030-01-06T02:00:00Z",
        "end": "2030-01-06T06:00:00Z",
        "window": "extended",
    }


def test_policy_show_and_check_name_lines(local: Path, tmp_path: Path) -> None:
    code, out, _ = run("policy", "show", "--json")
    assert json.loads(out)["policy"]["types"]["extended-outage"]["notice"] == "14d"
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  types:\n    planned-outage:\n      notice: 7x\n", "utf-8")
    code, _, err = run("policy", "check", str(bad))
    assert code == 2 and f"{bad}:4: policy.types.planned-outage.notice" in err


def test_calendar_month_and_export(local: Path, tmp_path: Path) -> None:
    run(*CREATE)
    code, out, _ = run("calendar", "--month", "2030-01")
    assert code == 0 and "MNT-2030-0123" in out
    target = tmp_path / "feed.ics"
    code, _, _ = run("calendar", "export", "-o", str(target))
    assert code == 0 and "UID:MNT-2030-0123@maintctl" in target.read_text("utf-8")


def test_a_filled_template_file_creates_a_window(local: Path, tmp_path: Path) -> None:
    request = tmp_path / "request.yaml"
    request.write_text(
        "type: brief-interruption\nstart: 2030-01-06T02:00:00Z\nduration: 5m\n"
        "systems: [redis]\ndescription: Redis failover\nrisk: low\n",
        "utf-8",
    )
    code, out, err = run("window", "create", "--from-file", str(request), "--json")
    assert code == 0, err
    assert json.loads(out)["end"] == "2030-01-06T02:05:00Z"
    code, out, _ = run("window", "show", json.loads(out)["id"], "--format", "markdown")
    assert "- **Systems Affected:** redis" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(local: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    code, out, err = run("user", "add", "ops", "--role", "admin", "--json")
    assert code == 0, err
    monkeypatch.setenv("MAINTCTL_TOKEN", json.loads(out)["token"])
    port = _free_port()
    app = build_app(Settings(), local=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(100):
        if instance.started:
            break
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    # Point the CLI at the server and its local mode at nothing, so only the server can answer.
    monkeypatch.setenv("MAINTCTL_URL", url)
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", "sqlite:////nonexistent/never.db")
    yield url
    instance.should_exit = True
    thread.join(timeout=10)


def test_with_maintctl_url_the_cli_talks_to_that_server(server: str) -> None:
    code, out, err = run(*CREATE, "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == "MNT-2030-0123"
    code, out, err = run(*CREATE)
    assert code == 2 and "MNT-2030-0123 is taken" in err
    assert json.loads(run("window", "history", "MNT-2030-0123", "--json")[1])[0]["actor"] == "ops"


def test_without_a_token_the_server_answers_401(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_TOKEN", "mct_not-a-token")
    code, _, err = run("window", "list")
    assert code == 2 and "token: the token is not valid" in err


def test_the_cli_does_not_import_the_server_to_start() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, maintctl.cli.main; "
        "heavy = ('fastapi', 'sqlalchemy', 'httpx', 'uvicorn'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


def test_window_list_shows_a_page_with_a_hint_and_all_streams_every_window(local: Path) -> None:
    for day in ("06", "13", "20"):
        code, out, err = run(
            "window", "create", "--type", "zero-downtime", "--start", f"2030-01-{day}T02:00:00Z",
            "--duration", "5m", "--description", "x", "--systems", "api",
        )  # fmt: skip
        assert code == 0, err
    code, out, err = run("window", "list", "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    assert "--limit N" in err and "--all" in err
    code, out, err = run("window", "list", "--limit", "1", "--all", "--json")
    assert code == 0 and [w["start"][:10] for w in json.loads(out)] == [
        "2030-01-06",
        "2030-01-13",
        "2030-01-20",
    ]
    assert "--all" not in err
    code, out, err = run("window", "list", "--limit", "1", "--all")
    assert code == 0 and out.count("MNT-") == 3
    code, out, err = run("window", "list", "--from", "2030-01-14", "--to", "2030-01-21", "--json")
    assert [w["start"][:10] for w in json.loads(out)] == ["2030-01-20"]
    code, _, err = run("window", "list", "--limit", "5000")
    assert code == 2 and err.startswith("error: limit:")
