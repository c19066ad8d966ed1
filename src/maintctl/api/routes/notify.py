"""/api/v1/notifications and /api/v1/windows/{id}/notifications: the notices planned, drafted,
sent, and every attempt.

Thin wrappers: the bodies are in api/handlers/notify.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import notify as handlers
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["notifications"])

NEXT_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"Link": {"description": 'the next page: <url>; rel="next"'}}}
}
Limit = Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)]


@router.get("/notifications", response_model=list[dict[str, Any]], responses=NEXT_PAGE)
def list_notifications(
    deps: AppDeps,
    who: Who,
    response: Response,
    status: Annotated[
        str | None,
        Query(
            max_length=16, description="planned, queued, draft, sent, skipped, cancelled, failed"
        ),
    ] = None,
    limit: Limit = bounds.PAGE_DEFAULT,
    cursor: Annotated[str | None, Query(max_length=200, description="from the Link header")] = None,
) -> Any:
    """Notifications by due time (by default those still to go); the next page in Link."""
    return answer(handlers.list_notifications(deps, who, status, limit, cursor), response)


@router.get("/notifications/{notification_id}", response_model=dict[str, Any])
def show_notification(deps: AppDeps, who: Who, notification_id: str, response: Response) -> Any:
    """One notification, with its subject and text as they would go now."""
    return answer(handlers.show_notification(deps, who, notification_id), response)


@router.post(
    "/notifications/{notification_id}/send", status_code=202, response_model=dict[str, Any]
)
def send_notification(deps: AppDeps, who: Who, notification_id: str, response: Response) -> Any:
    """Send a manual draft now, through the worker (the window's requester or an approver)."""
    return answer(handlers.send_notification(deps, who, notification_id), response)


@router.get(
    "/windows/{window_id}/notifications", response_model=list[dict[str, Any]], responses=NEXT_PAGE
)
def window_notifications(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    limit: Limit = bounds.PAGE_DEFAULT,
    after: Annotated[
        int | None, Query(ge=0, le=handlers.MAX_ROW_ID, description="the last row seen")
    ] = None,
) -> Any:
    """Every notification of a window with every attempt, oldest first; the next page in Link."""
    return answer(handlers.window_notifications(deps, who, window_id, limit, after), response)
