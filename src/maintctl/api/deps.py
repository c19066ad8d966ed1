"""How routes reach the use cases' dependencies, and how a handler's Reply becomes a response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response

from maintctl.api.handlers import NO_BODY, Reply
from maintctl.api.openapi import MarkdownResponse
from maintctl.services.deps import Deps


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


AppDeps = Annotated[Deps, Depends(_deps)]


def answer(reply: Reply, response: Response) -> Any:
    """A handler's reply, for a route: JSON bodies are returned (the route's schema holds)."""
    if reply.stream is not None:
        from fastapi.responses import StreamingResponse

        kind = f"{reply.media_type}; charset=utf-8"
        return StreamingResponse(reply.stream, reply.status, reply.headers, media_type=kind)
    if reply.status in NO_BODY:
        return Response(status_code=reply.status, headers=reply.headers)
    if reply.media_type == "text/markdown":
        return MarkdownResponse(reply.body, status_code=reply.status, headers=reply.headers)
    response.status_code = reply.status
    response.headers.update(reply.headers)
    return reply.body
