"""A loopback fake of Statuspage's management API (the incidents a maintenance sync uses).

It follows the documented shapes (developer.statuspage.io, "Incidents"): `Authorization: OAuth
KEY`; `POST /v1/pages/{page_id}/incidents` with `{"incident": {...}}` answers 201 and the
incident; `PATCH /v1/pages/{page_id}/incidents/{id}` answers 200, a `body` adding an incident
update; `GET /v1/pages/{page_id}/incidents?limit=&page=` lists newest first; a wrong key answers
401, an unknown incident 404, a scheduled status outside scheduled/in_progress/verifying/
completed 422. Tests queue failures (`fail`) to answer the next requests with, e.g. 429 with
Retry-After or 500.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAINTENANCE = ("scheduled", "in_progress", "verifying", "completed")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeStatuspage:
    url: str
    page_id: str
    api_key: str
    requests: list[Request] = field(default_factory=list)
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Answers for the next requests, first first: (status, headers).
    fail: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Drop the answer of the next create after making it (a crash between POST and answer).
    lose_next_create_answer: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _apply(incident: dict[str, Any], given: dict[str, Any]) -> None:
    for name in ("name", "status", "scheduled_for", "scheduled_until", "metadata"):
        if name in given:
            incident[name] = given[name]
    for name in (
        "scheduled_remind_prior",
        "scheduled_auto_in_progress",
        "scheduled_auto_completed",
        "auto_transition_to_maintenance_state",
        "auto_transition_to_operational_state",
    ):
        if name in given:
            incident[name] = bool(given[name])
    if "component_ids" in given:
        incident["components"] = [{"id": c} for c in given["component_ids"]]
    incident["updated_at"] = _now()
    if given.get("body"):
        incident["incident_updates"].insert(
            0,
            {
                "id": secrets.token_hex(6),
                "incident_id": incident["id"],
                "status": incident["status"],
                "body": given["body"],
                "created_at": _now(),
            },
        )


@contextmanager
def fake_statuspage(
    page_id: str = "pg1abc", api_key: str = "sp-key-5be1d2"
) -> Iterator[FakeStatuspage]:
    fake = FakeStatuspage("", page_id, api_key)
    prefix = f"/v1/pages/{page_id}/incidents"

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            with fake.lock:
                fake.requests.append(Request(self.command, self.path, headers, body))
                if fake.fail:
                    code, extra = fake.fail.pop(0)
                    return self._answer(code, {"error": "failure"}, extra)
                if headers.get("authorization") != f"OAuth {fake.api_key}":
                    return self._answer(401, {"error": "Could not authenticate"})
                parts = urlsplit(self.path)
                if not parts.path.startswith(prefix):
                    return self._answer(404, {"error": "Not found"})
                rest = parts.path[len(prefix) :].strip("/")
                self._route(rest, parse_qs(parts.query), body)
            return None

        def _route(self, rest: str, query: dict[str, list[str]], body: Any) -> None:
            if self.command == "GET" and not rest:
                limit = min(int(query.get("limit", ["100"])[0]), 100)
                newest = sorted(fake.incidents.values(), key=lambda i: i["seq"], reverse=True)
                return self._answer(200, newest[:limit])
            given = body.get("incident") if isinstance(body, dict) else None
            if not isinstance(given, dict):
                return self._answer(400, {"error": "incident is missing"})
            if given.get("status", "scheduled") not in MAINTENANCE:
                return self._answer(422, {"error": "status is invalid"})
            if self.command == "POST" and not rest:
                if not given.get("name"):
                    return self._answer(422, {"error": "name can't be blank"})
                incident = {
                    "id": secrets.token_hex(6),
                    "seq": len(fake.incidents),
                    "page_id": fake.page_id,
                    "impact": "maintenance",
                    "status": "scheduled",
                    "created_at": _now(),
                    "incident_updates": [],
                    "components": [],
                    "metadata": {},
                }
                _apply(incident, given)
                fake.incidents[incident["id"]] = incident
                if fake.lose_next_create_answer:
                    fake.lose_next_create_answer = False
                    self.close_connection = True
                    return None
                return self._answer(201, incident)
            if self.command == "PATCH" and rest in fake.incidents:
                _apply(fake.incidents[rest], given)
                return self._answer(200, fake.incidents[rest])
            return self._answer(404, {"error": "Not found"})

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PATCH(self) -> None:
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
