"""`maintctl mode` and `maintctl traffic`: exit codes; hooks run in-process in local mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import local, run
from tests.cli.test_execution import _scheduled

__all__ = ["local"]


def test_enable_status_and_disable_round_trip(local: Path) -> None:
    code, out, _ = run("mode", "enable", "--message", "Back at 04:00 UTC.", "--systems", "db,api")
    assert code == 0 and "Maintenance mode on for api, db" in out and "Back at 04:00 UTC." in out
    code, out, _ = run("mode", "status", "--json")
    found = json.loads(out)
    assert found["maintenanceMode"] is False and set(found["systems"]) == {"api", "db"}
    assert {(s["scope"], s["kind"], s["value"]) for s in found["states"]} == {
        ("api", "maintenance", "on"),
        ("db", "maintenance", "on"),
    }
    code, out, _ = run("mode", "status")
    assert code == 0 and "Global: maintenance mode off, traffic normal" in out
    code, out, _ = run("mode", "disable", "--systems", "db,api", "--reason", "done")
    assert code == 0 and "Maintenance mode off for api, db" in out
    assert json.loads(run("mode", "status", "--json")[1])["systems"] == {}
    code, out, _ = run("mode", "history", "--limit", "1")
    assert code == 0 and "done" in out and "More: maintctl mode history --limit 1 --before 2" in out


def test_a_mode_change_naming_no_such_window_exits_2_and_writes_nothing(local: Path) -> None:
    code, _, err = run("mode", "enable", "--message", "x", "--window", "MNT-2030-9999")
    assert code == 2 and err.strip() == (
        "error: id: there is no window MNT-2030-9999; list them with maintctl window list"
    )
    code, _, err = run("traffic", "--mode", "read-only", "--window", "MNT-2030-9999")
    assert code == 2 and err.count("error:") == 1
    assert json.loads(run("mode", "status", "--json")[1])["states"] == []


def test_bad_input_is_refused_with_exit_2(local: Path) -> None:
    code, _, err = run("traffic", "--mode", "closed")
    assert code == 2 and "mode" in err
    code, _, err = run("mode", "enable", "--message", "x", "--systems", "a b")
    assert code == 2 and "'a b' is not a system name" in err
    code, _, err = run("mode", "enable", "--message", "x", "--window", "../x")
    assert code == 2 and err.startswith("error: id:")


def test_an_account_below_team_lead_is_refused(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("user", "add", "rita", "--role", "requester")
    monkeypatch.setenv("MAINTCTL_AS", "rita")
    code, _, err = run("traffic", "--mode", "maintenance")
    assert code == 2 and "team-lead or higher (you are requester)" in err
    assert run("mode", "status")[0] == 0  # any account reads


def test_in_local_mode_the_hooks_run_in_process_right_after_the_change(
    local: Path, tmp_path: Path
) -> None:
    local.write_text(
        "hooks:\n"
        "  - name: flag\n"
        "    command: [sh, -c, 'echo $MAINTCTL_TRAFFIC_MODE $MAINTCTL_SYSTEMS > traffic.flag']\n"
        "    on: traffic\n",
        "utf-8",
    )
    code, out, _ = run("traffic", "--mode", "read-only", "--systems", "db")
    assert code == 0 and "Traffic mode read-only for db" in out and "hook flag: ok (exit 0)" in out
    assert (tmp_path / "traffic.flag").read_text() == "read-only db\n"
    code, out, _ = run("traffic", "--mode", "normal", "--systems", "db", "--json")
    (ran,) = json.loads(out)["hook_runs"]
    assert (ran["hook"], ran["status"], ran["exit_code"]) == ("flag", "ok", 0)
    assert (tmp_path / "traffic.flag").read_text() == "normal db\n"


def test_a_window_asks_for_modes_switched_on_at_start_and_off_at_complete(
    local: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local.write_text("hooks: [{name: log, command: [sh, -c, 'echo $MAINTCTL_MAINTENANCE_MODE']}]\n")
    wid = _scheduled("0131", "06", monkeypatch)
    code, out, _ = run(
        "window", "modify", wid, "--maintenance-mode", "--traffic-mode", "read-only", "--json"
    )
    assert code == 0, out
    shown = json.loads(out)
    assert (shown["maintenance_mode"], shown["traffic_mode"]) == (True, "read-only")
    # What the window asks of the modes is signed: the change sends it back for a signature.
    assert shown["status"] == "pending_approval"
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    assert run("window", "approve", wid)[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    assert run("start", wid, "--early")[0] == 0
    found = json.loads(run("mode", "status", "--json")[1])
    assert found["systems"]["db"]["trafficMode"] == "read-only"
    assert found["systems"]["db"]["message"].startswith("Scheduled maintenance in progress.")
    assert run("complete", wid)[0] == 0
    assert json.loads(run("mode", "status", "--json")[1])["systems"] == {}
    code, out, _ = run("window", "show", wid)
    assert code == 0 and "Maintenance mode" in out and "read-only" in out
