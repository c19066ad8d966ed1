"""Route bodies for emergencies: start one (filed and sent for the VP's signature), resolve one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api.handlers import Reply
from maintctl.api.handlers.lifecycle import complete_window
from maintctl.domain import bounds
from maintctl.domain.roles import Principal
from maintctl.services import emergency, windows
from maintctl.services.deps import Deps


class EmergencyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=bounds.TEXT_LIMITS["description"] + 1)
    impact: str = Field(default="", max_length=bounds.TEXT_LIMITS["impact"] + 1)
    duration: str = Field(default="", max_length=40, examples=["1h"])
    systems: list[str] = Field(default_factory=list, max_length=bounds.MAX_SYSTEMS + 1)
    title: str | None = Field(default=None, max_length=bounds.TEXT_LIMITS["public_title"] + 1)
    maintenance_mode: bool = False
    maintenance_message: str | None = Field(
        default=None, max_length=bounds.TEXT_LIMITS["mode_message"] + 1
    )
    traffic_mode: Literal["normal", "read-only", "maintenance"] = "normal"


def start_emergency(deps: Deps, who: Principal, body: EmergencyFields) -> Reply:
    """201: the window, pending the signature of vp-engineering or higher (who are paged)."""
    from maintctl.api import shapes
    from maintctl.services import effects

    ask = emergency.Ask(
        body.reason,
        body.impact,
        body.duration,
        tuple(body.systems),
        body.title,
        body.maintenance_mode,
        body.maintenance_message,
        body.traffic_mode,
    )
    with deps.db.write() as session:
        window = emergency.start(deps, session, who, ask)
    reply = Reply(shapes.window(window), 201, {"ETag": shapes.etag(window)})
    with deps.db.read() as session:
        reply.body["effects"] = [e.as_dict() for e in effects.for_window(deps, session, window)]
    return reply


def resolve_emergency(deps: Deps, who: Principal, version: int | None, window_id: str) -> Reply:
    """`complete` for an emergency: the quick validation, then completed and its incident
    resolved; refused (422) for a window that is not an emergency."""
    with deps.db.read() as session:
        window = windows.require(session, window_id)
        if not emergency.is_emergency(window):
            raise emergency.not_emergency(window)
    return complete_window(deps, who, version, window.id)
