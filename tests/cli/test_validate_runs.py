"""`maintctl validate` on a window: local mode stores the run and its results; a baseline is
captured then compared at the tolerance's edge on both sides (a loopback Prometheus API);
a comparison without a baseline is refused in one line; with MAINTCTL_URL the CLI starts the
run on a real loopback server, whose worker runs it, and follows its results. Both databases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from maintctl.cli.main import app
from maintctl.config import Settings
from maintctl.local import build_app, build_deps
from maintctl.services import runs, watches
from maintctl.worker import Worker
from tests.checks.servers import Answer, Http, free_port
from tests.cli.test_cli import CREATE as CLI_CREATE
from tests.services.test_baseline import number
from tests.services.test_runs import TUNING

runner = CliRunner()
CREATE = [*CLI_CREATE[:-1], "api"]  # the CLI tests' window, on api alone
WID = "MNT-2030-0123"


@pytest.fixture
def prometheus() -> Iterator[tuple[Http, dict[str, Answer]]]:
    routes = {"/api/v1/query": number("100")}
    with Http(routes) as server:
        yield server, routes


@pytest.fixture
def local(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prometheus: tuple[Http, dict[str, Answer]],
) -> Path:
    config = tmp_path / "maintctl.yaml"
    config.write_text(
        "checks:\n"
        f"  - {{name: p99, group: performance, kind: prometheus, url: '{prometheus[0].url}',"
        " query: p99, unit: ms, tolerance: {relative: 0.2}, tags: [smoke]}\n",
        "utf-8",
    )
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    result = runner.invoke(app, CREATE)
    assert result.exit_code == 0, result.output
    return config


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_comparison_without_a_baseline_is_refused_in_one_line(local: Path) -> None:
    code, out, err = run("validate", "--window", WID, "--compare-baseline")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: window: the window {WID} has no baseline; capture one first: "
        f"maintctl validate --window {WID} --baseline capture"
    ]
    code, _, err = run("validate", "--baseline", "capture")
    assert code == 2 and "--window ID" in err


@pytest.mark.parametrize(("now", "code", "status"), [("120", 0, "OK"), ("120.5", 1, "DEGRADED")])
def test_capture_then_compare_at_the_tolerances_edge(
    local: Path, prometheus: tuple[Http, dict[str, Answer]], now: str, code: int, status: str
) -> None:
    got, out, err = run("validate", "--window", WID, "--baseline", "capture")
    assert got == 0, err
    assert "p99: 100ms" in out and f"baseline captured on {WID} (V-1): 1 values" in out
    prometheus[1]["/api/v1/query"] = number(now)
    got, out, err = run("validate", "--window", WID, "--compare-baseline", "--format", "json")
    assert got == code, err
    body = json.loads(out)
    assert body["run"] == "V-2" and body["window"] == WID
    assert body["comparison"] == [
        {
            "metric": "p99",
            "baseline": "100ms",
            "current": f"{now}ms",
            "status": status,
            "passed": code == 0,
            "tolerance": "+20%",
        }
    ]
    got, out, _ = run("validate", "--window", WID, "--compare-baseline", "--quick")
    assert got == code
    assert "Metric" in out and "Baseline" in out and status in out
    shown = json.loads(run("window", "show", WID, "--json")[1])["validation"]
    assert set(shown) == {"baseline", "compare"}
    assert (shown["baseline"]["id"], shown["baseline"]["status"]) == ("V-1", "passed")
    assert shown["compare"]["id"] == "V-3"
    assert shown["compare"]["status"] == ("passed" if code == 0 else "failed")
    text = run("window", "show", WID)[1]
    assert "Baseline" in text and "V-1 passed at" in text and "Last comparison" in text


@pytest.fixture
def served(local: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A loopback server and a worker beside it, both over the local database."""
    code, out, err = run("user", "add", "ops", "--role", "requester", "--json")
    assert code == 0, err
    monkeypatch.setenv("MAINTCTL_TOKEN", json.loads(out)["token"])
    port = free_port()
    settings = Settings()
    instance = uvicorn.Server(
        uvicorn.Config(build_app(settings, local=False), port=port, log_level="error")
    )
    worker = Worker(build_deps(settings, local=False), TUNING, name="w")
    threads = [threading.Thread(target=t, daemon=True) for t in (instance.run, worker.run)]
    for thread in threads:
        thread.start()
    for _ in range(200):  # up to 10 s for the server to listen
        if instance.started:
            break
        time.sleep(0.05)
    monkeypatch.setenv("MAINTCTL_URL", f"http://127.0.0.1:{port}")
    yield WID
    instance.should_exit = True
    worker.stop.set()
    for thread in threads:
        thread.join(timeout=20)


