"""ASGI scopes besides http, called in-process: WebSockets follow traffic mode, lifespan passes."""

from __future__ import annotations

import asyncio
from typing import Any

from maintctl_middleware import MaintenanceASGI

from tests.middleware.conftest import FakeMaintctl, health


def call(app: MaintenanceASGI, scope: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """What the middleware sent, and the scopes the inner app saw."""
    sent: list[dict[str, Any]] = []
    seen: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    app.app = inner
    asyncio.run(app(scope, receive, send))
    return sent, seen


def test_a_websocket_is_closed_with_try_again_later_in_traffic_maintenance(
    maintctl: FakeMaintctl,
) -> None:
    maintctl.answer(health(trafficMode="maintenance", message="Later."))
    with MaintenanceASGI(None, server=maintctl.url, allow_paths=["/live/"]) as app:
        app.refresh_now()
        sent, seen = call(app, {"type": "websocket", "path": "/socket"})
        assert sent == [{"type": "websocket.close", "code": 1013}] and seen == []
        sent, seen = call(app, {"type": "websocket", "path": "/live/feed"})
        assert sent == [] and seen[0]["maintctl"]["message"] == "Later."


def test_a_websocket_passes_in_read_only_and_lifespan_always(maintctl: FakeMaintctl) -> None:
    maintctl.answer(health(trafficMode="read-only"))
    with MaintenanceASGI(None, server=maintctl.url) as app:
        app.refresh_now()
        sent, seen = call(app, {"type": "websocket", "path": "/socket"})
        assert sent == [] and seen[0]["maintctl"]["trafficMode"] == "read-only"
        sent, seen = call(app, {"type": "lifespan"})
        assert sent == [] and seen == [{"type": "lifespan"}]
