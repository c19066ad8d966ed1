"""What to do with one request, for the ASGI and WSGI faces alike: pass, refuse, answer health."""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Iterable
from typing import Any

from maintctl_middleware.watch import Snapshot, Watch, describe

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Retry-After when the state carries no end, or its end has passed (an overrun).
DEFAULT_RETRY_AFTER = 300
HEALTH_TYPE = "application/health+json"
PROBLEM_TYPE = "application/problem+json"
HTML_TYPE = "text/html; charset=utf-8"

Headers = list[tuple[str, str]]


def prefers_html(accept: str) -> bool:
    """Whether `Accept` ranks HTML above JSON (a browser); JSON wins ties and absence."""
    best_html = best_json = 0.0
    for part in accept.split(",")[:32]:
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml", "text/*"):
            best_html = max(best_html, q)
        elif media in ("application/json", PROBLEM_TYPE, "application/*"):
            best_json = max(best_json, q)
        elif media == "*/*":
            best_html, best_json = max(best_html, q * 0.99), max(best_json, q)
    return best_html > best_json


class Guard:
    """The middleware's decisions, free of ASGI and WSGI."""

    def __init__(
        self,
        server: str,
        systems: Iterable[str] | None = None,
        allow_paths: Iterable[str] | None = None,
        health_path: str | None = "/health",
        refresh: float = 5.0,
        timeout: float = 2.0,
        fail_open: bool = True,
        start: bool = True,
    ) -> None:
        paths = list(allow_paths or ())
        self.exact = frozenset(path for path in paths if not path.endswith("/"))
        self.prefixes = tuple(path for path in paths if path.endswith("/"))
        self.health_path = health_path
        self.watch = Watch(server, systems or (), refresh, timeout, fail_open, start)
        self._refusals: dict[bool, tuple[Snapshot, Headers, bytes]] = {}

    def allowed(self, path: str) -> bool:
        """An allow-listed path: exact, or under a prefix that ends in `/`."""
        return path in self.exact or (bool(self.prefixes) and path.startswith(self.prefixes))

    def refuses(self, snapshot: Snapshot, method: str, path: str) -> bool:
        """Whether this request is refused in the current state."""
        if snapshot.blocked or (snapshot.read_only and method in WRITES):
            return not self.allowed(path)
        return False

    def retry_after(self, snapshot: Snapshot) -> int:
        """Seconds until the state's end; the refresh interval before any state is known."""
        if snapshot.state is None:
            return max(1, math.ceil(self.watch.refresh))
        until = snapshot.state.until
        if until is None:
            return DEFAULT_RETRY_AFTER
        left = math.ceil(until.timestamp() - time.time())
        return left if left > 0 else DEFAULT_RETRY_AFTER

    def refusal(self, snapshot: Snapshot, accept: str) -> tuple[Headers, bytes]:
        """The 503's headers and body, as problem+json or as an HTML page by `Accept`."""
        html_wanted = prefers_html(accept)
        cached = self._refusals.get(html_wanted)
        if cached is None or cached[0] is not snapshot:
            # Built once per snapshot and kind (the refresher replaces the snapshot on each poll).
            cached = (snapshot, *self._refusal(snapshot, html_wanted))
            self._refusals[html_wanted] = cached
        _, headers, body = cached
        return [*headers, ("Retry-After", str(self.retry_after(snapshot)))], body

    def _refusal(self, snapshot: Snapshot, html_wanted: bool) -> tuple[Headers, bytes]:
        if snapshot.blocked:
            title = "Service under maintenance"
            detail = snapshot.message or "This service is under maintenance."
        else:
            title = "Read-only during maintenance"
            detail = snapshot.message or "This service is read-only during maintenance."
        until = describe(snapshot.state)["until"] if snapshot.state is not None else None
        if html_wanted:
            back = f"<p>Expected back: {html.escape(until)}</p>" if until else ""
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title></head><body>"
                f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>{back}</body></html>"
            )
            body, media = page.encode("utf-8"), HTML_TYPE
        else:
            problem: dict[str, Any] = {
                "type": "about:blank",
                "title": title,
                "status": 503,
                "detail": detail,
                "until": until,
            }
            body, media = json.dumps(problem).encode("utf-8"), PROBLEM_TYPE
        headers = [
            ("Content-Type", media),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *snapshot.headers,
        ]
        return headers, body

    def health(self, snapshot: Snapshot) -> tuple[Headers, bytes]:
        """The service's own health answer: the effective state and how well maintctl is known."""
        knowledge = snapshot.knowledge(self.watch.refresh, time.monotonic())
        if snapshot.state is not None:
            document: dict[str, Any] = describe(snapshot.state)
        elif snapshot.info is not None:  # unknown, failing closed
            document = dict(snapshot.info)
        else:
            document = {"maintenanceMode": False, "trafficMode": "normal", "message": None}
            document["until"] = None
        calm = document["trafficMode"] == "normal" and knowledge == "known"
        body = json.dumps(
            {"status": "pass" if calm else "warn", **document, "maintctl": knowledge}
        ).encode("utf-8")
        headers = [
            ("Content-Type", HEALTH_TYPE),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *snapshot.headers,
        ]
        return headers, body
