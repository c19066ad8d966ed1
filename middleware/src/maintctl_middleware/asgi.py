"""MaintenanceASGI: maintctl's maintenance and traffic modes in front of an ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable

from maintctl_middleware.guard import Guard, Headers
from maintctl_middleware.watch import Snapshot

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# RFC 6455's "Try Again Later": a WebSocket refused while the service is under maintenance.
WS_TRY_AGAIN_LATER = 1013


def _encoded(headers: Headers) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


class MaintenanceASGI:
    """Wraps an ASGI app: refuses what traffic mode refuses, tells the app what maintenance says.

    While maintenance mode is on or traffic is not normal, `scope["maintctl"]` is a dict with
    `maintenanceMode`, `trafficMode`, `message` and `until`; absent otherwise.
    """

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        snapshot = self.watch.snapshot  # one read; the refresher replaces it whole
        kind = scope["type"]
        if kind == "http":
            if scope["path"] == self._health_path:
                await self._health(scope, snapshot, send)
                return
            if snapshot.plain:
                await self.app(scope, receive, send)
                return
            if self.guard.refuses(snapshot, scope["method"], scope["path"]):
                await self._refuse(scope, snapshot, send)
                return
            await self.app(
                {**scope, "maintctl": dict(snapshot.info or {})},
                receive,
                self._marked(send, snapshot),
            )
            return
        if kind == "websocket" and not snapshot.plain:
            if snapshot.blocked and not self.guard.allowed(scope["path"]):
                await send({"type": "websocket.close", "code": WS_TRY_AGAIN_LATER})
                return
            await self.app({**scope, "maintctl": dict(snapshot.info or {})}, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _marked(send: Send, snapshot: Snapshot) -> Send:
        """`send`, with maintenance mode's headers added to the response's start."""
        extra = snapshot.raw_headers
        if not extra:
            return send

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        return marked

    async def _refuse(self, scope: Scope, snapshot: Snapshot, send: Send) -> None:
        accept = ""
        for name, value in scope.get("headers", ()):
            if name == b"accept":
                accept = value.decode("latin-1")
                break
        headers, body = self.guard.refusal(snapshot, accept)
        await self._answer(scope, send, 503, headers, body)

    async def _health(self, scope: Scope, snapshot: Snapshot, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await self._answer(
                scope, send, 405, [("Allow", "GET, HEAD"), ("Content-Length", "0")], b""
            )
            return
        headers, body = self.guard.health(snapshot)
        await self._answer(scope, send, 200, headers, body)

    @staticmethod
    async def _answer(scope: Scope, send: Send, status: int, headers: Headers, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": _encoded(headers)})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )

    def refresh_now(self) -> Snapshot:
        """Fetch maintctl's state now (for tests, or before the first request)."""
        return self.watch.refresh_now()

    def close(self) -> None:
        """Stop the background refresh."""
        self.watch.close()

    def __enter__(self) -> MaintenanceASGI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
