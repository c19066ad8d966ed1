"""The polling thread: it stops when closed and lives again in a forked worker process."""

from __future__ import annotations

import subprocess
import sys

from maintctl_middleware import MaintenanceWSGI

from tests.middleware.conftest import FakeMaintctl

FORKED = """
import os, sys, time
from maintctl_middleware import MaintenanceWSGI
app = MaintenanceWSGI(lambda e, s: [], server=sys.argv[1], refresh=0.05, timeout=0.5)
pid = os.fork()  # as gunicorn --preload forks its workers after building the app
if pid == 0:
    for _ in range(200):  # at most 200 polls of 0.05 s: 10 s
        if app.watch.snapshot.state is not None and app.watch._thread.is_alive():
            os._exit(0)
        time.sleep(0.05)
    os._exit(1)
_, status = os.waitpid(pid, 0)
app.close()
print(os.waitstatus_to_exitcode(status))
"""


def test_a_forked_worker_polls_with_a_thread_of_its_own(maintctl: FakeMaintctl) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORKED, maintctl.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "0"


def test_close_stops_the_thread_and_keeps_the_last_state(maintctl: FakeMaintctl) -> None:
    app = MaintenanceWSGI(lambda e, s: [], server=maintctl.url, refresh=0.05)
    app.refresh_now()
    thread = app.watch._thread
    assert thread is not None and thread.is_alive()
    app.close()
    assert not thread.is_alive()
    assert app.watch.snapshot.state is not None
