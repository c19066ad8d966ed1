"""/api/v1/users, /api/v1/tokens and /api/v1/audit: accounts, their API tokens, their events.

Thin wrappers: the bodies are in api/handlers/accounts.py, which the CLI's local mode calls too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps, answer
from maintctl.api.handlers import accounts as handlers
from maintctl.api.handlers.accounts import NewRole, NewToken, NewUser, UserChange
from maintctl.domain import bounds
from maintctl.services.accounts import MAX_TOKEN_ID

router = APIRouter(prefix="/api/v1", tags=["accounts"])

OBJECT = dict[str, Any]
OBJECTS = list[dict[str, Any]]


@router.post("/users", status_code=201, response_model=OBJECT)
def add_user(deps: AppDeps, who: Who, body: NewUser, response: Response) -> Any:
    return answer(handlers.add_user(deps, who, body), response)


@router.get("/users", response_model=OBJECTS)
def list_users(deps: AppDeps, who: Who, response: Response) -> Any:
    return answer(handlers.list_users(deps, who), response)


@router.patch("/users/{name}", response_model=OBJECT)
def modify_user(deps: AppDeps, who: Who, name: str, body: UserChange, response: Response) -> Any:
    return answer(handlers.modify_user(deps, who, name, body), response)


@router.post("/users/{name}/disable", response_model=OBJECT)
def disable_user(deps: AppDeps, who: Who, name: str, response: Response) -> Any:
    return answer(handlers.disable_user(deps, who, name), response)


@router.post("/users/{name}/role", response_model=OBJECT)
def change_role(deps: AppDeps, who: Who, name: str, body: NewRole, response: Response) -> Any:
    return answer(handlers.change_role(deps, who, name, body), response)


@router.post("/tokens", status_code=201, response_model=OBJECT)
def create_token(deps: AppDeps, who: Who, body: NewToken, response: Response) -> Any:
    return answer(handlers.create_token(deps, who, body), response)


@router.get("/tokens", response_model=OBJECTS)
def list_tokens(deps: AppDeps, who: Who, response: Response) -> Any:
    return answer(handlers.list_tokens(deps, who), response)


@router.post("/tokens/{token_id}/revoke", response_model=OBJECT)
def revoke_token(deps: AppDeps, who: Who, token_id: int, response: Response) -> Any:
    return answer(handlers.revoke_token(deps, who, token_id), response)


@router.get("/audit", tags=["audit"], response_model=OBJECTS)
def audit_trail(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)] = bounds.PAGE_DEFAULT,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_TOKEN_ID, description="the id of the last event seen")
    ] = None,
) -> Any:
    """Account and token events, newest first; the next page in the Link header."""
    return answer(handlers.audit_trail(deps, who, limit, before), response)
