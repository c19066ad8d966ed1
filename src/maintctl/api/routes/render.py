"""/api/v1/windows/{id}/render: preview a notice. Thin wrapper over api/handlers/render.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import render as handlers

router = APIRouter(prefix="/api/v1", tags=["notices"])
Name = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/windows/{window_id}/render", response_model=dict[str, Any])
def render_window(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    kind: Annotated[
        str,
        Query(
            min_length=1, max_length=64, examples=["reminder-24h"], description="docs/templates.md"
        ),
    ],
    channel: Annotated[
        str | None, Query(min_length=1, max_length=64, description="render as this channel gets it")
    ] = None,
    audience: Annotated[
        str | None, Query(min_length=1, max_length=64, description="default: the channel's")
    ] = None,
) -> Any:
    """A window's notice (subject, text, HTML, chat) as the templates render it."""
    return answer(handlers.render_window(deps, who, window_id, kind, channel, audience), response)
