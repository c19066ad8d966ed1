"""/api/v1/jobs: the worker's job table, for operators to see what is pending, failed, dead.

Thin wrappers: the bodies are in api/handlers/jobs.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import jobs as handlers
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["jobs"])


@router.get("/jobs", response_model=list[dict[str, Any]])
def list_jobs(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)] = bounds.PAGE_DEFAULT,
    before: Annotated[
        int | None, Query(ge=1, le=handlers.MAX_JOB_ID, description="the id of the last job seen")
    ] = None,
    status: Annotated[
        str | None, Query(max_length=16, description="pending, running, done or dead")
    ] = None,
) -> Any:
    """Jobs newest first; the next page in the Link header."""
    return answer(handlers.list_jobs(deps, who, limit, before, status), response)
