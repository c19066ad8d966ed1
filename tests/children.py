"""Processes a test starts (workers, servers): every one is killed when the test ends.

A test that fails half-way must not leave a worker running: it would claim the next test's jobs
from the shared PostgreSQL database and fail that test too.
"""

from __future__ import annotations

import contextlib
import subprocess
from typing import Any

_started: list[subprocess.Popen[str]] = []


def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """subprocess.Popen, remembered so that `reap` ends it."""
    process: subprocess.Popen[str] = subprocess.Popen(args, **kwargs)
    _started.append(process)
    return process


def reap() -> None:
    """Kill every process started since the last reap that still runs, and wait for it."""
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
