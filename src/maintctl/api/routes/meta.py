"""/api/v1/policy, /api/v1/template, /api/v1/me and /healthz (the one route without a token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from maintctl.api.auth import AUTHENTICATED, Who
from maintctl.api.deps import AppDeps
from maintctl.api.openapi import REFUSALS, MarkdownResponse
from maintctl.domain import template

router = APIRouter(tags=["meta"])


@router.get("/api/v1/policy", dependencies=AUTHENTICATED, responses=REFUSALS)
def policy(deps: AppDeps) -> dict[str, Any]:
    return {"source": deps.config.source, "policy": deps.config.policy.as_json()}


@router.get(
    "/api/v1/template",
    response_class=MarkdownResponse,
    dependencies=AUTHENTICATED,
    responses=REFUSALS,
)
def blank_template() -> MarkdownResponse:
    return MarkdownResponse(template.blank_template())


@router.get("/api/v1/me", responses=REFUSALS)
def me(who: Who) -> dict[str, str]:
    return {"name": who.name, "role": who.role.value}


@router.get("/healthz")
def healthz(deps: AppDeps) -> dict[str, str]:
    with deps.db.read() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}
