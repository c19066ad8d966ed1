"""A loopback HTTP server that serves calendar feeds and records what it was asked."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def ics(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//maintctl tests//EN\n{body}END:VCALENDAR\n"


@dataclass
class Route:
    status: int
    body: bytes
    content_type: str = "text/calendar"
    delay: float = 0.0
    location: str = ""
    etag: str = ""
    last_modified: str = ""
    send_length: bool = True


@dataclass
class Hit:
    path: str
    if_none_match: str | None
    if_modified_since: str | None


@dataclass
class FeedServer:
    """Serve a route, then count what was asked for."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def serve(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.base + path

    @property
    def paths(self) -> list[str]:
        return [h.path for h in self.hits]


@contextlib.contextmanager
def running() -> Iterator[FeedServer]:
    state = FeedServer(base="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            hit = Hit(
                self.path,
                self.headers.get("If-None-Match"),
                self.headers.get("If-Modified-Since"),
            )
            state.hits.append(hit)
            route = state.routes.get(self.path.split("?")[0], Route(404, b"not found"))
            time.sleep(route.delay)
            if route.etag and hit.if_none_match == route.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in (
                ("Location", route.location),
                ("ETag", route.etag),
                ("Last-Modified", route.last_modified),
            ):
                if value:
                    self.send_header(name, value)
            self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
