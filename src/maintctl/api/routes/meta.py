"""/api/v1/policy, /api/v1/template, /api/v1/me and /healthz (the one route without a token).

Thin wrappers over api/handlers/meta.py, except /healthz, which the CLI never asks.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
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
