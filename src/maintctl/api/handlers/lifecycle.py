"""Route bodies for the moves during a window: start, progress, complete, abort, updates."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Window
from maintctl.domain.roles import Principal
from maintctl.domain.times import TimeParseError, parse_instant
from maintctl.services import lifecycle
from maintctl.services.deps import Deps

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
Limit = Annotated[int | None, Field(ge=1, le=bounds.PAGE_MAX)]
After = Annotated[int | None, Field(ge=0, le=MAX_ROW_ID)]


class StartFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lead: str | None = Field(default=None, max_length=200)
    early: bool = False


class ProgressFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: int = Field(ge=-(2**31), le=2**31 - 1)
    of: int = Field(ge=-(2**31), le=2**31 - 1)
    task: str
    status: str = "on-track"
    eta: str | None = Field(default=None, examples=["2026-12-06T03:30:00Z"])
    public: str | None = None


class AbortFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


def _answer(window: Window, status: int = 200) -> Reply:
    return Reply(shapes.window(window), status, {"ETag": shapes.etag(window)})


def start_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: StartFields
) -> Reply:
    with deps.db.write() as session:
        moved = lifecycle.start(
            deps,
            session,
            window_id,
            who,
            lead=body.lead,
            early=body.early,
            expected_version=version,
        )
    return _answer(moved)


def progress_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: ProgressFields
) -> Reply:
    """Record one update; answers it (201), with the window's new version as the ETag."""
    try:
        eta = parse_instant("eta", body.eta) if body.eta else None
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None
    with deps.db.write() as session:
        moved, update_id, update = lifecycle.progress(
            deps,
            session,
            window_id,
            who,
            step=body.step,
            of=body.of,
            task=body.task,
            status=body.status,
            eta=eta,
            public=body.public,
            expected_version=version,
        )
    body_json: dict[str, Any] = {**shapes.update(moved.id, update_id, update)}
    body_json["window_version"] = moved.version
    return Reply(body_json, 201, {"ETag": shapes.etag(moved)})


def complete_window(deps: Deps, who: Principal, version: int | None, window_id: str) -> Reply:
    with deps.db.write() as session:
        moved = lifecycle.complete(deps, session, window_id, who, version)
    reply = _answer(moved)
    reply.body["actual_duration"] = lifecycle.actual_duration(moved)
    return reply


def abort_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: AbortFields
) -> Reply:
    with deps.db.write() as session:
        return _answer(lifecycle.abort(deps, session, window_id, who, body.reason, version))


def window_updates(
    deps: Deps, who: Principal, window_id: str, limit: Limit = None, after: After = None
) -> Reply:
    """A window's progress updates, oldest first; the next page's URL in the Link header."""
    with deps.db.read() as session:
        found = lifecycle.update_page(session, window_id, after=after, limit=limit)
        body = [shapes.update(found.window_id, i, u) for i, u in found.updates]
    if found.next is None:
        return Reply(body)
    query = urlencode({**({"limit": limit} if limit else {}), "after": found.next})
    path = f"/api/v1/windows/{quote(found.window_id, safe='')}/updates?{query}"
    return Reply(body, headers={"Link": f'<{path}>; rel="next"'})
