"""The door: what every request passes before routing and authentication.

A body is refused before it is read whole or parsed when it is too large, and before any route
sees it when it is not UTF-8, nested deeper than the bound, or holds text no database keeps (NUL,
a lone surrogate). Everything that escapes the app becomes problem+json, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maintctl.api.errors import problem_response, unexpected
from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.faults import EnvironmentFault

Classify = Callable[[BaseException], EnvironmentFault | None]

# A JSON string (possessive, so an unterminated one costs one pass) or a bracket; brackets in
# strings are text, so strings are skipped whole.
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INLINE_BYTES = 65_536  # bodies up to this size are scanned on the event loop

_REFUSALS = {
    "too-large": (
        f"is larger than {bounds.MAX_BODY_BYTES} bytes",
        f"send at most {bounds.MAX_BODY_BYTES} bytes",
    ),
    "invalid-utf8": ("is not UTF-8 text", "send the JSON body encoded as UTF-8"),
    "json-depth": (
        f"nests arrays and objects deeper than {bounds.MAX_JSON_DEPTH} levels",
        f"nest at most {bounds.MAX_JSON_DEPTH} levels",
    ),
    "nul-character": ("text may not contain NUL (U+0000)", "remove the NUL character"),
    "lone-surrogate": (
        "holds an unpaired surrogate (\\ud800 to \\udfff), which is not a character",
        "send whole characters: a surrogate only as half of a pair",
    ),
}


def _too_deep(text: str) -> bool:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > bounds.MAX_JSON_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _strings(value: Any) -> list[str]:
    """Every key and string in a decoded JSON value (its depth is already bounded)."""
    found, todo = [], [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(k) for k in item)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def body_refusal(body: bytes) -> str | None:
    """The rule a body breaks at the door, or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid-utf8"
    if _too_deep(text):
        return "json-depth"
    try:
        strings = _strings(json.loads(text))
    except ValueError:
        # Not JSON: the route refuses its shape; a raw NUL is still named as one.
        return "nul-character" if "\x00" in text else None
    if any("\x00" in s for s in strings):
        return "nul-character"
    if any(_SURROGATE.search(s) for s in strings):
        return "lone-surrogate"
    return None


def _place_refusal(scope: Scope) -> str | None:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if "\x00" in unquote(raw_path.decode("latin-1")) or "\x00" in scope["path"]:
        return "path"
    if "\x00" in unquote(scope.get("query_string", b"").decode("latin-1")):
        return "query"
    return None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


class Door:
    """Bounds and text rules on every request; problem+json for anything that escapes the app."""

    def __init__(self, app: ASGIApp, classify: Classify) -> None:
        self.app = app
        self.classify = classify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        where = _place_refusal(scope)
        if where is not None:
            await self._refuse(where, "nul-character", scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > bounds.MAX_BODY_BYTES:
            await self._refuse("body", "too-large", scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > bounds.MAX_BODY_BYTES:  # counted as it streams, e.g. chunked
                await self._refuse("body", "too-large", scope, receive, send)
                return
        rule = None
        if len(body) > _INLINE_BYTES:  # up to half a second of scanning: off the event loop
            rule = await anyio.to_thread.run_sync(body_refusal, bytes(body))
        elif body:
            rule = body_refusal(bytes(body))
        if rule is not None:
            await self._refuse("body", rule, scope, receive, send)
            return
        await self._serve(scope, bytes(body), receive, send, path)

    async def _serve(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, path: str
    ) -> None:
        replayed = False
        started = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, replay, watch)
        except Exception as exc:
            if started:
                raise  # half an answer is out; the server closes the connection and logs it
            await unexpected(exc, path, self.classify(exc))(scope, replay, send)

    async def _refuse(
        self, where: str, rule: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        message, fix = _REFUSALS[rule]
        kind = "too-large" if rule == "too-large" else "rule-violation"
        response = problem_response(kind, [Problem(where, rule, message, fix)], scope["path"])
        await response(scope, receive, send)
