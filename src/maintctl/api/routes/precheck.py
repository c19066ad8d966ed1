"""/api/v1/windows/{id}/precheck, /acks and /checklists: readiness and the after-care.

Thin wrappers: the bodies are in api/handlers/precheck.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import aftercare
from maintctl.api.handlers import precheck as handlers
from maintctl.api.handlers.precheck import AckFields

router = APIRouter(prefix="/api/v1", tags=["readiness"])


@router.get("/windows/{window_id}/precheck", response_model=dict[str, Any])
def window_precheck(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    """The precheck: each item [OK] or [FAIL] with what is missing and how to fix it."""
    return answer(handlers.window_precheck(deps, who, window_id), response)


@router.post("/windows/{window_id}/acks", response_model=dict[str, Any])
def window_ack(deps: AppDeps, who: Who, window_id: str, body: AckFields, response: Response) -> Any:
    """Acknowledge an attested checklist item as yourself (`undo`: withdraw it)."""
    return answer(handlers.window_ack(deps, who, window_id, body), response)


@router.get("/windows/{window_id}/checklists", response_model=dict[str, Any])
def window_checklists(deps: AppDeps, who: Who, window_id: str, response: Response) -> Any:
    """The post-maintenance lists of a window that ran: items, who acked them, due, overdue."""
    return answer(aftercare.window_checklists(deps, who, window_id), response)
