"""Route bodies for a window's steps, execution log and rollback (see handlers/__init__.py)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.roles import Principal
from maintctl.services import lifecycle, steps
from maintctl.services.deps import Deps

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
Limit = Annotated[int | None, Field(ge=1, le=bounds.PAGE_MAX)]
After = Annotated[int | None, Field(ge=0, le=MAX_ROW_ID)]
ResultId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class BeginFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phase: str = Field(default="run", max_length=16, examples=["run"])
    number: int = Field(ge=1, le=bounds.MAX_STEPS)


class FinishFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(max_length=16, examples=["passed"])
    exit_code: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    note: str = ""


class LogFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[str] = Field(max_length=bounds.LOG_BATCH_MAX)
    phase: str | None = Field(default=None, max_length=16)
    step: int | None = Field(default=None, ge=1, le=bounds.MAX_STEPS)


class RollbackFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = ""


def window_steps(deps: Deps, who: Principal, window_id: str) -> Reply:
    """Each phase's steps with their last result, where `run` resumes, and the signed check."""
    with deps.db.read() as session:
        return Reply(steps.summary(session, window_id))


def begin_step(deps: Deps, who: Principal, window_id: str, body: BeginFields) -> Reply:
    """Record that a step runs now (201); refused when the window may not run it."""
    with deps.db.write() as session:
        row = steps.begin(deps, session, window_id, who, body.phase, body.number)
        return Reply(steps.result_shape(row), 201)


def finish_step(
    deps: Deps, who: Principal, window_id: str, result_id: ResultId, body: FinishFields
) -> Reply:
    """Record how a running step ended."""
    with deps.db.write() as session:
        row = steps.finish(
            deps, session, window_id, who, result_id, body.state, body.exit_code, body.note
        )
        return Reply(steps.result_shape(row))


def append_log(deps: Deps, who: Principal, window_id: str, body: LogFields) -> Reply:
    """Append lines to the window's log; `full` says later lines will not be kept."""
    with deps.db.write() as session:
        done = steps.append_log(
            deps, session, window_id, who, body.lines, phase=body.phase, step=body.step
        )
    return Reply({"kept": done.kept, "full": done.full}, 201)


def window_log(
    deps: Deps, who: Principal, window_id: str, limit: Limit = None, after: After = None
) -> Reply:
    """The window's log, oldest first; the next page's URL in the Link header."""
    with deps.db.read() as session:
        found = steps.log_page(session, window_id, after=after, limit=limit)
    if found.next is None:
        return Reply(found.lines)
    query = urlencode({**({"limit": limit} if limit else {}), "after": found.next})
    path = f"/api/v1/windows/{quote(found.window_id, safe='')}/log?{query}"
    return Reply(found.lines, headers={"Link": f'<{path}>; rel="next"'})


def rollback_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: RollbackFields
) -> Reply:
    """in_progress|verifying → rolled_back."""
    with deps.db.write() as session:
        moved = lifecycle.rollback(deps, session, window_id, who, body.reason, version)
    reply = Reply(shapes.window(moved), 200, {"ETag": shapes.etag(moved)})
    reply.body["actual_duration"] = lifecycle.actual_duration(moved)
    return reply
