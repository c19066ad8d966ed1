"""`maintctl run|rollback|log`: real commands in real subprocesses, in local mode."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from maintctl.cli.client import connect
from maintctl.cli.main import app
from tests import children
from tests.cli.test_cli import local, run

__all__ = ["local"]

runner = CliRunner()
MAINTCTL = str(Path(sys.executable).with_name("maintctl"))


def _window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: bool = True, **fields: Any
) -> str:
    """A zero-downtime window with `fields` (steps...), signed by team lead tina and started."""
    request = {
        "type": "zero-downtime",
        "start": "2030-01-06T02:00:00Z",
        "end": "2030-01-06T04:00:00Z",
        "description": "Database upgrade",
        "systems": ["db"],
        **fields,
    }
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(request), "utf-8")
    code, out, err = run("window", "create", "--from-file", str(path), "--json")
    assert code == 0, err
    wid: str = json.loads(out)["id"]
    assert run("window", "submit", wid)[0] == 0
    run("user", "add", "tina", "--role", "team-lead")  # a second call says she exists
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    assert run("window", "approve", wid)[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    if start:
        assert run("start", wid, "--early")[0] == 0
    return wid


def _invoke(*args: str, answers: str = "") -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=answers)
    return result.exit_code, result.stdout, result.stderr


def _results(wid: str) -> dict[str, Any]:
    with connect() as api:
        found: dict[str, Any] = api.json("GET", f"/api/v1/windows/{wid}/steps")
    return found


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie waiting for its parent's reaping does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Path]:
    """A directory for the steps' marker files; every process group they left is killed."""
    yield tmp_path
    for pidfile in tmp_path.glob("*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
            os.killpg(int(pidfile.read_text().split()[0]), signal.SIGKILL)
    children.reap()


def test_it_runs_passing_steps_streams_output_and_posts_progress(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [
        {"text": "Say hello", "command": "echo hello; echo 'to stderr' >&2"},
        {"text": "Colour", "command": "printf 'a\\033[31mred\\n'", "timeout": "30s"},
    ]
    wid = _window(work, monkeypatch, steps=steps)
    code, out, _ = _invoke("run", wid, "--dry-run")
    assert code == 0 and "Step 1 of 2: Say hello" in out and "$ echo hello" in out
    assert _results(wid)["phases"]["run"]["steps"][0]["last"] is None  # nothing ran
    code, out, err = _invoke("run", wid)
    assert code == 0, err
    assert "Step 1 of 2: Say hello" in out and "hello" in out and "to stderr" in out
    assert "\x1b" not in out and "a\ufffd[31mred" in out  # control chars stripped on a terminal
    assert "All 2 run steps passed" in out
    summary = _results(wid)
    lasts = [s["last"] for s in summary["phases"]["run"]["steps"]]
    assert [r["state"] for r in lasts] == ["passed", "passed"]
    assert all(r["exit_code"] == 0 and r["duration_ms"] >= 0 for r in lasts)
    code, out, _ = run("log", wid, "--json")
    lines = json.loads(out)
    assert [(x["step"], x["line"]) for x in lines] == [
        (1, "hello"),
        (1, "to stderr"),
        (2, "a\x1b[31mred"),  # kept as printed; stripped only where shown
    ]
    code, out, _ = run("log", wid)
    assert "[run 1] hello" in out and "\x1b" not in out
    with connect() as api:
        updates = api.json("GET", f"/api/v1/windows/{wid}/updates")
    assert [(u["step"], u["of"], u["task"]) for u in updates] == [
        (1, 2, "Say hello"),
        (2, 2, "Colour"),
    ]
    code, out, _ = _invoke("run", wid)
    assert code == 0 and "All 2 run steps of" in out and "nothing to run" in out


def test_a_failing_step_with_yes_stops_and_exits_1_then_resumes_where_it_failed(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = f"test -f {work}/fixed || {{ echo broken; exit 3; }}"
    wid = _window(
        work,
        monkeypatch,
        steps=[{"text": "one", "command": "true"}, {"text": "two", "command": flaky}],
    )
    code, out, err = _invoke("run", wid, "--yes")
    assert code == 1 and "failed (exit 3)" in out and f"maintctl run {wid}" in err
    assert run("window", "show", wid, "--json")[1].count('"in_progress"') == 1  # not aborted
    (work / "fixed").touch()
    code, out, err = _invoke("run", wid, "--yes")
    assert code == 0, err
    assert "Resuming at step 2 of 2" in out and "Step 1 of 2" not in out
    code, out, _ = _invoke("run", wid, "--from-step", "1", "--yes")
    assert code == 0 and "Step 1 of 2" in out


def test_a_step_past_its_timeout_is_killed_with_its_whole_process_group(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shell starts a background sleep and waits: a timeout must end both.
    command = f"sleep 60 & echo $! > {work}/child.pid; echo waiting; wait"
    wid = _window(work, monkeypatch, steps=[{"text": "hang", "command": command, "timeout": "1s"}])
    started = time.monotonic()
    code, out, _ = _invoke("run", wid, "--yes")
    assert code == 1 and "timed out" in out and "waiting" in out
    assert time.monotonic() - started < 30  # not the sleep's 60s (a bound, not a speed claim)
    child = int((work / "child.pid").read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    last = _results(wid)["phases"]["run"]["steps"][0]["last"]
    assert last["state"] == "timed_out" and "killed after 1s" in last["note"]


def test_a_failure_asks_and_retry_then_skip_go_on(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(
        work,
        monkeypatch,
        steps=[{"text": "broken", "command": "exit 5"}, {"text": "after", "command": "true"}],
    )
    code, out, _ = _invoke("run", wid, answers="r\ns\n")
    assert code == 0, out
    assert out.count("failed (exit 5)") == 2 and "[r]etry" in out and "roll [b]ack" in out
    step = _results(wid)["phases"]["run"]["steps"][0]
    assert step["last"]["state"] == "skipped"


def test_a_failure_answered_with_rollback_runs_the_rollback_steps(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(
        work,
        monkeypatch,
        steps=[{"text": "broken", "command": "exit 5"}],
        rollback_steps=[{"text": "restore", "command": "echo restored"}],
    )
    code, out, _ = _invoke("run", wid, answers="b\n")
    assert code == 1 and "restored" in out and "is rolled_back" in out
    code, out, _ = run("window", "history", wid, "--json")
    assert json.loads(out)[-1]["action"] == "rollback"


def test_rollback_runs_its_steps_and_ends_the_window_rolled_back(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(
        work,
        monkeypatch,
        steps=[{"text": "x", "command": "true"}],
        rollback_steps=[{"text": "restore", "command": "echo restored"}],
    )
    code, out, err = _invoke("rollback", wid, "--yes", "--reason", "latency doubled")
    assert code == 0, err
    assert "Step 1 of 1: restore" in out and "is rolled_back" in out
    shown = json.loads(run("window", "show", wid, "--json")[1])
    assert shown["status"] == "rolled_back" and shown["actual_end"]
    code, _, err = _invoke("run", wid, "--yes")
    assert code == 2 and "rolled_back" in err


def test_rollback_with_no_rollback_steps_just_records_it(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(work, monkeypatch)
    code, out, err = _invoke("rollback", wid)
    assert code == 0, err
    assert "0 rollback steps run" in out
    assert json.loads(run("window", "show", wid, "--json")[1])["status"] == "rolled_back"


def test_run_refuses_a_window_whose_signed_fields_changed(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(work, monkeypatch, steps=[{"text": "x", "command": f"touch {work}/ran"}])
    # A change that bypassed approval (the row edited by hand): the hash no longer matches.
    from maintctl.config import Settings
    from maintctl.store.db import Database
    from maintctl.store.tables import WindowRow

    db = Database(Settings().database_url)
    with db.write() as session:
        row = session.get(WindowRow, wid)
        assert row is not None
        row.steps = {**row.steps, "steps": [{"text": "x", "command": "rm -rf /", "timeout_s": 9}]}
    db.dispose()
    code, _, err = _invoke("run", wid, "--yes")
    assert code == 2 and "changed since it was approved" in err
    assert not (work / "ran").exists()


def test_a_viewer_may_not_run_a_window(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(work, monkeypatch, steps=[{"text": "x", "command": f"touch {work}/ran"}])
    run("user", "add", "vic", "--role", "viewer")
    monkeypatch.setenv("MAINTCTL_AS", "vic")
    code, _, err = _invoke("run", wid, "--yes")
    assert code == 2 and "error:" in err
    assert not (work / "ran").exists()
    code, out, _ = _invoke("run", wid, "--dry-run")
    assert code == 0 and "Step 1 of 1" in out  # reading the plan is everyone's


def test_run_resumes_at_the_step_a_sigkill_interrupted(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = (
        f"if [ -f {work}/second ]; then echo resumed; "
        f"else touch {work}/second; echo $$ > {work}/step.pid; echo started; sleep 60; fi"
    )
    wid = _window(
        work,
        monkeypatch,
        steps=[{"text": "quick", "command": "true"}, {"text": "slow", "command": slow}],
    )
    process = children.popen(
        [MAINTCTL, "run", wid, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    seen, deadline = "", time.monotonic() + 60
    while "started" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            seen += process.stdout.readline()
    assert "started" in seen, seen
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    code, out, err = _invoke("run", wid, "--yes")
    assert code == 0, err
    assert "Resuming at step 2 of 2" in out and "resumed" in out
    from maintctl.config import Settings
    from maintctl.store.db import Database
    from maintctl.store.tables import StepResultRow

    db = Database(Settings().database_url)
    with db.read() as session:
        rows = session.query(StepResultRow).filter_by(window_id=wid, number=2).all()
        states = [(r.state, r.note) for r in sorted(rows, key=lambda r: r.id)]
    db.dispose()
    assert states[0][0] == "failed" and "interrupted" in states[0][1]
    assert states[-1] == ("passed", "")


def test_modifying_the_steps_from_a_yaml_file_sends_the_window_back_to_approval(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(work, monkeypatch, start=False, steps=[{"text": "a", "command": "true"}])
    change = work / "change.yaml"
    change.write_text(yaml.safe_dump({"steps": [{"text": "a", "command": "false"}]}), "utf-8")
    code, out, err = run("window", "modify", wid, "--from-file", str(change), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["status"] == "pending_approval" and shown["steps"][0]["command"] == "false"
    code, out, _ = run("window", "show", wid)
    assert "Steps:" in out and "$ false" in out


def test_a_failure_answered_with_abort_aborts_the_window_with_the_reason(
    local: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _window(work, monkeypatch, steps=[{"text": "broken", "command": "exit 5"}])
    code, out, _ = _invoke("run", wid, answers="a\ndisk full\n")
    assert code == 1 and f"Aborted {wid}" in out
    shown = json.loads(run("window", "show", wid, "--json")[1])
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "disk full")
