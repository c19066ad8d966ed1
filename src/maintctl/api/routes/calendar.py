"""/api/v1/calendar (a month's items) and /calendar.ics (the subscribable feed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

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


@router.get(
    "/calendar.ics",
    response_class=Response,
    dependencies=FEED_READER,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}},
)
def feed(deps: AppDeps) -> Response:
    with deps.db.read() as session:
        body = calendar.export(deps, session)
    return Response(body, media_type="text/calendar; charset=utf-8")
