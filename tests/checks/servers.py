"""Loopback servers for the check kinds' tests: HTTP with canned answers, a listener that never
answers, a socket whose backlog is full (connects hang), and a RESP server for Redis."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from maintctl.checks.base import Check, Params, Spec, check_class
from maintctl.domain.checks import Result


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    delay: float = 0.0


class Http:
    """An HTTP server on 127.0.0.1 answering each path (the query ignored) as told."""

    def __init__(self, routes: dict[str, Answer]) -> None:
        self.routes = routes
        self.seen: list[str] = []
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.seen.append(self.path)
                answer = owner.routes.get(self.path.split("?")[0], Answer(404, b"no"))
                if answer.delay:
                    owner.release.wait(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Http:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def silent() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


@contextlib.contextmanager
def full_backlog() -> Iterator[int]:
    """A port whose listen queue is full and never accepted: Linux drops further SYNs, so a
    connect there waits until its caller gives up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # the kernel admits backlog + 1; a third fills it for certain
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def free_port() -> int:
    """A port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def resp(reply: bytes) -> Iterator[int]:
    """A Redis stand-in that answers every request with `reply` (b"+PONG\\r\\n", or garbage)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            # Generous: on a loaded machine a client may pause between connect and its PING;
            # closing early would read as "unreachable", not the garbage under test.
            conn.settimeout(10)
            with contextlib.suppress(OSError):
                while data := conn.recv(65_536):
                    # One answer per command: a client pipelines its hello (CLIENT SETINFO ...)
                    # with PING, and each RESP command is an array starting "*" (none of these
                    # commands' arguments holds one).
                    conn.sendall(reply * max(1, data.count(b"*")))

    def serve() -> None:
        # A thread per connection: a client that reconnects after a protocol error, leaving its
        # first connection open, is answered at once instead of queueing behind it.
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def make(
    kind: str, base_dir: Path = Path(), timeout: float = 5.0, unit: str = "", **params: Any
) -> Check:
    """A check of `kind` with these parameters, as the config would build it."""
    cls = check_class(kind)
    parsed: Params = cls.PARAMS.model_validate(params)
    spec = Spec("c", "services", kind, parsed, timeout, (), unit or cls.UNIT, None, base_dir)
    return cls(spec)


def run(check: Check) -> Result:
    import asyncio

    return asyncio.run(check.run())
