"""/api/v1/windows/{id}/suppression: a window's alert silences.

A thin wrapper: the body is in api/handlers/suppression.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import suppression as handlers

router = APIRouter(prefix="/api/v1", tags=["execution"])


@router.get("/windows/{window_id}/suppression", response_model=dict[str, Any])
def window_suppression(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    """What is silenced where for the window, until when, and any failure in plain words."""
    return answer(handlers.window_suppression(deps, who, window_id), response)
