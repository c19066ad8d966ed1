"""MaintenanceWSGI: maintctl's maintenance and traffic modes in front of a WSGI app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from maintctl_middleware.guard import Guard, Headers
from maintctl_middleware.watch import Snapshot

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ENVIRON_KEY = "maintctl.maintenance"
_STATUS = {200: "200 OK", 405: "405 Method Not Allowed", 503: "503 Service Unavailable"}


class MaintenanceWSGI:
    """Wraps a WSGI app: refuses what traffic mode refuses, tells the app what maintenance says.

    While maintenance mode is on or traffic is not normal, `environ["maintctl.maintenance"]` is a
    dict with `maintenanceMode`, `trafficMode`, `message` and `until`; absent otherwise.
    """

    def __init__(
        self,
        app: WSGIApplication,
        server: str,
        systems: Iterable[str] | None = None,
        allow_paths: Iterable[str] | None = None,
        health_path: str | None = "/health",
        refresh: float = 5.0,
        timeout: float = 2.0,
        fail_open: bool = True,
    ) -> None:
        self.app = app
        self.guard = Guard(server, systems, allow_paths, health_path, refresh, timeout, fail_open)
        self.watch = self.guard.watch
        self._health_path = health_path

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        snapshot = self.watch.snapshot
        path = environ.get("PATH_INFO", "") or "/"
        if path == self._health_path:
            return self._health(environ, snapshot, start_response)
        if snapshot.plain:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if self.guard.refuses(snapshot, method, path):
            headers, body = self.guard.refusal(snapshot, environ.get("HTTP_ACCEPT", ""))
            return self._answer(environ, start_response, 503, headers, body)
        environ[ENVIRON_KEY] = dict(snapshot.info or {})
        extra = list(snapshot.headers)
        if not extra:
            return self.app(environ, start_response)

        def marked(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, *extra], exc_info)

        return self.app(environ, marked)

    def _health(
        self, environ: WSGIEnvironment, snapshot: Snapshot, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            allow = [("Allow", "GET, HEAD"), ("Content-Length", "0")]
            return self._answer(environ, start_response, 405, allow, b"")
        headers, body = self.guard.health(snapshot)
        return self._answer(environ, start_response, 200, headers, body)

    @staticmethod
    def _answer(
        environ: WSGIEnvironment,
        start_response: StartResponse,
        status: int,
        headers: Headers,
        body: bytes,
    ) -> Iterable[bytes]:
        start_response(_STATUS[status], headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def refresh_now(self) -> Snapshot:
        """Fetch maintctl's state now (for tests, or before the first request)."""
        return self.watch.refresh_now()

    def close(self) -> None:
        """Stop the background refresh."""
        self.watch.close()

    def __enter__(self) -> MaintenanceWSGI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
