"""/api/v1/policy, /api/v1/template, /api/v1/me, and /healthz and /health (without a token).

Thin wrappers over api/handlers/meta.py and health.py; the CLI never asks /healthz or /health.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import health as health_handler
from maintctl.api.handlers import meta as handlers
from maintctl.api.openapi import REFUSALS, MarkdownResponse

router = APIRouter(tags=["meta"])


@router.get("/api/v1/policy", response_model=dict[str, Any], responses=REFUSALS)
def policy(deps: AppDeps, who: Who, response: Response) -> Any:
    return answer(handlers.policy(deps.config, who), response)


@router.get("/api/v1/template", response_class=MarkdownResponse, responses=REFUSALS)
def blank_template(who: Who, response: Response) -> Any:
    return answer(handlers.blank_template(who), response)


@router.get("/api/v1/me", response_model=dict[str, str], responses=REFUSALS)
def me(who: Who, response: Response) -> Any:
    return answer(handlers.me(who), response)


@router.get("/healthz")
def healthz(deps: AppDeps) -> dict[str, str]:
    with deps.db.read() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get(
    "/health",
    responses={
        200: {"content": {health_handler.MEDIA_TYPE: {}}},
        503: {"content": {health_handler.MEDIA_TYPE: {}}},
    },
)
def health(deps: AppDeps) -> Any:
    """draft-inadarei-api-health-check: the database, the worker's last beat, the config hash."""
    from fastapi.responses import JSONResponse

    reply = health_handler.health(deps)
    headers = {"Cache-Control": "no-store"}
    return JSONResponse(reply.body, reply.status, headers, media_type=reply.media_type)
