"""Route bodies for /api/v1/calendar and /calendar.ics (see handlers/__init__.py)."""

from __future__ import annotations

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain.roles import Principal
from maintctl.services import calendar
from maintctl.services.deps import Deps


def month(deps: Deps, who: Principal, month: str) -> Reply:
    year, number, span = calendar.month_span(month)
    with deps.db.read() as session:
        items = calendar.month_items(deps, session, span)
    return Reply({"month": f"{year:04d}-{number:02d}", "items": [shapes.item(c) for c in items]})


def _matches(if_none_match: str | None, tag: str) -> bool:
    """If-None-Match compared weakly (RFC 9110 13.1.2): W/ and quotes aside, the same tag."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in if_none_match.split(","))


def feed(deps: Deps, who: Principal, if_none_match: str | None = None) -> Reply:
    """The feed as RFC 5545, streamed; 304 when If-None-Match names its current ETag."""
    with deps.db.read() as session:
        tag = calendar.export_tag(deps, session)
    # Calendar apps poll; the ETag lets them skip the body while nothing changed.
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if _matches(if_none_match, tag):
        return Reply(status=304, headers=headers)
    return Reply(headers=headers, media_type="text/calendar", stream=calendar.export(deps))
