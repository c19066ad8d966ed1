"""Route bodies for the status page: /api/v2/*.json (Statuspage's), /status and /history.atom.

Public unless `status_page.public` is false (services/status.check_reader). Each answer is
encoded once per change of the page and carries an ETag: If-None-Match gets a 304.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from maintctl.api.handlers import Reply
from maintctl.api.handlers.calendar import _matches
from maintctl.domain.roles import Principal
from maintctl.services import status
from maintctl.services.deps import Deps

HTML = "text/html"
ATOM = "application/atom+xml"


def _reply(
    deps: Deps,
    who: Principal | None,
    if_none_match: str | None,
    name: str,
    make: Callable[[status.Built], Any],
    media_type: str = "application/json",
) -> Reply:
    status.check_reader(deps, who)
    built = status.current(deps)
    as_json = media_type == "application/json"
    body, encoded, tag = built.form(name, make, status.encode if as_json else bytes)
    public = deps.config.status_page.public
    headers = {
        "ETag": tag,
        "Last-Modified": format_datetime(built.doc.page.updated_at, usegmt=True),
        # Clients may keep a copy but must ask again (a cheap 304) before they show it.
        "Cache-Control": ("public" if public else "private") + ", no-cache",
    }
    if public:
        # Statuspage's widgets read these paths from other sites' pages.
        headers["Access-Control-Allow-Origin"] = "*"
    if _matches(if_none_match, tag):
        return Reply(status=304, headers=headers)
    # `body` for the CLI's local transport, `stream` (the same body, encoded) for the route.
    return Reply(
        body if as_json else None, headers=headers, media_type=media_type, stream=(encoded,)
    )


def summary(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "summary", status.summary)


def overall(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "status", status.status)


def components(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "components", status.components)


def maintenances(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "every", lambda b: status.maintenances(b, "every"))


def upcoming(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(
        deps, who, if_none_match, "upcoming", lambda b: status.maintenances(b, "upcoming")
    )


def active(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "active", lambda b: status.maintenances(b, "active"))


def incidents(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "incidents", lambda b: status.incidents(b, False))


def unresolved(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    return _reply(deps, who, if_none_match, "unresolved", lambda b: status.incidents(b, True))


def page(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    from maintctl import web

    return _reply(deps, who, if_none_match, "html", lambda b: web.status_html(b.doc, b.links), HTML)


def feed(deps: Deps, who: Principal | None, if_none_match: str | None = None) -> Reply:
    from maintctl import web

    return _reply(
        deps, who, if_none_match, "atom", lambda b: web.history_atom(b.doc, b.links), ATOM
    )
