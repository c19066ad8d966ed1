"""/api/v1/emergencies: start an emergency, resolve one. Bodies in api/handlers/emergency.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from maintctl.api.auth import IfMatch, Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import emergency as handlers
from maintctl.api.handlers.emergency import EmergencyFields

router = APIRouter(prefix="/api/v1", tags=["emergencies"])


@router.post("/emergencies", response_model=dict[str, Any], status_code=201)
def start_emergency(deps: AppDeps, who: Who, body: EmergencyFields, response: Response) -> Any:
    """File an emergency (EMT-YYYYMMDDHHMM) and page vp-engineering or higher to sign it; the
    final signature starts it at once."""
    return answer(handlers.start_emergency(deps, who, body), response)


@router.post("/emergencies/{window_id}/resolve", response_model=dict[str, Any])
def resolve_emergency(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, response: Response
) -> Any:
    """Run the quick validation; completed when it passes, and its incident resolved."""
    return answer(handlers.resolve_emergency(deps, who, version, window_id), response)
