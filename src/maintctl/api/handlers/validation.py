"""Route bodies for /api/v1/validations: start a run (the worker runs it), follow its results."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import runs, watches
from maintctl.services.deps import Deps
from maintctl.store.tables import ValidationRunRow

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
Limit = Annotated[int, Field(ge=1, le=bounds.PAGE_MAX)]
Cursor = Annotated[int | None, Field(ge=0, le=MAX_ROW_ID)]
PURPOSE = {"capture": "baseline", "compare": "compare", None: "check"}


class StartFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window: str | None = Field(default=None, min_length=1, max_length=32)
    mode: Literal["quick", "full"] = "full"
    groups: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=8
    )
    baseline: Literal["capture", "compare"] | None = None
    watch: str | None = Field(default=None, min_length=1, max_length=16, examples=["5m"])
    every: str | None = Field(default=None, min_length=1, max_length=16, examples=["30s"])


def run_json(row: ValidationRunRow) -> dict[str, Any]:
    finished = row.status in ("passed", "failed", "error")
    return {
        "id": runs.public_id(row.id),
        "window": row.window_id,
        "mode": row.mode,
        "groups": list(row.groups),
        "purpose": row.purpose,
        "status": row.status,
        "passed": row.status == "passed" if finished else None,
        "message": row.message,
        "started_by": row.started_by,
        "created_at": format_instant(row.created_at),
        "finished_at": format_instant(row.finished_at) if row.finished_at else None,
        "config_hash": row.config_hash,
    }


def start_validation(deps: Deps, who: Principal, body: StartFields) -> Reply:
    """Record a run and plan its job (202); follow it at the Location. With `watch`, a
    recovery watch: a run every `every` for that long, followed at /api/v1/watches/{id}."""
    ask = runs.Ask(
        window_id=body.window,
        quick=body.mode == "quick",
        groups=tuple(dict.fromkeys(body.groups)),
        purpose=PURPOSE[body.baseline],
    )
    if body.every is not None and body.watch is None:
        raise RuleViolation(
            [Problem("every", "watch-bounds", "every spaces a watch's rounds", "give watch too")]
        )
    if body.watch is not None:
        with deps.db.write() as session:
            row = watches.start(deps, session, who, ask, body.watch, body.every, watches.FIELDS)
            out = watches.view(session, row)
        return Reply(out, 202, {"Location": f"/api/v1/watches/{out['id']}"})
    with deps.db.write() as session:
        out = run_json(runs.start(deps, session, who, ask))
    return Reply(out, 202, {"Location": f"/api/v1/validations/{out['id']}"})


def show_validation(
    deps: Deps,
    who: Principal,
    run_id: str,
    after: Cursor = None,
    limit: Limit = bounds.PAGE_DEFAULT,
) -> Reply:
    """A run and its results past the cursor `after`, in the order they finished; `cursor` is
    where to ask from next, and a finished comparison carries its rows."""
    number = runs.run_id(run_id)
    with deps.db.read() as session:
        row = runs.get(session, number)
        page = runs.results_page(session, number, after, limit)
        body = run_json(row)
        body["results"] = [{"cursor": i, **r.as_dict()} for i, r in page]
        body["cursor"] = page[-1][0] if page else after
        if row.status in ("passed", "failed"):
            body["comparison"] = [c.as_dict() for c in runs.comparison(deps, session, row)]
    if len(page) < limit:
        return Reply(body)
    more = urlencode({"after": body["cursor"], "limit": limit})
    return Reply(body, headers={"Link": f'</api/v1/validations/{body["id"]}?{more}>; rel="next"'})


def window_validations(
    deps: Deps,
    who: Principal,
    window_id: str,
    before: Cursor = None,
    limit: Limit = bounds.PAGE_DEFAULT,
) -> Reply:
    """A window's runs, newest first; the next page in the Link header."""
    with deps.db.read() as session:
        found = runs.window_runs(session, window_id, before, limit)
        body = [run_json(r) for r in found]
    if len(found) < limit:
        return Reply(body)
    more = urlencode({"before": found[-1].id, "limit": limit})
    path = f"/api/v1/windows/{quote(window_id, safe='')}/validations?{more}"
    return Reply(body, headers={"Link": f'<{path}>; rel="next"'})


def show_watch(deps: Deps, who: Principal, watch_id: str) -> Reply:
    """A watch, its rounds so far and, once ended, its verdict."""
    number = watches.watch_id(watch_id)
    with deps.db.read() as session:
        return Reply(watches.view(session, watches.get(session, number)))
