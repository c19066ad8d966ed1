"""The middleware pointed at a real maintctl (its app served by uvicorn over the test database).

Until maintctl's /health carries the mode members (issue 9, engineer A), the middleware reads its
answer as not yet the state (unknown) and lets traffic through; once it does, the state is known.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from maintctl.api.app import create_app
from maintctl.services.deps import Deps
from tests.middleware.conftest import Serve


@pytest.fixture
def real_maintctl(deps: Deps) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(deps), log_level="error", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):  # at most 5 s
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started, "maintctl did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_in_front_of_a_real_maintctl_all_normal_traffic_passes(
    real_maintctl: str, serve_asgi: Serve
) -> None:
    service = serve_asgi(server=real_maintctl, systems=["db"])
    service.middleware.refresh_now()
    with httpx.Client(trust_env=False, timeout=5) as http:
        maintctl_health = http.get(f"{real_maintctl}/health")
        assert http.post(f"{service.url}/orders").status_code == 200
        reported = http.get(f"{service.url}/health").json()
    assert maintctl_health.status_code == 200  # public: no token
    expected = "known" if "maintenanceMode" in maintctl_health.json() else "unknown"
    assert reported["maintctl"] == expected
    assert reported["maintenanceMode"] is False
    assert reported["trafficMode"] == "normal"
