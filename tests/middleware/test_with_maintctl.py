"""The middleware pointed at a real maintctl (its app served by uvicorn over the test database),
the state switched through maintctl's own mode service."""

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
    assert reported["maintctl"] == "known"
    assert reported["maintenanceMode"] is False
    assert reported["trafficMode"] == "normal"


def test_in_front_of_a_real_maintctl_traffic_maintenance_on_db_refuses_with_retry_after(
    deps: Deps, real_maintctl: str, serve_asgi: Serve
) -> None:
    from maintctl.domain.mode import Kind
    from maintctl.domain.roles import Principal, Role
    from maintctl.services import mode

    lead = Principal("tina", Role.TEAM_LEAD)
    with deps.db.write() as session:
        mode.change(deps, session, lead, Kind.TRAFFIC, "maintenance", systems=["db"], reason="x")
        mode.change(
            deps, session, lead, Kind.MAINTENANCE, "on", systems=["db"], message="Back at 4"
        )
    service = serve_asgi(server=real_maintctl, systems=["db"], allow_paths=["/healthz"])
    other = serve_asgi(server=real_maintctl, systems=["web"])
    service.middleware.refresh_now()
    other.middleware.refresh_now()
    with httpx.Client(trust_env=False, timeout=5) as http:
        refused = http.get(f"{service.url}/orders")
        allowed = http.get(f"{service.url}/healthz")
        reported = http.get(f"{service.url}/health").json()
        elsewhere = http.post(f"{other.url}/orders")
    assert refused.status_code == 503 and "Retry-After" in refused.headers
    assert "Back at 4" in refused.text
    assert allowed.status_code == 200
    assert (reported["maintctl"], reported["maintenanceMode"]) == ("known", True)
    assert reported["trafficMode"] == "maintenance"
    assert elsewhere.status_code == 200  # a service on another system is not held
