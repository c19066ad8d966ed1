"""/api/v1/calendars: how fresh each outside calendar feed is, and refreshing them now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from maintctl.api.auth import AUTHENTICATED, Who
from maintctl.api.deps import AppDeps
from maintctl.services import feeds

router = APIRouter(tags=["calendars"])


@router.get("/api/v1/calendars", dependencies=AUTHENTICATED)
def status(deps: AppDeps) -> dict[str, Any]:
    return {"calendars": [f.as_dict() for f in feeds.status(deps)]}


@router.post("/api/v1/calendars/refresh")
def refresh(deps: AppDeps, who: Who) -> dict[str, Any]:
    return {"calendars": [f.as_dict() for f in feeds.refresh(deps, who)]}
