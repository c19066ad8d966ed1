"""`maintctl approvals pending`: one page, and a hint on stderr when more wait."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]


def _two_waiting() -> None:
    """Two planned outages submitted, a week apart, and a team lead to sign them."""
    for number, day in (("0123", "06"), ("0124", "13")):
        create = [*CREATE]
        create[create.index("--id") + 1] = f"MNT-2030-{number}"
        create[create.index("--start") + 1] = f"2030-01-{day}T02:00:00Z"
        create[create.index("--end") + 1] = f"2030-01-{day}T04:00:00Z"
        assert run(*create)[0] == 0
        assert run("window", "submit", f"MNT-2030-{number}")[0] == 0
    assert run("user", "add", "tina", "--role", "team-lead")[0] == 0


def test_approvals_pending_says_on_stderr_when_more_wait_than_it_shows(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_waiting()
    monkeypatch.setenv("MAINTCTL_AS", "tina")  # as --as sets it, undone after the test
    code, out, err = run("approvals", "pending", "--limit", "1", "--json")
    assert code == 0 and [w["id"] for w in json.loads(out)] == ["MNT-2030-0123"]
    assert err.strip() == "Showing the first 1; see more with --limit N (up to 1000)."
    code, out, err = run("approvals", "pending")
    assert code == 0 and "MNT-2030-0124" in out and err == ""


def test_approvals_pending_refuses_a_page_of_none(local: Path) -> None:
    code, _, err = run("approvals", "pending", "--limit", "0")
    assert code == 2 and err.startswith("error: limit:")
