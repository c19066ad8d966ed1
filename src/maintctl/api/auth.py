"""Who is asking: a bearer token on a server; the local identity in the CLI's in-process app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from maintctl.api.deps import AppDeps
from maintctl.domain.roles import Principal
from maintctl.services import accounts

# Declared so the OpenAPI document names the scheme; the decision is the service's.
_bearer = HTTPBearer(auto_error=False, description="an API token from maintctl user add")


def _principal(
    deps: AppDeps,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    with deps.db.read() as session:
        if deps.local is not None:
            return accounts.local_principal(session, deps.local.os_user, deps.local.as_user)
        return accounts.authenticate(session, credentials.credentials if credentials else None)


def _feed_principal(
    deps: AppDeps,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: Annotated[
        str | None,
        Query(description="for calendar apps that cannot send headers: a viewer account's token"),
    ] = None,
) -> Principal:
    """The calendar feed also takes its token in the URL, as subscribed calendars need."""
    with deps.db.read() as session:
        if deps.local is not None:
            return accounts.local_principal(session, deps.local.os_user, deps.local.as_user)
        secret = credentials.credentials if credentials else token
        return accounts.authenticate(session, secret)


def _status_reader(
    deps: AppDeps,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The status page's reader: nobody in particular (None) unless a token is needed.

    A public page ignores any token sent, as /health does (a widget's stale token must not
    break it), and reads no database here; on a private page a token sent must be good, and
    whether nobody may read it is the service's decision (services/status.check_reader).
    """
    if deps.local is None and (credentials is None or deps.config.status_page.public):
        return None
    return _principal(deps, credentials)


def _metrics_reader(
    deps: AppDeps,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """/metrics: nobody in particular when `metrics.public`, else a signed-in account."""
    if deps.local is None and deps.config.metrics.public:
        return None
    return _principal(deps, credentials)


def _version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an If-Match header names ("3" or W/"3"); None for absent or *."""
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() else -1


Who = Annotated[Principal, Depends(_principal)]
# For routers whose every route only needs a known caller, whatever the role.
AUTHENTICATED = [Depends(_principal)]
FEED_READER = [Depends(_feed_principal)]
FeedReader = Annotated[Principal, Depends(_feed_principal)]
StatusReader = Annotated[Principal | None, Depends(_status_reader)]
MetricsReader = Annotated[Principal | None, Depends(_metrics_reader)]
IfMatch = Annotated[int | None, Depends(_version)]
