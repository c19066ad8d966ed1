"""Accounts, tokens and who is asking."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from maintctl.domain.errors import ConflictError, NotFound, Problem, RuleViolation
from maintctl.domain.roles import (
    Principal,
    Role,
    Unauthenticated,
    forbid,
    require_admin,
)
from maintctl.store import accounts as store
from maintctl.store.tables import TokenRow, UserRow

TOKEN_PREFIX = "mct_"  # noqa: S105 - a visible prefix that marks maintctl tokens, not a secret
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    email: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A token as shown once, at creation. `secret` is never stored."""

    id: int
    account: Account
    secret: str


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _account(row: UserRow) -> Account:
    return Account(row.name, Role(row.role), row.email, row.disabled, row.created_at)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _unauthenticated(why: str) -> Unauthenticated:
    return Unauthenticated(
        [
            Problem(
                "token",
                "unauthenticated",
                why,
                "send Authorization: Bearer <token>; "
                "get one from an admin with maintctl user add or maintctl token create",
            )
        ]
    )


def authenticate(session: Session, secret: str | None) -> Principal:
    """The account a bearer token belongs to; 401 for a missing, unknown or revoked one."""
    if not secret:
        raise _unauthenticated("this server needs an API token")
    digest = hash_token(secret)
    found = store.by_token_hash(session, digest)
    # The lookup is by hash; the comparison below is constant-time all the same.
    if found is None or not hmac.compare_digest(found[0].token_hash, digest):
        raise _unauthenticated("the token is not valid")
    token, user = found
    if token.revoked_at is not None:
        raise _unauthenticated("the token was revoked")
    if user.disabled:
        raise _unauthenticated(f"the account {user.name} is disabled")
    return Principal(user.name, Role(user.role))


def local_principal(session: Session, os_user: str, as_user: str | None) -> Principal:
    """Local mode: the OS user with admin rights, or the named account (`--as`)."""
    if not as_user:
        return Principal(os_user, Role.ADMIN)
    row = store.user(session, as_user)
    if row is None or row.disabled:
        raise Unauthenticated(
            [
                Problem(
                    "as",
                    "unknown-account",
                    f"there is no enabled account {as_user!r} to act as",
                    f"add it with maintctl user add {as_user} --role ROLE, or leave --as out",
                )
            ]
        )
    return Principal(row.name, Role(row.role))


def _issue(session: Session, owner: UserRow, now: datetime) -> IssuedToken:
    # 32 random bytes: 256 bits, as the token's whole strength.
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = store.add_token(session, owner, hash_token(secret), now)
    return IssuedToken(row.id, _account(owner), secret)


def add_user(
    session: Session, who: Principal, name: str, role: str, email: str, now: datetime
) -> IssuedToken:
    """Create an account and its first token (admin only)."""
    require_admin(who, "adding an account")
    problems = []
    if not NAME.match(name):
        problems.append(
            Problem(
                "name",
                "account-name",
                f"{name!r} is not an account name",
                "use lower-case letters, digits, '.', '_' or '-' (at most 64)",
            )
        )
    try:
        parsed = Role(role)
    except ValueError:
        problems.append(
            Problem(
                "role",
                "unknown-role",
                f"{role!r} is not a role",
                f"use one of {', '.join(r.value for r in Role)}",
            )
        )
    if problems:
        raise RuleViolation(problems)
    if store.user(session, name) is not None:
        raise ConflictError(
            [
                Problem(
                    "name",
                    "account-taken",
                    f"there is already an account {name}",
                    "choose another name",
                )
            ]
        )
    row = store.add_user(session, name, parsed.value, email.strip(), now)
    return _issue(session, row, now)


def _require_user(session: Session, name: str) -> UserRow:
    row = store.user(session, name)
    if row is None:
        raise NotFound(
            [
                Problem(
                    "name",
                    "not-found",
                    f"there is no account {name}",
                    "list them with maintctl user list",
                )
            ]
        )
    return row


def list_users(session: Session, who: Principal) -> list[Account]:
    require_admin(who, "listing accounts")
    return [_account(r) for r in store.users(session)]


def disable_user(session: Session, who: Principal, name: str) -> Account:
    require_admin(who, "disabling an account")
    row = _require_user(session, name)
    row.disabled = True
    session.flush()
    return _account(row)


def create_token(session: Session, who: Principal, name: str | None, now: datetime) -> IssuedToken:
    """A new token for yourself, or (admin) for another account."""
    target = name or who.name
    if target != who.name:
        require_admin(who, f"creating a token for {target}")
    return _issue(session, _require_user(session, target), now)


def _info(token: TokenRow, user: UserRow) -> TokenInfo:
    return TokenInfo(token.id, user.name, token.created_at, token.revoked_at)


def list_tokens(session: Session, who: Principal) -> list[TokenInfo]:
    """Your tokens; every token for admin."""
    owner = None if who.role == Role.ADMIN else _require_user(session, who.name)
    return [_info(t, u) for t, u in store.tokens(session, owner)]


def revoke_token(session: Session, who: Principal, token_id: int, now: datetime) -> TokenInfo:
    row = store.token(session, token_id)
    owner = session.get(UserRow, row.user_id) if row else None
    if row is None or owner is None:
        raise NotFound(
            [
                Problem(
                    "id",
                    "not-found",
                    f"there is no token {token_id}",
                    "list them with maintctl token list",
                )
            ]
        )
    if owner.name != who.name and who.role != Role.ADMIN:
        raise forbid(f"revoking token {token_id}", "its owner or admin")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return _info(row, owner)
