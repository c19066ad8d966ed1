"""Route bodies for /api/v1/users, /api/v1/tokens and /api/v1/audit (see handlers/__init__.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import accounts
from maintctl.services.accounts import MAX_TOKEN_ID, Account, IssuedToken, TokenInfo
from maintctl.services.deps import Deps


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: str
    email: str = ""
    apprise_url: str = Field(default="", repr=False)  # a secret: never echoed


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = None
    apprise_url: str | None = Field(default=None, repr=False)  # "" clears it


class NewRole(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None


# The audit page's bounds, as the route's Query declares them (the local transport checks them).
Limit = Annotated[int, Field(ge=1, le=bounds.PAGE_MAX)]
Before = Annotated[int | None, Field(ge=1, le=MAX_TOKEN_ID)]


def _account(a: Account) -> dict[str, Any]:
    return {
        "name": a.name,
        "role": a.role.value,
        "email": a.email,
        "disabled": a.disabled,
        "created_at": format_instant(a.created_at),
        # The URL carries the service's tokens: only whether there is one.
        "apprise_url": "set" if a.apprise_url_set else "not set",
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


def add_user(deps: Deps, who: Principal, body: NewUser) -> Reply:
    with deps.db.write() as session:
        issued = accounts.add_user(
            session, who, body.name, body.role, body.email, deps.clock(), body.apprise_url
        )
    return Reply(_issued(issued), 201)


def modify_user(deps: Deps, who: Principal, name: str, body: UserChange) -> Reply:
    with deps.db.write() as session:
        changed = accounts.modify_user(
            session, who, name, deps.clock(), email=body.email, apprise_url=body.apprise_url
        )
    return Reply(_account(changed))


def list_users(deps: Deps, who: Principal) -> Reply:
    with deps.db.read() as session:
        return Reply([_account(a) for a in accounts.list_users(session, who)])


def disable_user(deps: Deps, who: Principal, name: str) -> Reply:
    with deps.db.write() as session:
        return Reply(_account(accounts.disable_user(session, who, name, deps.clock())))


def change_role(deps: Deps, who: Principal, name: str, body: NewRole) -> Reply:
    with deps.db.write() as session:
        return Reply(_account(accounts.change_role(session, who, name, body.role, deps.clock())))


def create_token(deps: Deps, who: Principal, body: NewToken) -> Reply:
    with deps.db.write() as session:
        return Reply(_issued(accounts.create_token(session, who, body.name, deps.clock())), 201)


def list_tokens(deps: Deps, who: Principal) -> Reply:
    with deps.db.read() as session:
        return Reply([_token(t) for t in accounts.list_tokens(session, who)])


def revoke_token(deps: Deps, who: Principal, token_id: int) -> Reply:
    with deps.db.write() as session:
        return Reply(_token(accounts.revoke_token(session, who, token_id, deps.clock())))


def audit_trail(
    deps: Deps, who: Principal, limit: Limit = bounds.PAGE_DEFAULT, before: Before = None
) -> Reply:
    """Account and token events, newest first; the next page in the Link header."""
    with deps.db.read() as session:
        rows = [shapes.account_event(r) for r in accounts.audit_trail(session, who, limit, before)]
    if len(rows) < limit:
        return Reply(rows)
    following = f'</api/v1/audit?limit={limit}&before={rows[-1]["id"]}>; rel="next"'
    return Reply(rows, headers={"Link": following})
