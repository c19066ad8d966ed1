"""/api/v1/mode: maintenance mode and traffic mode.

Thin wrappers: the bodies are in api/handlers/mode.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import mode as handlers
from maintctl.api.handlers.mode import MaintenanceFields, TrafficFields
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["mode"])


@router.get("/mode", response_model=dict[str, Any])
def mode_status(deps: AppDeps, who: Who, response: Response) -> Any:
    """Maintenance and traffic mode: the global state, each scope's with who, why and until."""
    return answer(handlers.mode_status(deps, who), response)


@router.post("/mode/maintenance", response_model=dict[str, Any])
def set_maintenance(deps: AppDeps, who: Who, body: MaintenanceFields, response: Response) -> Any:
    """Switch maintenance mode on or off (team-lead or higher)."""
    return answer(handlers.set_maintenance(deps, who, body), response)


@router.post("/mode/traffic", response_model=dict[str, Any])
def set_traffic(deps: AppDeps, who: Who, body: TrafficFields, response: Response) -> Any:
    """Set the traffic mode: normal, read-only or maintenance (team-lead or higher)."""
    return answer(handlers.set_traffic(deps, who, body), response)


@router.get("/mode/changes", response_model=list[dict[str, Any]])
def mode_changes(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)] = bounds.PAGE_DEFAULT,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """The mode's audit trail: every change with who, why and where, newest first."""
    return answer(handlers.mode_changes(deps, who, limit, before), response)
