"""/api/v1/windows: create, list, show, modify, cancel, submit, approve, reject, history, and
the moves during a window: start, progress, complete, abort, updates.

Thin wrappers: the bodies are in api/handlers/windows.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import IfMatch, Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import lifecycle as moves
from maintctl.api.handlers import windows as handlers
from maintctl.api.handlers.lifecycle import AbortFields, ProgressFields, StartFields
from maintctl.api.handlers.windows import Comment, Reason, WindowFields
from maintctl.api.openapi import MARKDOWN
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["windows"])

NEXT_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"Link": {"description": 'the next page: <url>; rel="next"'}}}
}
Names = Annotated[list[str] | None, Query(description="repeatable, or a comma list")]


@router.get(
    "/windows",
    response_model=list[dict[str, Any]],
    responses=NEXT_PAGE,
)
def list_windows(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int | None, Query(description=f"default {bounds.PAGE_DEFAULT}")] = None,
    cursor: Annotated[str | None, Query(description="from the Link header; opaque")] = None,
    start: Annotated[
        str | None, Query(alias="from", description="windows ending after this instant or date")
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="windows starting before this instant or date")
    ] = None,
    system: Names = None,
    type: Names = None,
    status: Names = None,
    upcoming: bool = False,
) -> Any:
    reply = handlers.list_windows(
        deps, who, limit, cursor, start, end, system, type, status, upcoming
    )
    return answer(reply, response)


@router.post("/windows", status_code=201, response_model=dict[str, Any])
def create_window(deps: AppDeps, who: Who, body: WindowFields, response: Response) -> Any:
    return answer(handlers.create_window(deps, who, body), response)


@router.get("/windows/{window_id}", response_model=None, responses={200: MARKDOWN})
def show_window(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
) -> Any:
    return answer(handlers.show_window(deps, who, window_id, format), response)


@router.patch("/windows/{window_id}", response_model=dict[str, Any])
def modify_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: WindowFields,
    response: Response,
) -> Any:
    reply = handlers.modify_window(deps, who, version, window_id, body)
    return answer(reply, response)


@router.post("/windows/{window_id}/cancel", response_model=dict[str, Any])
def cancel_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Reason, response: Response
) -> Any:
    reply = handlers.cancel_window(deps, who, version, window_id, body)
    return answer(reply, response)


@router.post("/windows/{window_id}/submit", response_model=dict[str, Any])
def submit_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, response: Response
) -> Any:
    reply = handlers.submit_window(deps, who, version, window_id)
    return answer(reply, response)


@router.post("/windows/{window_id}/approve", response_model=dict[str, Any])
def approve_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Comment, response: Response
) -> Any:
    reply = handlers.approve_window(deps, who, version, window_id, body)
    return answer(reply, response)


@router.post("/windows/{window_id}/reject", response_model=dict[str, Any])
def reject_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Reason, response: Response
) -> Any:
    reply = handlers.reject_window(deps, who, version, window_id, body)
    return answer(reply, response)


@router.get("/windows/{window_id}/history", response_model=list[dict[str, Any]])
def window_history(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    return answer(handlers.window_history(deps, who, window_id), response)


@router.post("/windows/{window_id}/start", response_model=dict[str, Any])
def start_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: StartFields,
    response: Response,
) -> Any:
    """scheduled → in_progress; more than 15 minutes early needs `early`."""
    return answer(moves.start_window(deps, who, version, window_id, body), response)


@router.post("/windows/{window_id}/progress", status_code=201, response_model=dict[str, Any])
def progress_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: ProgressFields,
    response: Response,
) -> Any:
    """One MAINTENANCE UPDATE of a window in progress."""
    return answer(moves.progress_window(deps, who, version, window_id, body), response)


@router.post("/windows/{window_id}/complete", response_model=dict[str, Any])
def complete_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, response: Response
) -> Any:
    """Record the actual end; verifying, then completed at once while no validation is set."""
    return answer(moves.complete_window(deps, who, version, window_id), response)


@router.post("/windows/{window_id}/abort", response_model=dict[str, Any])
def abort_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: AbortFields,
    response: Response,
) -> Any:
    """in_progress → cancelled, with the reason."""
    return answer(moves.abort_window(deps, who, version, window_id, body), response)


@router.get(
    "/windows/{window_id}/updates", response_model=list[dict[str, Any]], responses=NEXT_PAGE
)
def window_updates(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    limit: Annotated[
        int | None, Query(ge=1, le=bounds.PAGE_MAX, description=f"default {bounds.PAGE_DEFAULT}")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=moves.MAX_ROW_ID, description="the id of the last update seen")
    ] = None,
) -> Any:
    """A window's progress updates, oldest first; the next page in the Link header."""
    return answer(moves.window_updates(deps, who, window_id, limit, after), response)


@router.get("/approvals/pending", response_model=list[dict[str, Any]], responses=NEXT_PAGE)
def pending_approvals(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int | None, Query(description=f"default {bounds.PAGE_DEFAULT}")] = None,
    cursor: Annotated[str | None, Query(description="from the Link header; opaque")] = None,
) -> Any:
    return answer(handlers.pending_approvals(deps, who, limit, cursor), response)
