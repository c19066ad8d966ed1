"""/api/v1/windows: create, list, show, modify, cancel, submit, approve, reject, history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.auth import IfMatch, Who
from maintctl.api.deps import AppDeps
from maintctl.api.openapi import MARKDOWN, MarkdownResponse
from maintctl.domain import template
from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Window
from maintctl.services import windows as service
from maintctl.services import workflow
from maintctl.store import audit

router = APIRouter(prefix="/api/v1", tags=["windows"])


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
    risk: str | None = None
    justification: str | None = None
    prerequisites: list[str] | None = None
    execution_plan: list[str] | None = None
    rollback_plan: list[str] | None = None
    verification_steps: list[str] | None = None
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


def _answer(window: Window, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = shapes.etag(window)
    return shapes.window(window)


@router.get("/windows")
def list_windows(
    deps: AppDeps,
    who: Who,
    upcoming: bool = False,
    status: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    with deps.db.read() as session:
        found = service.listing(deps, session, upcoming=upcoming, status=status)
        return [shapes.window(w) for w in found]


@router.post("/windows", status_code=201)
def create_window(
    deps: AppDeps, who: Who, body: WindowFields, response: Response
) -> dict[str, Any]:
    with deps.db.write() as session:
        created = service.create(deps, session, body.raw(), who)
    response.headers["Location"] = f"/api/v1/windows/{created.id}"
    return _answer(created, response)


@router.get("/windows/{window_id}", response_model=None, responses={200: MARKDOWN})
def show_window(
    deps: AppDeps,
    who: Who,
    window_id: str,
    response: Response,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
) -> dict[str, Any] | MarkdownResponse:
    with deps.db.read() as session:
        found = service.require(session, window_id)
    if format == "markdown":
        rule = deps.config.policy.types.get(found.spec.type)
        text = template.render_request(found, rule.approvals if rule else [])
        return MarkdownResponse(text)
    return _answer(found, response)


@router.patch("/windows/{window_id}")
def modify_window(
    deps: AppDeps,
    who: Who,
    version: IfMatch,
    window_id: str,
    body: WindowFields,
    response: Response,
) -> dict[str, Any]:
    with deps.db.write() as session:
        changed = service.modify(deps, session, window_id, body.raw(), who, version)
    return _answer(changed, response)


@router.post("/windows/{window_id}/cancel")
def cancel_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Reason, response: Response
) -> dict[str, Any]:
    with deps.db.write() as session:
        cancelled = service.cancel(deps, session, window_id, body.reason, who, version)
    return _answer(cancelled, response)


@router.post("/windows/{window_id}/submit")
def submit_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, response: Response
) -> dict[str, Any]:
    with deps.db.write() as session:
        submitted = workflow.submit(deps, session, window_id, who, version)
    return _answer(submitted, response)


@router.post("/windows/{window_id}/approve")
def approve_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Comment, response: Response
) -> dict[str, Any]:
    with deps.db.write() as session:
        signed = workflow.approve(deps, session, window_id, who, body.comment, version)
    return _answer(signed, response)


@router.post("/windows/{window_id}/reject")
def reject_window(
    deps: AppDeps, who: Who, version: IfMatch, window_id: str, body: Reason, response: Response
) -> dict[str, Any]:
    with deps.db.write() as session:
        rejected = workflow.reject(deps, session, window_id, who, body.reason, version)
    return _answer(rejected, response)


@router.get("/windows/{window_id}/history")
def window_history(deps: AppDeps, who: Who, window_id: str) -> list[dict[str, Any]]:
    with deps.db.read() as session:
        found = service.require(session, window_id)
        return [shapes.audit(row) for row in audit.history(session, found.id)]


@router.get("/approvals/pending")
def pending_approvals(deps: AppDeps, who: Who) -> list[dict[str, Any]]:
    with deps.db.read() as session:
        return [shapes.window(w) for w in workflow.pending(deps, session, who)]
