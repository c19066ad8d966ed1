"""`maintctl precheck ID` and `maintctl ack ID ITEM [--undo]` in local mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]


def test_precheck_prints_the_runbooks_lines_then_what_is_missing_and_exits_1(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("user", "add", "dev", "--role", "requester")
    code, out, err = run(*CREATE, "--team", "dev,ghost")
    assert code == 2 and "team: ghost is no account" in err
    code, out, _ = run(*CREATE, "--team", "dev", "--json")
    assert code == 0 and json.loads(out)["team"] == ["dev"]
    wid = json.loads(out)["id"]
    code, out, _ = run("precheck", wid)
    assert code == 1
    assert out.splitlines()[0] == "[FAIL] Approvals verified (a draft, never submitted)"
    assert "[FAIL] Team available (0/1)" in out
    assert "[FAIL] Baseline captured (not judged: no checks are configured" in out
    assert (
        "Not ready: " in out and f"precheck.approvals-verified: maintctl window submit {wid}" in out
    )
    monkeypatch.setenv("MAINTCTL_AS", "dev")
    code, out, _ = run("ack", wid, "precheck.team-available")
    assert code == 0 and out == f"dev acknowledged precheck.team-available on {wid}\n"
    monkeypatch.delenv("MAINTCTL_AS")
    code, out, _ = run("precheck", wid, "--json")
    report = json.loads(out)
    assert code == 1 and report["ready"] is False and report["window"] == wid
    assert report["contacts"] == []  # the config names none
    team = next(i for i in report["items"] if i["item"] == "precheck.team-available")
    assert team == {
        "item": "precheck.team-available",
        "title": "Team available",
        "kind": "attested",
        "ok": True,
        "detail": "1/1",
        "fix": "",
        "line": "[OK] Team available (1/1)",
    }


def test_ack_refuses_a_judged_item_and_undo_withdraws(local: Path) -> None:
    code, out, _ = run(*CREATE, "--json")
    wid = json.loads(out)["id"]
    code, _, err = run("ack", wid, "precheck.notifications-sent")
    assert code == 2 and "judged from the records, never acknowledged" in err
    assert run("ack", wid, "precheck.runbook-reviewed")[0] == 0
    code, out, _ = run("ack", wid, "precheck.runbook-reviewed", "--undo", "--json")
    assert code == 0 and json.loads(out)["acknowledged"] is False
    code, out, _ = run("window", "history", wid, "--json")
    assert [r["action"] for r in json.loads(out)][-2:] == ["ack", "ack-undo"]
