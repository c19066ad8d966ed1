"""/api/v1/validations and /api/v1/windows/{id}/validations: runs of the configured checks,
started here, run by the server's worker, followed as their results arrive.

Thin wrappers: the bodies are in api/handlers/validation.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import validation as handlers
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["validation"])

NEXT_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"Link": {"description": 'the next page: <url>; rel="next"'}}}
}
Limit = Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)]


@router.post(
    "/validations",
    status_code=202,
    response_model=dict[str, Any],
    responses={202: {"headers": {"Location": {"description": "the run, to follow"}}}},
)
def start_validation(
    deps: AppDeps, who: Who, body: handlers.StartFields, response: Response
) -> Any:
    """Start a run of the configured checks (requester or higher); the worker runs it."""
    return answer(handlers.start_validation(deps, who, body), response)


@router.get("/validations/{run_id}", response_model=dict[str, Any], responses=NEXT_PAGE)
def show_validation(
    deps: AppDeps,
    who: Who,
    run_id: Annotated[str, Path(max_length=16, examples=["V-1"])],
    response: Response,
    after: Annotated[
        int | None,
        Query(ge=0, le=handlers.MAX_ROW_ID, description="the cursor of the last result seen"),
    ] = None,
    limit: Limit = bounds.PAGE_DEFAULT,
) -> Any:
    """A run and its results so far, past `after`."""
    return answer(handlers.show_validation(deps, who, run_id, after, limit), response)


@router.get(
    "/windows/{window_id}/validations", response_model=list[dict[str, Any]], responses=NEXT_PAGE
)
def window_validations(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    before: Annotated[
        int | None,
        Query(ge=0, le=handlers.MAX_ROW_ID, description="the number of the last run seen"),
    ] = None,
    limit: Limit = bounds.PAGE_DEFAULT,
) -> Any:
    """A window's validation runs, newest first; the next page in Link."""
    return answer(handlers.window_validations(deps, who, window_id, before, limit), response)


@router.get("/watches/{watch_id}", response_model=dict[str, Any])
def show_watch(
    deps: AppDeps,
    who: Who,
    watch_id: Annotated[str, Path(max_length=16, examples=["W-1"])],
    response: Response,
) -> Any:
    """A recovery watch: its rounds so far (each run's status and failures), then its verdict."""
    return answer(handlers.show_watch(deps, who, watch_id), response)
