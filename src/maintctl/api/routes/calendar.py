"""/api/v1/calendar (a month's items) and /calendar.ics (the subscribable feed).

Thin wrappers: the bodies are in api/handlers/calendar.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from maintctl.api.auth import FeedReader, Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import calendar as handlers

router = APIRouter(tags=["calendar"])


@router.get("/api/v1/calendar", response_model=dict[str, Any])
def month(
    deps: AppDeps,
    who: Who,
    response: Response,
    month: Annotated[str, Query(examples=["2024-12"])],
) -> Any:
    return answer(handlers.month(deps, who, month), response)


@router.get(
    "/calendar.ics",
    response_class=Response,
    response_model=None,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
        304: {"description": "Not modified since the ETag named in If-None-Match"},
    },
)
def feed(
    deps: AppDeps,
    who: FeedReader,
    response: Response,
    if_none_match: Annotated[str | None, Header(description="an ETag this feed gave")] = None,
) -> Any:
    return answer(handlers.feed(deps, who, if_none_match), response)
