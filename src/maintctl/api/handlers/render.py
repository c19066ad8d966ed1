"""Route body for previewing a window's notice: GET /api/v1/windows/{id}/render."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from maintctl.api.handlers import Reply
from maintctl.domain.errors import RuleViolation
from maintctl.domain.roles import Principal
from maintctl.services import render
from maintctl.services.deps import Deps

Name = Annotated[str | None, Field(min_length=1, max_length=64)]


def render_window(
    deps: Deps,
    who: Principal,
    window_id: str,
    kind: Annotated[str, Field(min_length=1, max_length=64)],
    channel: Name = None,
    audience: Name = None,
) -> Reply:
    """The notice `kind` about a window, for an audience or a channel's; anyone may read it."""
    try:
        notice, done = render.preview(deps, window_id, kind, channel, audience)
    except render.TemplateFailure as exc:  # a template broken since startup: say which
        raise RuleViolation([exc.problem]) from None
    return Reply(
        {
            "window": notice.window.id,
            "kind": notice.kind,
            "audience": notice.audience,
            "channel": notice.channel.name if notice.channel else None,
            "subject": done.subject,
            "text": done.text,
            "html": done.html,
            "chat": done.chat,
        }
    )
