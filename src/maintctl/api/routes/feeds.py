"""/api/v1/calendars: how fresh each outside calendar feed is, and refreshing them now.

Thin wrappers: the bodies are in api/handlers/feeds.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import feeds as handlers

router = APIRouter(tags=["calendars"])


@router.get("/api/v1/calendars", response_model=dict[str, Any])
def status(deps: AppDeps, who: Who, response: Response) -> Any:
    return answer(handlers.status(deps, who), response)


@router.post("/api/v1/calendars/refresh", response_model=dict[str, Any])
def refresh(deps: AppDeps, who: Who, response: Response) -> Any:
    return answer(handlers.refresh(deps, who), response)
