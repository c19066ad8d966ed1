"""The command kind: exit code and output match, no shell unless asked, killed at its timeout."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from maintctl.domain.checks import Status
from tests.checks.servers import make, run

PY = sys.executable


def test_the_line_holding_the_expected_output_is_the_message(tmp_path: Path) -> None:
    script = "print('starting'); print('Auth: Login successful')"
    result = run(
        make("command", tmp_path, command=[PY, "-c", script], expect_output="Login successful")
    )
    assert result.status is Status.PASS and result.message == "Auth: Login successful"
    assert result.observed == 0


def test_a_wrong_exit_code_or_output_fails(tmp_path: Path) -> None:
    failed = run(
        make("command", tmp_path, command=[PY, "-c", "print('no db'); raise SystemExit(3)"])
    )
    silent = run(
        make("command", tmp_path, command=[PY, "-c", "print('hi')"], expect_output="Login")
    )
    assert failed.status is Status.FAIL and failed.message == "Failed (exit 3; no db)"
    assert silent.status is Status.FAIL and "no 'Login' in it" in silent.message


def test_without_shell_the_text_is_not_read_by_a_shell(tmp_path: Path) -> None:
    # Split into words, run directly: `;` and `$HOME` reach echo as plain arguments.
    plain = run(
        make("command", tmp_path, command="echo a; echo $HOME", expect_output="a; echo $HOME")
    )
    shell = run(make("command", tmp_path, command="echo a; echo b", shell=True, expect_output="b"))
    assert plain.status is Status.PASS and shell.status is Status.PASS


def test_a_program_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    result = run(make("command", tmp_path, command="./no-such-script.sh"))
    assert result.status is Status.ERROR and result.message.startswith("cannot start the command")


def test_a_command_that_hangs_times_out_and_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    result = run(make("command", tmp_path, command=[PY, "-c", script], timeout=1.0))
    assert result.status is Status.TIMEOUT
    pid = int(pid_file.read_text())
    for _ in range(100):  # at most 100 looks, 10 ms apart: the kill is already done, reaped by wait
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the timed-out command still runs")
