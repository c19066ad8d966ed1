"""/api/v1/check and /api/v1/slots: thin wrappers over api/handlers/schedule.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import schedule as handlers

router = APIRouter(prefix="/api/v1", tags=["schedule"])


@router.get("/check", response_model=dict[str, Any])
def check(
    deps: AppDeps,
    who: Who,
    response: Response,
    date: Annotated[str, Query(examples=["2024-12-29"])],
    systems: Annotated[str, Query(description="comma-separated")] = "",
) -> Any:
    return answer(handlers.check(deps, who, date, systems), response)


@router.get("/slots", response_model=list[dict[str, str]])
def slots(
    deps: AppDeps,
    who: Who,
    response: Response,
    type: str,
    duration: Annotated[str, Query(examples=["2h"])],
    systems: str = "",
    after: Annotated[
        str | None,
        Query(
            description="an instant, or a date (its start in UTC)",
            examples=["2024-12-20T00:00:00Z"],
        ),
    ] = None,
    count: int = 5,
) -> Any:
    reply = handlers.slots(deps, who, type, duration, systems, after, count)
    return answer(reply, response)
