"""/api/v1/calendar (a month's items) and /calendar.ics (the subscribable feed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse

from maintctl.api import shapes
from maintctl.api.auth import AUTHENTICATED, FEED_READER
from maintctl.api.deps import AppDeps
from maintctl.services import calendar

router = APIRouter(tags=["calendar"])


@router.get("/api/v1/calendar", dependencies=AUTHENTICATED)
def month(deps: AppDeps, month: Annotated[str, Query(examples=["2024-12"])]) -> dict[str, Any]:
    year, number, span = calendar.month_span(month)
    with deps.db.read() as session:
        items = calendar.month_items(deps, session, span)
    return {"month": f"{year:04d}-{number:02d}", "items": [shapes.item(c) for c in items]}


def _matches(if_none_match: str | None, tag: str) -> bool:
    """If-None-Match compared weakly (RFC 9110 13.1.2): W/ and quotes aside, the same tag."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in if_none_match.split(","))


@router.get(
    "/calendar.ics",
    response_class=Response,
    dependencies=FEED_READER,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
        304: {"description": "Not modified since the ETag named in If-None-Match"},
    },
)
def feed(
    deps: AppDeps,
    if_none_match: Annotated[str | None, Header(description="an ETag this feed gave")] = None,
) -> Response:
    with deps.db.read() as session:
        tag = calendar.export_tag(deps, session)
    # Calendar apps poll; the ETag lets them skip the body while nothing changed.
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return StreamingResponse(
        calendar.export(deps), media_type="text/calendar; charset=utf-8", headers=headers
    )
