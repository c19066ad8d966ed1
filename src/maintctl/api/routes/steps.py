"""/api/v1/windows/{id}/steps, /log and /rollback: walking a window's steps.

Thin wrappers: the bodies are in api/handlers/steps.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from maintctl.api.auth import IfMatch, Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import steps as handlers
from maintctl.api.handlers.steps import BeginFields, FinishFields, LogFields, RollbackFields
from maintctl.api.routes.windows import NEXT_PAGE
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["execution"])


@router.get("/windows/{window_id}/steps", response_model=dict[str, Any])
def window_steps(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    """Each phase's steps with their last result, where `run` resumes, and the signed check."""
    return answer(handlers.window_steps(deps, who, window_id), response)


@router.post("/windows/{window_id}/steps", status_code=201, response_model=dict[str, Any])
def begin_step(
    deps: AppDeps, who: Who, window_id: str, body: BeginFields, response: Response
) -> Any:
    """A step runs now: only on a window in the phase's state whose signed fields match."""
    return answer(handlers.begin_step(deps, who, window_id, body), response)


@router.post("/windows/{window_id}/steps/{result_id}/finish", response_model=dict[str, Any])
def finish_step(
    deps: AppDeps,
    who: Who,
    window_id: str,
    result_id: Annotated[int, Path(ge=1, le=handlers.MAX_ROW_ID)],
    body: FinishFields,
    response: Response,
) -> Any:
    """How a running step ended: passed, failed, skipped or timed_out."""
    return answer(handlers.finish_step(deps, who, window_id, result_id, body), response)


@router.post("/windows/{window_id}/log", status_code=201, response_model=dict[str, Any])
def append_log(deps: AppDeps, who: Who, window_id: str, body: LogFields, response: Response) -> Any:
    """Append lines to the window's execution log (bounded; past the cap one marker line)."""
    return answer(handlers.append_log(deps, who, window_id, body), response)


@router.get("/windows/{window_id}/log", response_model=list[dict[str, Any]], responses=NEXT_PAGE)
def window_log(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    limit: Annotated[
        int | None, Query(ge=1, le=bounds.PAGE_MAX, description=f"default {bounds.PAGE_DEFAULT}")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=handlers.MAX_ROW_ID, description="the last seq seen")
    ] = None,
) -> Any:
    """The window's execution log, oldest first; the next page in the Link header."""
    return answer(handlers.window_log(deps, who, window_id, limit, after), response)


@router.post("/windows/{window_id}/rollback", response_model=dict[str, Any])
def rollback_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: RollbackFields,
    response: Response,
) -> Any:
    """in_progress|verifying → rolled_back (run the rollback steps first: maintctl rollback)."""
    return answer(handlers.rollback_window(deps, who, version, window_id, body), response)
