"""Accounts and their tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.store.tables import AccountEventRow, TokenRow, UserRow


def user(session: Session, name: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.name == name))


def users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.name)))


def enabled_with_roles(session: Session, roles: list[str]) -> list[UserRow]:
    """The enabled accounts holding one of `roles`, by name."""
    query = select(UserRow).where(UserRow.role.in_(roles), UserRow.disabled.is_(False))
    return list(session.scalars(query.order_by(UserRow.name)))


def add_user(session: Session, name: str, role: str, email: str, at: datetime) -> UserRow:
    row = UserRow(name=name, role=role, email=email, disabled=False, created_at=at)
    session.add(row)
    session.flush()
    return row


def add_token(
    session: Session, owner: UserRow, token_hash: str, at: datetime, issued_by: str
) -> TokenRow:
    row = TokenRow(user_id=owner.id, token_hash=token_hash, created_at=at, issued_by=issued_by)
    session.add(row)
    session.flush()
    return row


def by_token_hash(session: Session, token_hash: str) -> tuple[TokenRow, UserRow] | None:
    found = session.execute(
        select(TokenRow, UserRow)
        .join(UserRow, TokenRow.user_id == UserRow.id)
        .where(TokenRow.token_hash == token_hash)
    ).first()
    return None if found is None else (found[0], found[1])


def token(session: Session, token_id: int) -> TokenRow | None:
    return session.get(TokenRow, token_id)


def tokens(session: Session, owner: UserRow | None = None) -> list[tuple[TokenRow, UserRow]]:
    query = select(TokenRow, UserRow).join(UserRow, TokenRow.user_id == UserRow.id)
    if owner is not None:
        query = query.where(TokenRow.user_id == owner.id)
    return [(t, u) for t, u in session.execute(query.order_by(TokenRow.id))]


def record_event(
    session: Session, at: datetime, actor: str, action: str, account: str, detail: dict[str, Any]
) -> None:
    """Append one account or token event, in the transaction of the change it records."""
    session.add(AccountEventRow(at=at, actor=actor, action=action, account=account, detail=detail))
    session.flush()


def events(session: Session, limit: int, before: int | None = None) -> list[AccountEventRow]:
    """Newest first; `before` is the id of the last event of the previous page (a keyset cursor)."""
    query = select(AccountEventRow).order_by(AccountEventRow.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AccountEventRow.id < before)
    return list(session.scalars(query))
