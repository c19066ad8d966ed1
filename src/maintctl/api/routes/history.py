"""/api/v1/reports/sla and /api/v1/stats: thin wrappers over api/handlers/history.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import history as handlers
from maintctl.domain import bounds

router = APIRouter(prefix="/api/v1", tags=["history"])
NAME = bounds.TEXT_LIMITS["system"]


@router.get("/reports/sla", response_model=dict[str, Any])
def sla_report(
    deps: AppDeps,
    who: Who,
    response: Response,
    month: Annotated[str, Query(max_length=16, examples=["2026-11"])],
    component: Annotated[str | None, Query(max_length=NAME)] = None,
) -> Any:
    """A month's maintenance per component: minutes by type, what counts, availability."""
    return answer(handlers.sla_report(deps, who, month, component), response)


@router.get("/stats", response_model=dict[str, Any])
def stats(
    deps: AppDeps,
    who: Who,
    response: Response,
    type: Annotated[str | None, Query(max_length=NAME)] = None,
    system: Annotated[str | None, Query(max_length=NAME)] = None,
) -> Any:
    """Per type and system, how the windows of the last two years went."""
    return answer(handlers.stats(deps, who, type, system), response)


@router.get("/stats/duration", response_model=dict[str, Any])
def duration_hint(
    deps: AppDeps,
    who: Who,
    response: Response,
    type: Annotated[str, Query(max_length=bounds.TEXT_LIMITS["type"])],
    duration: Annotated[str, Query(max_length=32, examples=["1h30m"])],
    systems: Annotated[str, Query(max_length=20_000, description="comma-separated")] = "",
) -> Any:
    """A warning when `duration` is shorter than similar past windows ran at p75, else null."""
    return answer(handlers.duration_hint(deps, who, type, duration, systems), response)
