"""The tcp kind: a listener passes, a closed port fails, a full backlog times out."""

from __future__ import annotations

from maintctl.domain.checks import Status
from tests.checks.servers import free_port, full_backlog, make, run, silent


def test_a_listening_port_passes() -> None:
    with silent() as port:
        result = run(make("tcp", host="127.0.0.1", port=port))
    assert result.status is Status.PASS and result.message.startswith("Connected (")


def test_a_closed_port_fails_as_unreachable() -> None:
    result = run(make("tcp", host="127.0.0.1", port=free_port()))
    assert result.status is Status.FAIL and result.message.startswith("Unreachable (")


def test_a_connect_that_hangs_times_out() -> None:
    with full_backlog() as port:
        result = run(make("tcp", host="127.0.0.1", port=port, timeout=0.3))
    assert result.status is Status.TIMEOUT
