"""`validate --watch` as cli/validate.py calls it: a line per round when not a terminal, a live
table on one, JSON with the rounds and the verdict, exit 1 naming when a round failed, and
bounds refused with one line naming the field (exit 2). A fake sleep moves a hand-held clock."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from maintctl.checks.base import Spec
from maintctl.cli import recovery
from maintctl.config import parse_config
from tests.checks.servers import Answer, Http
from tests.conftest import Clock

START = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
OK = Answer(200, b'{"maintenanceMode": false}', "application/json")


def specs(tmp_path: Path, url: str, name: str = "api-server") -> list[Spec]:
    body = (
        f"  - {{name: '{name}', group: services, kind: http, url: '{url}/health',"
        " expect: {json: {maintenanceMode: false}}, tags: [smoke]}\n"
        "  - {name: queue, group: infrastructure, kind: tcp, host: 127.0.0.1, port: 1}\n"
    )
    return list(parse_config("checks:\n" + body, "m.yaml", tmp_path).checks)


class Flaky:
    """A loopback server whose answer changes on each round: the fake sleep moves the clock and
    hands the server the next answer."""

    def __init__(self, server: Http, answers: list[Answer]) -> None:
        self.server, self.answers = server, answers
        self.clock = Clock(START)
        self.rounds = 1

    async def sleep(self, seconds: float) -> None:
        self.clock.now += timedelta(seconds=seconds)
        self.server.routes["/health"] = self.answers[self.rounds]
        self.rounds += 1


@pytest.fixture
def failing_in_round_2() -> Iterator[Flaky]:
    answers = [OK, Answer(503, b"down"), OK, OK]
    with Http({"/health": answers[0]}) as server:
        yield Flaky(server, answers)


def test_off_a_terminal_each_round_is_a_line_and_the_verdict_names_round_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_in_round_2: Flaky
) -> None:
    """4 rounds of --quick (api-server only): it fails in round 2."""
    fake = failing_in_round_2
    code = recovery.watch(
        specs(tmp_path, fake.server.url),
        True,
        None,
        "90s",
        "30s",
        "table",
        clock=fake.clock,
        sleep=fake.sleep,
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out.pop(0) == "watching for 1m30s, every 30s: at most 4 rounds"
    assert out[0] == "round 1/4 at 2026-11-28T06:00:00Z: 1 of 1 passed"
    assert out[1] == "round 2/4 at 2026-11-28T06:00:30Z: 1 of 1 failed"
    assert out[2].startswith("  ✗ api-server: ")
    assert out[3:5] == [
        "round 3/4 at 2026-11-28T06:01:00Z: 1 of 1 passed",
        "round 4/4 at 2026-11-28T06:01:30Z: 1 of 1 passed",
    ]
    assert out[5] == (
        "Recovery failed: 1 of 4 rounds failed; first in round 2 at 2026-11-28T06:00:30Z: "
        "api-server (fail)"
    )


def test_json_gives_the_rounds_each_checks_last_result_and_trend_and_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_in_round_2: Flaky
) -> None:
    """4 rounds of the full suite: api-server fails in round 2, queue (port 1) in every round."""
    fake = failing_in_round_2
    code = recovery.watch(
        specs(tmp_path, fake.server.url),
        False,
        ["services", "infrastructure"],
        "90s",
        None,
        "json",
        clock=fake.clock,
        sleep=fake.sleep,
    )
    shape = json.loads(capsys.readouterr().out)
    assert code == 1
    assert shape["watch"] == {"start": "2026-11-28T06:00:00Z", "duration": "1m30s", "every": "30s"}
    assert [(r["round"], r["started"], r["failed"]) for r in shape["rounds"]] == [
        (1, "2026-11-28T06:00:00Z", 1),
        (2, "2026-11-28T06:00:30Z", 2),
        (3, "2026-11-28T06:01:00Z", 1),
        (4, "2026-11-28T06:01:30Z", 1),
    ]
    assert [f["name"] for f in shape["rounds"][1]["failures"]] == ["api-server", "queue"]
    checks = {c["name"]: c for c in shape["checks"]}
    assert checks["api-server"]["last"]["status"] == "pass"
    assert checks["api-server"]["failures"] == 1
    assert checks["queue"]["failures"] == 4
    assert {c["trend"] for c in shape["checks"]} <= {"rising", "falling", "steady"}
    verdict = shape["verdict"]
    assert verdict["passed"] is False and verdict["stopped"] is False
    assert verdict["failed_rounds"] == [1, 2, 3, 4]
    assert verdict["first_failure"] == {
        "round": 1,
        "at": "2026-11-28T06:00:00Z",
        "checks": ["queue"],
    }


def test_a_watch_where_every_round_passes_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """3 rounds."""
    with Http({"/health": OK}) as server:
        fake = Flaky(server, [OK] * 3)
        code = recovery.watch(
            specs(tmp_path, server.url),
            True,
            (),
            "2m",
            "1m",
            "table",
            clock=fake.clock,
            sleep=fake.sleep,
        )
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Recovery holds: all 3 rounds passed"


def test_on_a_terminal_a_live_table_shows_each_checks_last_result_and_trend_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 rounds; the check's name is typed text holding markup, shown as written."""
    screen = io.StringIO()
    monkeypatch.setattr(
        recovery, "console", Console(file=screen, force_terminal=True, width=200, highlight=False)
    )
    answers = [OK, Answer(503, b"down"), OK, OK]
    with Http({"/health": answers[0]}) as server:
        fake = Flaky(server, answers)
        code = recovery.watch(
            specs(tmp_path, server.url, name="[red]api[/red]"),
            True,
            None,
            "90s",
            "30s",
            "table",
            clock=fake.clock,
            sleep=fake.sleep,
        )
    shown = screen.getvalue()
    assert code == 1
    for heading in ("check", "last result", "latency", "trend", "failed rounds"):
        assert heading in shown
    assert "[red]api[/red]" in shown
    assert "round 4/4 at 2026-11-28T06:01:30Z: 1 of 1 passed" in shown
    assert "first in round 2 at 2026-11-28T06:00:30Z: [red]api[/red] (fail)" in shown


@pytest.mark.parametrize(
    ("watch", "every", "output", "line"),
    [
        ("25h", None, "table", "error: --watch: watches for '25h'; watch for more than 0s and"),
        ("5m", "0s", "table", "error: --every: '0s' is not between 1s and the watch's 5m"),
        ("5m", "1 minute", "json", "error: --every: '1 minute' is not a duration"),
        ("5m", "30s", "junit", "error: --format: a watch prints table or json, not junit"),
    ],
)
def test_a_watch_out_of_bounds_is_refused_with_one_line_naming_the_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    watch: str,
    every: str | None,
    output: str,
    line: str,
) -> None:
    """0 rounds."""
    code = recovery.watch(specs(tmp_path, "http://127.0.0.1:1"), True, None, watch, every, output)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    [error] = captured.err.splitlines()
    assert error.startswith(line)


def test_an_unknown_group_is_refused_before_any_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """0 rounds."""
    code = recovery.watch(
        specs(tmp_path, "http://127.0.0.1:1"), False, ["misc"], "5m", None, "table"
    )
    assert code == 2
    assert capsys.readouterr().err.startswith("error: group: unknown group 'misc'")
