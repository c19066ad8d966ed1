"""Route body for a window's alert suppression: what is silenced where (see __init__.py)."""

from __future__ import annotations

from maintctl.api.handlers import Reply
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import suppression as service
from maintctl.services.deps import Deps


def window_suppression(deps: Deps, who: Principal, window_id: str) -> Reply:
    """Each silence of the window: provider, system, state, until when, its last failure."""
    with deps.db.read() as session:
        window, entries = service.status(deps, session, window_id, who)
    silences = [
        {
            "provider": e.provider,
            "system": e.system,
            "state": e.state,
            "external_id": e.external_id,
            "ends_at": format_instant(e.ends_at) if e.ends_at else None,
            "last_error": e.last_error,
            "attempts": e.attempts,
            "retry_at": format_instant(e.retry_at) if e.retry_at else None,
            "line": e.line,
        }
        for e in entries
    ]
    return Reply({"window": window.id, "status": window.status.value, "silences": silences})
