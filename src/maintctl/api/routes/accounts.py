"""/api/v1/users and /api/v1/tokens: accounts and their API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from maintctl.api import shapes
from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps
from maintctl.domain import bounds
from maintctl.domain.times import format_instant
from maintctl.services import accounts
from maintctl.services.accounts import MAX_TOKEN_ID, Account, IssuedToken, TokenInfo

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: str
    email: str = ""


class NewRole(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None


def _account(a: Account) -> dict[str, Any]:
    return {
        "name": a.name,
        "role": a.role.value,
        "email": a.email,
        "disabled": a.disabled,
        "created_at": format_instant(a.created_at),
    }


def _issued(t: IssuedToken) -> dict[str, Any]:
    # The only response that ever carries a token: the caller sees it once.
    return {"name": t.account.name, "role": t.account.role.value, "token": t.secret, "id": t.id}


def _token(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "created_at": format_instant(t.created_at),
        "revoked_at": format_instant(t.revoked_at) if t.revoked_at else None,
        "issued_by": t.issued_by,
    }


@router.post("/users", status_code=201)
def add_user(deps: AppDeps, who: Who, body: NewUser) -> dict[str, Any]:
    with deps.db.write() as session:
        issued = accounts.add_user(session, who, body.name, body.role, body.email, deps.clock())
    return _issued(issued)


@router.get("/users")
def list_users(deps: AppDeps, who: Who) -> list[dict[str, Any]]:
    with deps.db.read() as session:
        return [_account(a) for a in accounts.list_users(session, who)]


@router.post("/users/{name}/disable")
def disable_user(deps: AppDeps, who: Who, name: str) -> dict[str, Any]:
    with deps.db.write() as session:
        return _account(accounts.disable_user(session, who, name, deps.clock()))


@router.post("/users/{name}/role")
def change_role(deps: AppDeps, who: Who, name: str, body: NewRole) -> dict[str, Any]:
    with deps.db.write() as session:
        return _account(accounts.change_role(session, who, name, body.role, deps.clock()))


@router.post("/tokens", status_code=201)
def create_token(deps: AppDeps, who: Who, body: NewToken) -> dict[str, Any]:
    with deps.db.write() as session:
        return _issued(accounts.create_token(session, who, body.name, deps.clock()))


@router.get("/tokens")
def list_tokens(deps: AppDeps, who: Who) -> list[dict[str, Any]]:
    with deps.db.read() as session:
        return [_token(t) for t in accounts.list_tokens(session, who)]


@router.post("/tokens/{token_id}/revoke")
def revoke_token(deps: AppDeps, who: Who, token_id: int) -> dict[str, Any]:
    with deps.db.write() as session:
        return _token(accounts.revoke_token(session, who, token_id, deps.clock()))


@router.get("/audit", tags=["audit"])
def audit_trail(
    deps: AppDeps,
    who: Who,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=bounds.PAGE_MAX)] = bounds.PAGE_DEFAULT,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_TOKEN_ID, description="the id of the last event seen")
    ] = None,
) -> list[dict[str, Any]]:
    """Account and token events, newest first; the next page in the Link header."""
    with deps.db.read() as session:
        rows = [shapes.account_event(r) for r in accounts.audit_trail(session, who, limit, before)]
    if len(rows) == limit:
        response.headers["Link"] = (
            f'</api/v1/audit?limit={limit}&before={rows[-1]["id"]}>; rel="next"'
        )
    return rows
