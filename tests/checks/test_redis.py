"""The redis kind: PING against Debian's redis-server; a closed port fails, garbage is an
error, a server that never answers times out."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from maintctl.domain.checks import Status
from tests.checks.servers import free_port, make, resp, run, silent


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's package)")
    port = free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):  # at most 200 tries, 25 ms apart: redis starts in a few ms
            if run(make("redis", url=f"redis://127.0.0.1:{port}/0", timeout=1)).passed:
                break
            time.sleep(0.025)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def test_a_redis_answering_pong_passes(redis_port: int) -> None:
    result = run(make("redis", url=f"redis://127.0.0.1:{redis_port}/0"))
    assert result.status is Status.PASS and result.message.startswith("Connected (")


def test_a_closed_port_fails_as_unreachable() -> None:
    result = run(make("redis", url=f"redis://127.0.0.1:{free_port()}/0"))
    assert result.status is Status.FAIL and result.message.startswith("Unreachable (")


def test_garbage_or_a_wrong_answer_is_an_error() -> None:
    with resp(b"HELLO\r\n") as port:
        garbage = run(make("redis", url=f"redis://127.0.0.1:{port}/0"))
    with resp(b"+NOPE\r\n") as port:
        wrong = run(make("redis", url=f"redis://127.0.0.1:{port}/0"))
    assert garbage.status is Status.ERROR, garbage.message
    assert wrong.status is Status.ERROR and "not PONG" in wrong.message


def test_a_server_that_never_answers_times_out() -> None:
    with silent() as port:
        result = run(make("redis", url=f"redis://127.0.0.1:{port}/0", timeout=0.3))
    assert result.status is Status.TIMEOUT


def test_a_password_from_the_environment_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_URL", f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    result = run(make("redis", url_env="CACHE_URL"))
    assert result.status is Status.FAIL and "hunter2" not in result.message
