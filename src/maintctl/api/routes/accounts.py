"""/api/v1/users and /api/v1/tokens: accounts and their API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from maintctl.api.auth import Who
from maintctl.api.deps import AppDeps
from maintctl.domain.times import format_instant
from maintctl.services import accounts
from maintctl.services.accounts import Account, IssuedToken, TokenInfo

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: str
    email: str = ""


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
        return _account(accounts.disable_user(session, who, name))


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
