"""A loopback fake of PagerDuty's REST API v2 maintenance windows.

It follows the documented shapes (developer.pagerduty.com, "Maintenance Windows"): every call
needs `Authorization: Token token=KEY` (else 401) and `Accept:
application/vnd.pagerduty+json;version=2`; writes need a `From:` email (else 400).
`POST /maintenance_windows` with `{"maintenance_window": {"type": "maintenance_window",
"start_time", "end_time", "description", "services": [{"id", "type": "service_reference"}]}}`
answers 201 with the object; `PUT /maintenance_windows/{id}` answers 200 with it changed;
`DELETE /maintenance_windows/{id}` answers 204 (404 unknown); `GET /maintenance_windows?query=
&filter=open` lists `{"maintenance_windows": [...]}` whose description holds the query.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCEPT = "application/vnd.pagerduty+json;version=2"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakePagerDuty:
    url: str
    token: str
    requests: list[Request] = field(default_factory=list)
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in ("POST", "PUT", "DELETE")]


def _valid(given: Any, creating: bool) -> str | None:
    """Why a maintenance_window body is refused, or None."""
    if not isinstance(given, dict) or given.get("type") != "maintenance_window":
        return "maintenance_window with type maintenance_window is required"
    needed = ("start_time", "end_time", "services") if creating else ()
    missing = [n for n in needed if not given.get(n)]
    if missing:
        return f"missing {', '.join(missing)}"
    for service in given.get("services", []):
        if not isinstance(service, dict) or service.get("type") != "service_reference":
            return "services must be service_reference objects"
    return None


@contextmanager
def fake_pagerduty(token: str = "pd-token-7f3a9c") -> Iterator[FakePagerDuty]:
    fake = FakePagerDuty("", token)
    prefix = "/maintenance_windows"

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, code: int, body: Any = None) -> None:
            raw = json.dumps(body).encode() if body is not None else b""
            self.send_response(code)
            if raw:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, code: int, message: str) -> None:
            self._answer(code, {"error": {"message": message, "code": 2001}})

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            with fake.lock:
                fake.requests.append(Request(self.command, self.path, headers, body))
                if headers.get("authorization") != f"Token token={fake.token}":
                    return self._error(401, "Unauthorized")
                if headers.get("accept") != ACCEPT:
                    return self._error(406, "Not Acceptable")
                if self.command != "GET" and "@" not in headers.get("from", ""):
                    return self._error(400, "A valid From header is required")
                parts = urlsplit(self.path)
                if not parts.path.startswith(prefix):
                    return self._error(404, "Not Found")
                rest = parts.path[len(prefix) :].strip("/")
                self._route(rest, parse_qs(parts.query), body)
            return None

        def _route(self, rest: str, query: dict[str, list[str]], body: Any) -> None:
            given = body.get("maintenance_window") if isinstance(body, dict) else None
            if self.command == "GET" and not rest:
                wanted = query.get("query", [""])[0]
                found = [
                    w
                    for w in fake.windows.values()
                    if wanted in w["description"] and not w.get("deleted")
                ]
                return self._answer(200, {"maintenance_windows": found, "more": False})
            if self.command == "POST" and not rest:
                if why := _valid(given, creating=True):
                    return self._error(400, why)
                made = {**given, "id": "P" + secrets.token_hex(3).upper(), "sequence_number": 1}
                fake.windows[made["id"]] = made
                return self._answer(201, {"maintenance_window": made})
            window = fake.windows.get(rest)
            if window is None or window.get("deleted"):
                return self._error(404, "Not Found")
            if self.command == "PUT":
                if why := _valid(given, creating=False):
                    return self._error(400, why)
                window.update({k: v for k, v in given.items() if k != "id"})
                return self._answer(200, {"maintenance_window": window})
            if self.command == "DELETE":
                window["deleted"] = True
                return self._answer(204)
            return self._error(405, "Method Not Allowed")

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