def test_through_a_server_the_cli_starts_the_run_and_follows_its_results(
    served: str, prometheus: tuple[Http, dict[str, Answer]]
) -> None:
    code, out, err = run("validate", "--window", served, "--baseline", "capture")
    assert code == 0, err
    assert "p99: 100ms" in out and f"baseline captured on {served} (V-1)" in out
    prometheus[1]["/api/v1/query"] = number("130")
    code, out, err = run("validate", "--window", served, "--compare-baseline", "--format", "json")
    assert code == 1, err
    body = json.loads(out)
    assert body["passed"] is False and body["run"] == "V-2"
    assert body["results"][0]["observed"] == 130.0
    assert body["comparison"][0]["status"] == "DEGRADED"


def test_through_a_server_the_cli_follows_a_watch_the_worker_runs_a_round_at_a_time(
    served: str, prometheus: tuple[Http, dict[str, Answer]]
) -> None:
    # 3 rounds a second apart (real time, about 2 s): the worker runs each as its job falls due.
    code, out, err = run(
        "validate", "--window", served, "--quick", "--watch", "2s", "--every", "1s"
    )
    assert code == 0, err
    assert "at most 3 rounds" in out
    assert [line.split(" at ")[0] for line in out.splitlines() if line.startswith("round")] == [
        "round 1/3",
        "round 2/3",
        "round 3/3",
    ]
    assert "Recovery holds: all 3 rounds passed" in out
    listed = json.loads(run("window", "show", served, "--json")[1])["validation"]
    assert listed["check"]["status"] == "passed"
    prometheus[1]["/api/v1/query"] = Answer(500, b"down")
    code, out, err = run(
        "validate", "--quick", "--watch", "1s", "--every", "1s", "--format", "json"
    )
    assert code == 1, err
    body = json.loads(out)
    assert body["id"] == "W-2" and [r["round"] for r in body["rounds"]] == [1, 2]
    assert body["verdict"]["failed_rounds"] == [1, 2]
    assert body["verdict"]["message"].startswith("Recovery failed: 2 of 2 rounds failed")
    code, _, err = run("validate", "--quick", "--watch", "1s", "--every", "2s")
    assert code == 2 and err.startswith("error: every:"), err


def test_alone_a_watch_on_a_window_stores_each_round_as_a_run_linked_to_the_watch(
    local: Path,
) -> None:
    # 3 rounds a second apart, in this process (real time, about 2 s).
    code, out, err = run("validate", "--window", WID, "--quick", "--watch", "2s", "--every", "1s")
    assert code == 0, err
    assert "Recovery holds: all 3 rounds passed" in out and "note:" not in err
    deps = build_deps(Settings(), local=True)
    try:
        with deps.db.read() as session:
            watch = watches.view(session, watches.get(session, 1))
            listed = runs.window_runs(session, WID, None, 10)
    finally:
        deps.db.dispose()
    assert watch["window"] == WID and watch["status"] == "finished"
    assert [r["run"] for r in watch["rounds"]] == ["V-1", "V-2", "V-3"]
    assert watch["verdict"]["ok"] is True
    assert sorted(r.id for r in listed) == [1, 2, 3] and {r.watch_id for r in listed} == {1}
    assert json.loads(run("window", "show", WID, "--json")[1])["validation"]["check"]["id"] == "V-3"
    code, _, err = run("validate", "--window", "MNT-2030-9999", "--quick", "--watch", "2s")
    assert code == 2 and err.startswith("error: "), err
