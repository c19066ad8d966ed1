"""Route bodies for /api/v1/notifications and a window's notification log (see __init__.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from pydantic import Field

from maintctl.api.handlers import Reply
from maintctl.domain import bounds, pages
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import notices
from maintctl.services.deps import Deps
from maintctl.store.notifications import Attempt, Notification

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
Limit = Annotated[int, Field(ge=1, le=bounds.PAGE_MAX)]
After = Annotated[int | None, Field(ge=0, le=MAX_ROW_ID)]
Status = Annotated[str | None, Field(max_length=16)]
Cursor = Annotated[str | None, Field(max_length=200)]


def _when(at: Any) -> str | None:
    return format_instant(at) if at is not None else None


def brief(row: Notification) -> dict[str, Any]:
    """The fields `notify pending --json` promises."""
    return {
        "id": notices.label(row.id),
        "window": row.window,
        "kind": row.kind,
        "audience": row.audience,
        "channel": row.channel,
        "due_at": _when(row.due_at),
        "status": row.status,
    }


def full(row: Notification) -> dict[str, Any]:
    return {
        **brief(row),
        "manual": row.manual,
        "sent_at": _when(row.sent_at),
        "sent_by": row.sent_by,
    }


def _attempt(a: Attempt) -> dict[str, Any]:
    return {"at": format_instant(a.at), "ok": a.ok, "result": a.result}


def _cursor(cursor: str | None) -> tuple[Any, int] | None:
    if not cursor:
        return None
    key = pages.decode(cursor)
    if not key.id.startswith("N-") or not key.id[2:].isdigit():
        problem = Problem("cursor", "bad-cursor", "is not a cursor this server gave", "start again")
        raise RuleViolation([problem])
    return key.start, int(key.id[2:])


def list_notifications(
    deps: Deps,
    who: Principal,
    status: Status = None,
    limit: Limit = bounds.PAGE_DEFAULT,
    cursor: Cursor = None,
) -> Reply:
    """Notifications by due time: those still to go unless `status` names one; paged."""
    with deps.db.read() as session:
        rows = notices.pending(session, status, _cursor(cursor), limit)
    body = [brief(r) for r in rows]
    if len(rows) < limit or rows[-1].due_at is None:
        return Reply(body)
    nxt = pages.encode(pages.Key(rows[-1].due_at, notices.label(rows[-1].id)))
    query = {"limit": limit, "cursor": nxt, **({"status": status} if status else {})}
    return Reply(body, headers={"Link": f'</api/v1/notifications?{urlencode(query)}>; rel="next"'})


def show_notification(deps: Deps, who: Principal, notification_id: str) -> Reply:
    """One notification and its text as it would go now."""
    nid = notices.parse_label(notification_id)
    with deps.db.read() as session:
        row, rendered = notices.preview(deps, session, nid)
    text = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    return Reply({**full(row), **text})


def send_notification(deps: Deps, who: Principal, notification_id: str) -> Reply:
    """A person sends a manual draft: queued for the worker now (202)."""
    nid = notices.parse_label(notification_id)
    with deps.db.write() as session:
        row = notices.send(deps, session, nid, who)
    return Reply(full(row), 202)


def window_notifications(
    deps: Deps,
    who: Principal,
    window_id: str,
    limit: Limit = bounds.PAGE_DEFAULT,
    after: After = None,
) -> Reply:
    """Every notification of a window with every attempt, oldest first; paged by `after`."""
    with deps.db.read() as session:
        wid, found = notices.window_log(session, window_id, after, limit)
    body = [{**full(r), "attempts": [_attempt(a) for a in tries]} for r, tries in found]
    if len(found) < limit:
        return Reply(body)
    query = urlencode({"limit": limit, "after": found[-1][0].id})
    path = f"/api/v1/windows/{quote(wid, safe='')}/notifications?{query}"
    return Reply(body, headers={"Link": f'<{path}>; rel="next"'})
