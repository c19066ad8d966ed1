"""Route bodies for /api/v1/windows and /api/v1/approvals (see handlers/__init__.py)."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain import pages, template
from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Window
from maintctl.domain.pages import Key
from maintctl.domain.roles import Principal
from maintctl.domain.times import TimeParseError, parse_after
from maintctl.services import windows as service
from maintctl.services import workflow
from maintctl.services.deps import Deps
from maintctl.store import audit


class StepFields(BaseModel):
    """One execution step; the timeout in maintctl's units ("30s", "10m"), default 10m."""

    model_config = ConfigDict(extra="forbid")

    text: str
    command: str | None = None
    timeout: str | None = Field(default=None, examples=["10m"])


class WindowFields(BaseModel):
    """Fields as typed: times are strings that must carry Z or an offset."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    type: str | None = None
    start: str | None = Field(default=None, examples=["2024-12-29T02:00:00Z"])
    end: str | None = Field(default=None, examples=["2024-12-29T04:00:00Z"])
    duration: str | None = Field(default=None, examples=["2h"])
    systems: list[str] | None = None
    owner: str | None = None
    description: str | None = None
    impact: str | None = None
    public_title: str | None = None
    public_message: str | None = None
    risk: str | None = None
    team: list[str] | None = None
    justification: str | None = None
    prerequisites: list[str] | None = None
    execution_plan: list[str] | None = None
    rollback_plan: list[str] | None = None
    verification_steps: list[str] | None = None
    steps: list[StepFields] | None = None
    rollback_steps: list[StepFields] | None = None
    verify_steps: list[StepFields] | None = None
    maintenance_mode: bool | None = None
    maintenance_message: str | None = None
    traffic_mode: Literal["normal", "read-only", "maintenance"] | None = None
    request_markdown: str | None = Field(
        default=None, description="a filled Maintenance Request Template; other fields override it"
    )

    def raw(self) -> dict[str, Any]:
        given = self.model_dump(exclude_none=True, exclude={"request_markdown"})
        if self.request_markdown is None:
            return given
        try:
            parsed = template.parse_request(self.request_markdown)
        except template.TemplateError as exc:
            raise RuleViolation(exc.problems) from None
        return {**parsed, **given}


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str = ""


def _answer(window: Window, status: int = 200) -> Reply:
    return Reply(shapes.window(window), status, {"ETag": shapes.etag(window)})


def _instant(field: str, text: str | None) -> Any:
    try:
        return parse_after(field, text) if text else None
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None


def list_windows(
    deps: Deps,
    who: Principal,
    limit: int | None = None,
    cursor: str | None = None,
    start: str | None = None,
    end: str | None = None,
    system: list[str] | None = None,
    type: list[str] | None = None,
    status: list[str] | None = None,
    upcoming: bool = False,
) -> Reply:
    """One page of windows by (start, id); the next page's URL in the Link header."""
    after = pages.decode(cursor) if cursor else None
    with deps.db.read() as session:
        found = service.page(
            deps,
            session,
            limit=limit,
            after=after,
            upcoming=upcoming,
            status=status,
            types=type or (),
            systems=system or (),
            start=_instant("from", start),
            end=_instant("to", end),
        )
        body = [shapes.window(w) for w in found.windows]
    query = {"limit": limit, "from": start, "to": end, "system": system, "type": type}
    query |= {"status": status, "upcoming": "true" if upcoming else None}
    return Reply(body, headers=_next("/api/v1/windows", query, found.next))


def create_window(deps: Deps, who: Principal, body: WindowFields) -> Reply:
    from maintctl.services import stats

    with deps.db.write() as session:
        created = service.create(deps, session, body.raw(), who)
    spec = created.spec
    with deps.db.read() as session:  # after the write: history is no reason to hold its lock
        warned = stats.duration_warning(
            deps, session, spec.type, spec.systems, spec.end - spec.start
        )
    reply = _answer(created, 201)
    if warned:  # never a refusal: history only says how similar windows went
        reply.body["warnings"] = [warned]
    reply.headers["Location"] = f"/api/v1/windows/{created.id}"
    return reply


def show_window(
    deps: Deps, who: Principal, window_id: str, format: Literal["json", "markdown"] = "json"
) -> Reply:
    from maintctl.services import effects, hooks, runs

    with deps.db.read() as session:
        found = service.require(session, window_id)
        checked = runs.summary(session, found.id)
        hook_runs = hooks.recent(session, found.id)
        effected = [e.as_dict() for e in effects.for_window(deps, session, found)]
    if format == "markdown":
        rule = deps.config.policy.types.get(found.spec.type)
        text = template.render_request(found, rule.approvals if rule else [])
        return Reply(text, media_type="text/markdown")
    reply = _answer(found)
    reply.body["validation"] = shapes.validation(checked)
    reply.body["hook_runs"] = hook_runs  # the mode hooks run for this window, newest first
    reply.body["effects"] = effected
    return reply


def modify_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: WindowFields
) -> Reply:
    with deps.db.write() as session:
        return _answer(service.modify(deps, session, window_id, body.raw(), who, version))


def cancel_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: Reason
) -> Reply:
    with deps.db.write() as session:
        return _answer(service.cancel(deps, session, window_id, body.reason, who, version))


def submit_window(deps: Deps, who: Principal, version: int | None, window_id: str) -> Reply:
    with deps.db.write() as session:
        return _answer(workflow.submit(deps, session, window_id, who, version))


def approve_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: Comment
) -> Reply:
    with deps.db.write() as session:
        return _answer(workflow.approve(deps, session, window_id, who, body.comment, version))


def reject_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: Reason
) -> Reply:
    with deps.db.write() as session:
        return _answer(workflow.reject(deps, session, window_id, who, body.reason, version))


def window_history(deps: Deps, who: Principal, window_id: str) -> Reply:
    with deps.db.read() as session:
        found = service.require(session, window_id)
        return Reply([shapes.audit(row) for row in audit.history(session, found.id)])


def pending_approvals(
    deps: Deps, who: Principal, limit: int | None = None, cursor: str | None = None
) -> Reply:
    """One page of the windows `who` may sign now; the next page's URL in the Link header."""
    after = pages.decode(cursor) if cursor else None
    with deps.db.read() as session:
        found = workflow.pending_page(deps, session, who, after=after, limit=limit)
        body = [shapes.window(w) for w in found.windows]
    return Reply(body, headers=_next("/api/v1/approvals/pending", {"limit": limit}, found.next))


def _next(path: str, query: dict[str, Any], key: Key | None) -> dict[str, str]:
    """The Link header naming the next page: the same query, from just past `key`."""
    if key is None:
        return {}
    given = {k: v for k, v in query.items() if v}
    given["cursor"] = pages.encode(key)
    return {"Link": f'<{path}?{urlencode(given, doseq=True)}>; rel="next"'}
