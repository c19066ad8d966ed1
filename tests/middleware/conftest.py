"""Loopback servers for the middleware's tests: a fake maintctl /health, uvicorn, wsgiref."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, NamedTuple
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import uvicorn

try:
    import maintctl_middleware  # noqa: F401  (installed by scripts/test: pip install -e ./middleware)
except ImportError:  # a venv made before the package existed: use its source
    sys.path.insert(0, str(Path(__file__).parents[2] / "middleware" / "src"))

from maintctl_middleware import MaintenanceASGI, MaintenanceWSGI

NORMAL_HEALTH: dict[str, Any] = {
    "status": "pass",
    "version": "0.1.0",
    "checks": {},
    "maintenanceMode": False,
    "trafficMode": "normal",
    "message": None,
    "until": None,
    "systems": {},
}


def health(**members: Any) -> dict[str, Any]:
    """maintctl's /health body (contract §3) with the given top-level members changed."""
    return {**NORMAL_HEALTH, **members}


class FakeMaintctl:
    """A loopback stand-in for maintctl's public /health, whose answer a test sets."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = json.dumps(NORMAL_HEALTH).encode()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = fake.status, fake.body
                self.send_response(status)
                self.send_header("Content-Type", "application/health+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.running = True

    def answer(self, document: dict[str, Any] | None = None, status: int = 200) -> None:
        """Answer `document` (JSON) with `status` from now on."""
        self.status = status
        self.body = json.dumps(document if document is not None else {"status": "fail"}).encode()

    def answer_raw(self, body: bytes, status: int = 200) -> None:
        self.status, self.body = status, body

    def stop(self) -> None:
        """maintctl goes down: the port refuses connections."""
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False


@pytest.fixture
def maintctl() -> Iterator[FakeMaintctl]:
    fake = FakeMaintctl()
    yield fake
    fake.stop()


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def echo_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI app that answers what it saw: method, path and what the middleware handed it."""
    assert scope["type"] == "http"
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    body = json.dumps(
        {"method": scope["method"], "path": scope["path"], "maintctl": scope.get("maintctl")}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def echo_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The same app, WSGI: answers what it saw."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    body = json.dumps(
        {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "maintctl": environ.get("maintctl.maintenance"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


class Service(NamedTuple):
    """A served app behind the middleware: its base URL and the middleware object."""

    url: str
    middleware: MaintenanceASGI | MaintenanceWSGI


Serve = Callable[..., Service]


@pytest.fixture
def serve_asgi() -> Iterator[Serve]:
    """Wraps echo_asgi in MaintenanceASGI(**options), served by uvicorn on loopback: its URL."""
    started: list[tuple[uvicorn.Server, threading.Thread, MaintenanceASGI]] = []

    def serve(**options: Any) -> Service:
        app = MaintenanceASGI(echo_asgi, refresh=0.2, timeout=0.5, **options)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(500):  # at most 5 s
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started, "uvicorn did not start"
        started.append((server, thread, app))
        return Service(f"http://127.0.0.1:{port}", app)

    yield serve
    for server, thread, app in started:
        server.should_exit = True
        thread.join(5)
        app.close()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def serve_wsgi() -> Iterator[Serve]:
    """Wraps echo_wsgi in MaintenanceWSGI(**options), served by a threaded wsgiref: its URL."""
    started: list[tuple[WSGIServer, threading.Thread, MaintenanceWSGI]] = []

    def serve(**options: Any) -> Service:
        app = MaintenanceWSGI(echo_wsgi, refresh=0.2, timeout=0.5, **options)
        server = make_server(
            "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        started.append((server, thread, app))
        return Service(f"http://127.0.0.1:{server.server_address[1]}", app)

    yield serve
    for server, thread, app in started:
        server.shutdown()
        server.server_close()
        thread.join(5)
        app.close()


@pytest.fixture(params=["asgi", "wsgi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    """Each test runs against the ASGI face (uvicorn) and the WSGI face (wsgiref)."""
    fixture: Serve = request.getfixturevalue(f"serve_{request.param}")
    return fixture
