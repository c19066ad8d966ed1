"""Accounts, tokens and who is asking."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds
from maintctl.domain.errors import ConflictError, NotFound, Problem, RuleViolation
from maintctl.domain.roles import (
    Principal,
    Role,
    Unauthenticated,
    account_name_problem,
    require_admin,
)
from maintctl.store import accounts as store
from maintctl.store.tables import AccountEventRow, TokenRow, UserRow

TOKEN_PREFIX = "mct_"  # noqa: S105 - a visible prefix that marks maintctl tokens, not a secret
# Token ids are int4 on PostgreSQL: a larger one names no token, and must not reach the query.
MAX_TOKEN_ID = 2**31 - 1


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    email: str
    disabled: bool
    created_at: datetime
    # Whether the account has its own Apprise URL; the URL itself is a secret, never shown.
    apprise_url_set: bool = False


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
    issued_by: str | None = None


def _account(row: UserRow) -> Account:
    return Account(
        row.name, Role(row.role), row.email, row.disabled, row.created_at, bool(row.apprise_url)
    )


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
    return Principal(user.name, Role(user.role), token.id, token.issued_by)


def local_principal(session: Session, os_user: str, as_user: str | None) -> Principal:
    """Local mode: the OS user with admin rights, or the named account (`--as`)."""
    if not as_user:
        return Principal.local_admin(os_user)
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
    return Principal(row.name, Role(row.role), local_user=os_user)


def _event(
    session: Session, who: Principal, action: str, account: str, now: datetime, **detail: Any
) -> None:
    """One row of the account audit trail, with the credential the actor used."""
    store.record_event(session, now, who.name, action, account, {**detail, **who.credential})


def _issue(session: Session, who: Principal, owner: UserRow, now: datetime) -> IssuedToken:
    # 32 random bytes: 256 bits, as the token's whole strength.
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = store.add_token(session, owner, hash_token(secret), now, issued_by=who.name)
    _event(session, who, "token-create", owner.name, now, token_id=row.id)
    return IssuedToken(row.id, _account(owner), secret)


def _parse_role(role: str) -> tuple[Role | None, list[Problem]]:
    try:
        return Role(role), []
    except ValueError:
        return None, [
            Problem(
                "role",
                "unknown-role",
                f"{role[:64]!r} is not a role",
                f"use one of {', '.join(r.value for r in Role)}",
            )
        ]


def _apprise_problems(url: str) -> list[Problem]:
    """An account's Apprise URL: a line within its bound that Apprise can parse ("" clears it).

    No problem quotes the URL: it carries the service's tokens.
    """
    problems = bounds.text_problems("apprise_url", url, "apprise_url", multiline=False)
    if problems or not url.strip():
        return problems
    from maintctl.channels import apprise  # heavy: loaded only when a URL is given

    if apprise.parses(url.strip()):
        return []
    return [
        Problem(
            "apprise_url",
            "apprise-url",
            "Apprise cannot parse this URL (its scheme or form is unknown)",
            "see https://github.com/caronc/apprise/wiki for the URL of your service",
        )
    ]


def add_user(
    session: Session,
    who: Principal,
    name: str,
    role: str,
    email: str,
    now: datetime,
    apprise_url: str = "",
) -> IssuedToken:
    """Create an account and its first token (admin only)."""
    require_admin(who, "adding an account")
    parsed, problems = _parse_role(role)
    if problem := account_name_problem(name):
        problems.insert(0, problem)
    problems += bounds.text_problems("email", email, "email", multiline=False)
    problems += _apprise_problems(apprise_url)
    if problems or parsed is None:
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
    row.apprise_url = apprise_url.strip() or None
    detail = {"role": parsed.value, "email": row.email, "apprise_url": _set(row.apprise_url)}
    _event(session, who, "user-add", name, now, **detail)
    return _issue(session, who, row, now)


def _set(secret: str | None) -> str:
    """How a secret shows in JSON and the audit trail: only whether it is there."""
    return "set" if secret else "not set"


def modify_user(
    session: Session,
    who: Principal,
    name: str,
    now: datetime,
    *,
    email: str | None = None,
    apprise_url: str | None = None,
) -> Account:
    """Change an account's email or Apprise URL (admin only; "" clears one)."""
    require_admin(who, "changing an account")
    problems = (
        [] if email is None else bounds.text_problems("email", email, "email", multiline=False)
    )
    problems += [] if apprise_url is None else _apprise_problems(apprise_url)
    if problems:
        raise RuleViolation(problems)
    row = _require_user(session, name)
    detail: dict[str, Any] = {}
    if email is not None:
        row.email = email.strip()
        detail["email"] = row.email
    if apprise_url is not None:
        row.apprise_url = apprise_url.strip() or None
        detail["apprise_url"] = _set(row.apprise_url)
    session.flush()
    if detail:
        _event(session, who, "user-modify", name, now, **detail)
    return _account(row)


