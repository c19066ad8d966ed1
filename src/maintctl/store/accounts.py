"""Accounts and their tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.store.tables import TokenRow, UserRow


def user(session: Session, name: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.name == name))


def users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.name)))


def add_user(session: Session, name: str, role: str, email: str, at: datetime) -> UserRow:
    row = UserRow(name=name, role=role, email=email, disabled=False, created_at=at)
    session.add(row)
    session.flush()
    return row


def add_token(session: Session, owner: UserRow, token_hash: str, at: datetime) -> TokenRow:
    row = TokenRow(user_id=owner.id, token_hash=token_hash, created_at=at)
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
