"""Who is asking: a bearer token on a server; the local identity in the CLI's in-process app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from maintctl.api.deps import AppDeps
from maintctl.domain.roles import Principal
from maintctl.services import accounts


def _principal(request: Request, deps: AppDeps) -> Principal:
    with deps.db.read() as session:
        if deps.local is not None:
            return accounts.local_principal(session, deps.local.os_user, deps.local.as_user)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return accounts.authenticate(session, token.strip() if scheme.lower() == "bearer" else None)


def _version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an If-Match header names ("3" or W/"3"); None for absent or *."""
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() else -1


Who = Annotated[Principal, Depends(_principal)]
# For routers whose every route only needs a known caller, whatever the role.
AUTHENTICATED = [Depends(_principal)]
IfMatch = Annotated[int | None, Depends(_version)]
