"""/api/v1/windows/{id}/review, /actions, /close and /api/v1/actions: after the window.

Thin wrappers: the bodies are in api/handlers/review.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from maintctl.api.auth import IfMatch, Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import review as handlers
from maintctl.api.handlers.review import MAX_ROW_ID, ActionFields, CloseFields, ReviewFields
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["review"])


@router.get("/windows/{window_id}/review", response_model=dict[str, Any])
def window_review(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    """The Maintenance Review of a window that ran: summary, Success Metrics, actions, texts."""
    return answer(handlers.window_review(deps, who, window_id), response)


@router.put("/windows/{window_id}/review", response_model=dict[str, Any])
def edit_review(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: ReviewFields,
    response: Response,
) -> Any:
    """Write the review's own parts: went well, could improve, lessons, incidents added."""
    return answer(handlers.edit_review(deps, who, version, window_id, body), response)


@router.post("/windows/{window_id}/actions", status_code=201, response_model=dict[str, Any])
def add_action(
    deps: AppDeps, who: Who, window_id: str, body: ActionFields, response: Response
) -> Any:
    """Add an action item: what, an enabled owner, a due date or instant."""
    return answer(handlers.add_action(deps, who, window_id, body), response)


@router.get("/actions", response_model=list[dict[str, Any]])
def list_actions(
    deps: AppDeps,
    who: Who,
    response: Response,
    open: bool = False,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ROW_ID)] = None,
    limit: Annotated[int | None, Query(ge=1, le=bounds.PAGE_MAX)] = None,
) -> Any:
    """Action items in the order added; the next page in the Link header."""
    reply = handlers.list_actions(deps, who, open, owner, after, limit)
    return answer(reply, response)


@router.post("/actions/{action_id}/done", response_model=dict[str, Any])
def action_done(
    deps: AppDeps,
    who: Who,
    action_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    response: Response,
) -> Any:
    """Mark an action item done."""
    return answer(handlers.action_done(deps, who, action_id), response)


@router.post("/windows/{window_id}/close", response_model=dict[str, Any])
def close_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: CloseFields,
    response: Response,
) -> Any:
    """completed or rolled_back → closed; an admin may force it with a reason."""
    return answer(handlers.close_window(deps, who, version, window_id, body), response)
