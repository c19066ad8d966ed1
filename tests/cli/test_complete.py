"""`maintctl complete` with a quick validation (checks tagged smoke), in local mode against a
real loopback HTTP check: failing, the window stays verifying and the command exits 1 with the
failures; `complete` again, passing, completes it. A repeat says so and exits 0; each move
shows what it set in motion; `abort` calls off a verifying window. Both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.checks.servers import Answer, Http
from tests.cli.test_cli import run
from tests.cli.test_execution import _scheduled


@pytest.fixture
def health() -> Iterator[dict[str, Answer]]:
    routes = {"/health": Answer(503, b"down")}
    with Http(routes) as server:
        routes["url"] = Answer(body=server.url.encode())  # where the config points
        yield routes


@pytest.fixture
def checked(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    health: dict[str, Answer],
) -> Path:
    """Local mode with one smoke check on the loopback server's /health."""
    url = health["url"].body.decode()
    config = tmp_path / "maintctl.yaml"
    config.write_text(
        "checks:\n"
        f"  - {{name: api-health, group: services, kind: http, url: '{url}/health',"
        " tags: [smoke]}\n",
        "utf-8",
    )
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    return config


def test_a_failing_quick_check_keeps_the_window_verifying_until_complete_runs_it_again(
    checked: Path, health: dict[str, Answer], monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _scheduled("0201", "06", monkeypatch)
    code, out, _ = run("start", wid, "--early")
    assert code == 0 and "Progress reminder: queued" in out
    code, again, _ = run("start", wid, "--early")
    assert code == 0 and f"was already started {wid}" in again
    code, out, _ = run("complete", wid)
    assert code == 1, out
    assert f"{wid} is verifying: quick validation V-1 failed" in out
    assert "api-health (fail)" in out and "Mode, traffic and silences stay on" in out
    shown = json.loads(run("window", "show", wid, "--json")[1])
    assert shown["status"] == "verifying" and shown["actual_end"]
    assert shown["validation"]["verify"]["status"] == "failed"
    health["/health"] = Answer(200, b"ok")
    code, out, _ = run("complete", wid)
    assert code == 0, out
    assert f"{wid} is completed" in out and "Quick validation V-2 passed" in out
    ended = json.loads(run("window", "show", wid, "--json")[1])["actual_end"]
    assert ended == shown["actual_end"]  # the work stopped at the first complete
    code, out, _ = run("complete", wid)
    assert code == 0 and f"{wid} was already completed" in out
    code, out, _ = run("window", "history", wid, "--json")
    actions = [r["action"] for r in json.loads(out)]
    assert actions[-3:] == ["start", "complete", "verify"]


def test_abort_calls_off_a_verifying_window_and_a_repeat_says_so(
    checked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _scheduled("0202", "13", monkeypatch)
    assert run("start", wid, "--early")[0] == 0
    assert run("complete", wid)[0] == 1
    code, out, _ = run("abort", wid, "--reason", "the fix did not hold")
    assert code == 0 and f"Aborted {wid}: the fix did not hold" in out
    code, out, _ = run("abort", wid, "--reason", "again")
    assert code == 0 and f"was already aborted {wid}: the fix did not hold" in out
    assert json.loads(run("window", "show", wid, "--json")[1])["status"] == "cancelled"


def test_window_show_lists_the_effects_of_its_moves(
    checked: Path, health: dict[str, Answer], monkeypatch: pytest.MonkeyPatch
) -> None:
    health["/health"] = Answer(200, b"ok")
    wid = _scheduled("0203", "20", monkeypatch)
    assert run("start", wid, "--early")[0] == 0
    code, out, _ = run("complete", wid, "--json")
    body = json.loads(out)
    assert code == 0 and body["status"] == "completed"
    assert body["verification"]["status"] == "passed" and body["verification"]["failures"] == []
    shown = json.loads(run("window", "show", wid, "--json")[1])
    # zero-downtime is not customer-impacting: off the page; the watch's jobs ran their course
    assert shown["effects"][0] == {
        "what": "Status page",
        "state": "not shown",
        "detail": "not customer-impacting",
    }
    assert "Progress reminder: queued" in run("window", "show", wid)[1]
