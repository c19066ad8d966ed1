"""`maintctl complete` through a server: the server's worker runs the quick validation and the
CLI follows it, as `validate` does; failing, exit 1 and the window stays verifying; run again
and passing, completed by the run's end. A real loopback server, worker and check. Both
databases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from maintctl.config import Settings
from maintctl.local import build_app, build_deps
from maintctl.worker import Worker
from tests.checks.servers import Answer, free_port
from tests.cli.test_cli import run
from tests.cli.test_complete import checked, health
from tests.cli.test_execution import _scheduled
from tests.services.test_runs import TUNING

__all__ = ["checked", "health"]


@pytest.fixture
def served(checked: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A window started alone, then a loopback server and its worker over the same database."""
    wid = _scheduled("0301", "06", monkeypatch)
    assert run("start", wid, "--early")[0] == 0
    code, out, err = run("user", "add", "lee", "--role", "team-lead", "--json")
    assert code == 0, err
    monkeypatch.setenv("MAINTCTL_TOKEN", json.loads(out)["token"])
    port = free_port()
    settings = Settings()
    server = uvicorn.Server(
        uvicorn.Config(build_app(settings, local=False), port=port, log_level="error")
    )
    worker = Worker(build_deps(settings, local=False), TUNING, name="w")
    threads = [threading.Thread(target=t, daemon=True) for t in (server.run, worker.run)]
    for thread in threads:
        thread.start()
    for _ in range(200):  # up to 10 s for the server to listen
        if server.started:
            break
        time.sleep(0.05)
    monkeypatch.setenv("MAINTCTL_URL", f"http://127.0.0.1:{port}")
    yield wid
    server.should_exit = True
    worker.stop.set()
    for thread in threads:
        thread.join(timeout=20)


def test_through_a_server_complete_follows_the_workers_quick_validation(
    served: str, health: dict[str, Answer]
) -> None:
    code, out, _ = run("complete", served)
    assert code == 1, out
    assert f"{served} is verifying: quick validation V-1 failed" in out
    assert "api-health (fail)" in out
    health["/health"] = Answer(200, b"ok")
    code, out, _ = run("complete", served)
    assert code == 0, out
    assert f"{served} is completed" in out and "Quick validation V-2 passed" in out
    assert json.loads(run("window", "show", served, "--json")[1])["status"] == "completed"
