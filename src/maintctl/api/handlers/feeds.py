"""Route bodies for /api/v1/calendars (see handlers/__init__.py)."""

from __future__ import annotations

from maintctl.api.handlers import Reply
from maintctl.domain.roles import Principal
from maintctl.services import feeds
from maintctl.services.deps import Deps


def status(deps: Deps, who: Principal) -> Reply:
    return Reply({"calendars": [f.as_dict() for f in feeds.status(deps)]})


def refresh(deps: Deps, who: Principal) -> Reply:
    return Reply({"calendars": [f.as_dict() for f in feeds.refresh(deps, who)]})
