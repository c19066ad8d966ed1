"""A job kind for tests only, loaded by a worker through MAINTCTL_JOB_PLUGINS=tests.jobkinds.

`test.append` sleeps for payload["sleep"] seconds, then appends "<key> <pid>" to the file named
by MAINTCTL_TEST_JOB_LOG: one short O_APPEND write, so lines from two processes never mix.
With payload["mark_start"], it also appends "start <key>" before sleeping.
"""

from __future__ import annotations

import os
import time
from typing import Any

from maintctl.services import jobs
from maintctl.services.deps import Deps

KIND = "test.append"


def _append(line: str) -> None:
    fd = os.open(os.environ["MAINTCTL_TEST_JOB_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{line}\n".encode())
    finally:
        os.close(fd)


def append(deps: Deps, payload: dict[str, Any]) -> str:
    key = jobs.current_key()
    if payload.get("mark_start"):
        _append(f"start {key}")
    time.sleep(float(payload.get("sleep", 0)))
    _append(f"{key} {os.getpid()}")
    return "appended"


jobs.register(KIND, append)
