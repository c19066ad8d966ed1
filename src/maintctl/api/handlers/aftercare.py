"""Route bodies for the post-maintenance checklists (see __init__.py)."""

from __future__ import annotations

from typing import Any

from maintctl.api.handlers import Reply
from maintctl.api.handlers.precheck import line
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import aftercare as service
from maintctl.services.deps import Deps


def window_checklists(deps: Deps, who: Principal, window_id: str) -> Reply:
    """Every post-maintenance list of a window that ran: each item, who acked it and when."""
    report = service.checklists(deps, window_id, who)
    lists = []
    for found in report.lists:
        overdue = found.overdue(report.now)
        items = [
            {
                **line(e.line),
                "overdue": overdue and not e.line.ok,
                "acks": [{"account": a.account, "at": format_instant(a.at)} for a in e.acks],
            }
            for e in found.entries
        ]
        lists.append(
            {
                "name": found.name,
                "due": format_instant(found.due),
                "done": found.done,
                "overdue": overdue,
                "items": items,
            }
        )
    body: dict[str, Any] = {
        "window": report.window,
        "status": report.status,
        "completed_at": format_instant(report.completed_at),
        "lists": lists,
    }
    return Reply(body)