def require_enabled(session: Session, name: str, field: str, fix: str) -> str:
    """`name` when it is an enabled account (a lead, an action's owner), else a problem naming
    `field` and the fix."""
    if problem := account_name_problem(name, field):
        raise RuleViolation([problem])
    row = store.user(session, name)
    if row is None or row.disabled:
        state = "disabled" if row is not None else "unknown"
        message = f"{name} is not an enabled account ({state})"
        raise RuleViolation([Problem(field, "unknown-account", message, fix)])
    return name


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


def disable_user(session: Session, who: Principal, name: str, now: datetime) -> Account:
    require_admin(who, "disabling an account")
    row = _require_user(session, name)
    row.disabled = True
    session.flush()
    _event(session, who, "user-disable", name, now)
    return _account(row)


def change_role(session: Session, who: Principal, name: str, role: str, now: datetime) -> Account:
    """Give an account another role (admin only); recorded in the account audit trail."""
    require_admin(who, "changing an account's role")
    parsed, problems = _parse_role(role)
    if problems or parsed is None:
        raise RuleViolation(problems)
    row = _require_user(session, name)
    before, row.role = row.role, parsed.value
    session.flush()
    _event(session, who, "role-change", name, now, **{"from": before, "to": parsed.value})
    return _account(row)


def create_token(session: Session, who: Principal, name: str | None, now: datetime) -> IssuedToken:
    """A new token for yourself, or (admin) for another account."""
    target = name or who.name
    if target != who.name:
        require_admin(who, f"creating a token for {target}")
    return _issue(session, who, _require_user(session, target), now)


def _info(token: TokenRow, user: UserRow) -> TokenInfo:
    return TokenInfo(token.id, user.name, token.created_at, token.revoked_at, token.issued_by)


def list_tokens(session: Session, who: Principal) -> list[TokenInfo]:
    """Your tokens; every token for admin."""
    owner = None if who.role == Role.ADMIN else _require_user(session, who.name)
    return [_info(t, u) for t, u in store.tokens(session, owner)]


def revoke_token(session: Session, who: Principal, token_id: int, now: datetime) -> TokenInfo:
    """Revoke a token; someone else's answers exactly as one that does not exist (non-admin)."""
    row = store.token(session, token_id) if 1 <= token_id <= MAX_TOKEN_ID else None
    owner = session.get(UserRow, row.user_id) if row else None
    if row is None or owner is None or (owner.name != who.name and who.role != Role.ADMIN):
        # The same answer either way, so a non-admin cannot learn which token ids exist.
        raise NotFound(
            [
                Problem(
                    "id",
                    "not-found",
                    f"you have no token {token_id}",
                    "list yours with maintctl token list",
                )
            ]
        )
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
        _event(session, who, "token-revoke", owner.name, now, token_id=row.id)
    return _info(row, owner)


def audit_trail(
    session: Session, who: Principal, limit: int, before: int | None = None
) -> list[AccountEventRow]:
    """The account audit trail, newest first (admin only)."""
    require_admin(who, "reading the account audit trail")
    return store.events(session, limit, before)
