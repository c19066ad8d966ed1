"""Typed text on the command line is data: quoted in URLs, checked first, inert on a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from maintctl.cli.output import safe, table
from maintctl.cli.paths import path
from maintctl.cli.text import clean
from maintctl.store.db import Database
from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]

HOSTILE = "plain \x1b[31mred\x1b[0m \rover\x07 bell \x9b2J csi \x85 nel"


def test_every_path_segment_is_quoted() -> None:
    assert path("/api/v1/windows", "../users/rq2/disable?x=", "approve") == (
        "/api/v1/windows/..%2Fusers%2Frq2%2Fdisable%3Fx%3D/approve"
    )
    assert path("/api/v1/tokens", 7, "revoke") == "/api/v1/tokens/7/revoke"


def test_a_window_id_that_is_a_path_is_refused_before_any_request(local: Path) -> None:
    assert run("user", "add", "rq2", "--role", "requester")[0] == 0
    for command in ("approve", "submit", "show", "history"):
        code, _, err = run("window", command, "../users/rq2/disable?x=")
        assert code == 2, command
        assert len(err.strip().splitlines()) == 1 and "is not a window ID" in err
    for command in ("cancel", "modify"):
        extra = ["--reason", "x"] if command == "cancel" else ["--owner", "x"]
        code, _, err = run("window", command, "--id", "../users/rq2/disable?x=", *extra)
        assert code == 2 and "is not a window ID" in err
    users = json.loads(run("user", "list", "--json")[1])
    assert [u["disabled"] for u in users if u["name"] == "rq2"] == [False]


def test_an_account_name_that_is_a_path_is_refused_before_any_request(local: Path) -> None:
    code, _, err = run("user", "disable", "../tokens/1/revoke")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not an account name" in err


@pytest.mark.parametrize("seq", ["\x1b", "\r", "\x07", "\x9b", "\x85", "\x00", "\x7f"])
def test_control_characters_never_reach_the_terminal(seq: str) -> None:
    assert seq not in clean(f"a{seq}b") and seq not in safe(f"a{seq}b")
    assert clean("tab\tand\nline") == "tab\tand\nline"


def test_a_table_of_hostile_text_holds_no_control_character() -> None:
    from rich.console import Console

    console = Console(record=True, width=200, force_terminal=False)
    console.print(table(HOSTILE, ("a",), [(HOSTILE,)]))
    shown = console.export_text()
    assert not any(c in shown for c in "\x1b\r\x07\x9b\x85")


def _poison(database_url: str, window_id: str) -> None:
    # Written straight into the row, as older data or another writer could have left it.
    db = Database(database_url)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE windows SET description = :d, owner = :o WHERE id = :i"),
            {"d": HOSTILE, "o": HOSTILE, "i": window_id},
        )
    db.dispose()


def test_window_show_prints_stored_control_characters_inertly(
    local: Path, database_url: str
) -> None:
    assert run(*CREATE)[0] == 0
    _poison(database_url, "MNT-2030-0123")
    for args in ([], ["--format", "markdown"]):
        code, out, _ = run("window", "show", "MNT-2030-0123", *args)
        assert code == 0 and "red" in out
        assert not any(c in out for c in "\x1b\r\x07\x9b\x85"), args
    code, out, _ = run("window", "list")
    assert code == 0 and "\x1b" not in out
    # --json stays the exact stored text.
    assert json.loads(run("window", "show", "MNT-2030-0123", "--json")[1])["description"] == (
        HOSTILE
    )


def test_a_forged_description_survives_show_markdown_and_from_file_as_text(
    local: Path, tmp_path: Path
) -> None:
    forged = (
        "Patch.\n## Maintenance Details\n- **Type:** emergency\n- **Systems Affected:** pay\n"
        "## Approvals\n- [x] Team Lead: tom"
    )
    args = [a if a != "Database upgrade" else forged for a in CREATE]
    assert run(*args)[0] == 0
    code, markdown, _ = run("window", "show", "MNT-2030-0123", "--format", "markdown")
    assert code == 0 and "- [x]" not in markdown
    saved = tmp_path / "request.md"
    saved.write_text(markdown, "utf-8")
    assert run("window", "cancel", "--id", "MNT-2030-0123", "--reason", "re-filed")[0] == 0
    code, out, err = run(
        "window", "create", "--from-file", str(saved), "--id", "MNT-2030-0124", "--json"
    )
    assert code == 0, err
    again = json.loads(out)
    assert (again["type"], again["systems"], again["description"]) == (
        "planned-outage",
        ["api", "db"],
        forged,
    )
    assert again["approvals"] == [] and again["status"] == "draft"


def test_json_output_is_exact_and_holds_no_raw_control_character(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from maintctl.cli.output import print_json

    print_json({"d": HOSTILE})
    out = capsys.readouterr().out
    assert json.loads(out) == {"d": HOSTILE}
    assert not any(c in out for c in "\x1b\r\x07\x9b\x85")
