"""`maintctl start|progress|complete|abort`: the round trip in local mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]


def _scheduled(number: str, day: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A zero-downtime window filed by the local user and signed by team lead tina."""
    wid = f"MNT-2030-{number}"
    create = [*CREATE]
    create[create.index("--id") + 1] = wid
    create[create.index("--type") + 1] = "zero-downtime"
    create[create.index("--start") + 1] = f"2030-01-{day}T02:00:00Z"
    create[create.index("--end") + 1] = f"2030-01-{day}T04:00:00Z"
    assert run(*create)[0] == 0
    assert run("window", "submit", wid)[0] == 0
    run("user", "add", "tina", "--role", "team-lead")  # a second call says she exists
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    assert run("window", "approve", wid)[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    return wid


def test_start_progress_complete_round_trip(local: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wid = _scheduled("0123", "06", monkeypatch)
    code, _, err = run("start", wid)
    assert code == 2 and "--early" in err
    code, _, err = run("start", wid, "--early", "--lead", "nobody")
    assert code == 2 and "lead: nobody is not an enabled account" in err
    code, out, _ = run("start", wid, "--early", "--lead", "tina")
    assert code == 0 and f"Started {wid}" in out and "led by tina" in out
    code, out, _ = run(
        "progress", wid, "--step", "3", "--of", "7", "--task", "Migrating", "--eta",
        "2030-01-06T03:30:00Z", "--public", "Halfway there",
    )  # fmt: skip
    assert code == 0, out
    assert "MAINTENANCE UPDATE [" in out and "Progress: [Step 3 of 7]" in out
    assert "Current Task: Migrating" in out and "Status: On Track" in out
    assert "ETA: 2030-01-06 03:30Z" in out
    code, _, err = run("progress", wid, "--step", "9", "--of", "7", "--task", "x")
    assert code == 2 and "step" in err
    code, out, _ = run("complete", wid)
    assert code == 0 and "is completed" in out and "actual duration" in out
    code, out, _ = run("window", "show", wid, "--json")
    shown = json.loads(out)
    assert shown["status"] == "completed" and shown["lead"] == "tina"
    assert shown["actual_start"] and shown["actual_end"]
    code, out, _ = run("window", "history", wid, "--json")
    actions = [row["action"] for row in json.loads(out)]
    assert actions[-4:] == ["start", "progress", "complete", "verify"]


def test_abort_needs_a_reason_and_a_window_in_progress(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _scheduled("0124", "13", monkeypatch)
    code, _, err = run("abort", wid, "--reason", "called off")
    assert code == 2 and "abort needs it to be one of in_progress" in err
    code, _, err = run("progress", wid, "--step", "1", "--of", "2", "--task", "x")
    assert code == 2 and "progress needs" in err
    assert run("start", wid, "--early")[0] == 0
    code, _, err = run("abort", wid, "--reason", "  ")
    assert code == 2 and "reason" in err
    code, out, _ = run("abort", wid, "--reason", "wrong window")
    assert code == 0 and f"Aborted {wid}: wrong window" in out


def test_a_malformed_id_is_refused_before_any_request(local: Path) -> None:
    code, _, err = run("start", "../users")
    assert code == 2 and err.startswith("error: id:")
