"""The real Prometheus Alertmanager (Debian's prometheus-alertmanager), on a loopback port.

Started with a null receiver, its storage in the test's folder and no cluster gossip
(`--cluster.listen-address=` empty), waited for until `/-/ready` answers (bounded), and killed
when the test ends (tests/children.py). Absent binary: the test is skipped, except in CI
(`CI` set), where it fails: CI installs it (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import children

BINARIES = ("prometheus-alertmanager", "alertmanager")
READY_WITHIN_S = 20.0
CONFIG = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binary() -> str:
    """The Alertmanager binary, or a skip (a failure in CI) naming the package."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    reason = "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Alertmanager:
    url: str
    process: subprocess.Popen[str]

    def silences(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/api/v2/silences", timeout=5)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found

    def active(self) -> list[dict[str, Any]]:
        return [s for s in self.silences() if s["status"]["state"] == "active"]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def start(folder: Path, port: int | None = None) -> Alertmanager:
    """Start one on `port` (a free one by default) and wait until it is ready."""
    program = binary()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alertmanager.yml").write_text(CONFIG, "utf-8")
    port = port or free_port()
    log = (folder / "alertmanager.log").open("w")
    process = children.popen(
        [
            program,
            f"--config.file={folder / 'alertmanager.yml'}",
            f"--storage.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:  # bounded: at most READY_WITHIN_S
        if process.poll() is not None:
            raise RuntimeError(f"alertmanager exited: {(folder / 'alertmanager.log').read_text()}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return Alertmanager(url, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"alertmanager was not ready within {READY_WITHIN_S:.0f} s")
