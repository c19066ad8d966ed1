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


def _moved(deps: Deps, window: Window, already: bool) -> Reply:
    """The window after a move, with what the move set in motion, and whether it had been
    there already (a repeat of the move, which did nothing)."""
    from maintctl.services import effects

    reply = _answer(window)
    with deps.db.read() as session:
        reply.body["effects"] = [e.as_dict() for e in effects.for_window(deps, session, window)]
    reply.body["already"] = already
    return reply


def start_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: StartFields
) -> Reply:
    with deps.db.write() as session:
        before = lifecycle.state(session, window_id)
        moved = lifecycle.start(
            deps,
            session,
            window_id,
            who,
            lead=body.lead,
            early=body.early,
            expected_version=version,
        )
    return _moved(deps, moved, before == moved.status)


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
    """Complete; with quick checks the window is verifying until its run passes. In local mode
    (no worker) the run runs here, before the answer; else the server's worker runs it."""
    from maintctl.services import runs

    with deps.db.write() as session:
        before = lifecycle.state(session, window_id)
        moved = lifecycle.complete(deps, session, window_id, who, version)
        run = lifecycle.verification(session, moved.id, unfinished=True)
        number = run.id if run is not None else None
    if number is not None and deps.local is not None:
        runs.execute(deps, number)
        with deps.db.read() as session:
            moved = lifecycle.current(session, moved.id)
    reply = _moved(deps, moved, before == moved.status and before != "verifying")
    reply.body["actual_duration"] = lifecycle.actual_duration(moved)
    with deps.db.read() as session:
        reply.body["verification"] = _verification(session, moved.id)
    return reply


def _verification(session: Any, window_id: str) -> dict[str, Any] | None:
    """The window's last verification run: its id, status and failed checks (a page's worth)."""
    from maintctl.services import runs
    from maintctl.store import validation as run_store

    run = lifecycle.verification(session, window_id)
    if run is None:
        return None
    found = run_store.results(session, run.id, None, bounds.PAGE_MAX)
    return {
        "id": runs.public_id(run.id),
        "status": run.status,
        "message": run.message,
        "failures": [r.as_dict() for _, r in found if not r.passed],
    }


def abort_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: AbortFields
) -> Reply:
    with deps.db.write() as session:
        before = lifecycle.state(session, window_id)
        moved = lifecycle.abort(deps, session, window_id, who, body.reason, version)
    return _moved(deps, moved, before == moved.status)


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
