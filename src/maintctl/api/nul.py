"""Refuse NUL characters at the door: PostgreSQL text cannot hold them, SQLite would keep them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maintctl.api.errors import problem_response
from maintctl.domain.errors import Problem


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class RefuseNul:
    """A 422 for any request whose path, query or JSON body holds U+0000."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = None
        raw_path = scope.get("raw_path") or scope["path"].encode()
        if "\x00" in unquote(raw_path.decode("latin-1")) or "\x00" in scope["path"]:
            where = "path"
        elif "\x00" in unquote(scope.get("query_string", b"").decode("latin-1")):
            where = "query"
        body = b""
        more = True
        while more and where is None:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if where is None and body:
            try:
                where = "body" if _has_nul(json.loads(body)) else None
            except ValueError:
                where = "body" if b"\x00" in body else None
        if where is not None:
            problem = Problem(
                where,
                "nul-character",
                "text may not contain NUL (U+0000)",
                "remove the NUL character",
            )
            await problem_response("rule-violation", [problem], scope["path"])(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
