"""Route bodies for maintenance mode and traffic mode: read them, change them (see __init__.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.mode import Kind
from maintctl.domain.roles import Principal
from maintctl.services import mode as service
from maintctl.services.deps import Deps

Systems = list[str] | None
Limit = Annotated[int, Field(ge=1, le=bounds.PAGE_MAX)]
Before = Annotated[int | None, Field(ge=1, le=2**31 - 1)]  # ids are 32-bit on PostgreSQL


class MaintenanceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool
    message: str | None = Field(
        default=None,
        examples=["Scheduled maintenance in progress. Service will resume at 04:00 UTC."],
    )
    systems: Systems = Field(default=None, max_length=bounds.MAX_SYSTEMS)
    window: str | None = Field(default=None, max_length=200, examples=["MNT-2026-0001"])
    reason: str = ""


class TrafficFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["normal", "read-only", "maintenance"]
    systems: Systems = Field(default=None, max_length=bounds.MAX_SYSTEMS)
    window: str | None = Field(default=None, max_length=200, examples=["MNT-2026-0001"])
    reason: str = ""


def mode_status(deps: Deps, who: Principal) -> Reply:
    """The global state, every stored state with who, why, since, window and until, and the
    latest hook runs."""
    return Reply(service.status(deps, who))


def set_maintenance(deps: Deps, who: Principal, body: MaintenanceFields) -> Reply:
    """Switch maintenance mode on or off, globally or on systems, tied to a window or not."""
    with deps.db.write() as session:
        found = service.change(
            deps,
            session,
            who,
            Kind.MAINTENANCE,
            service.ON if body.enabled else service.OFF,
            systems=body.systems,
            message=body.message,
            window_id=body.window,
            reason=body.reason,
        )
    return Reply(service.change_json(found))


def set_traffic(deps: Deps, who: Principal, body: TrafficFields) -> Reply:
    """Set the traffic mode (normal, read-only, maintenance), globally or on systems."""
    with deps.db.write() as session:
        found = service.change(
            deps,
            session,
            who,
            Kind.TRAFFIC,
            body.mode,
            systems=body.systems,
            window_id=body.window,
            reason=body.reason,
        )
    return Reply(service.change_json(found))


def mode_changes(
    deps: Deps, who: Principal, limit: Limit = bounds.PAGE_DEFAULT, before: Before = None
) -> Reply:
    """Every change of maintenance or traffic mode, newest first; the next page in Link."""
    rows = service.changes(deps, who, limit, before)
    if len(rows) < limit:
        return Reply(rows)
    more = f"/api/v1/mode/changes?limit={limit}&before={rows[-1]['id']}"
    return Reply(rows, headers={"Link": f'<{more}>; rel="next"'})
