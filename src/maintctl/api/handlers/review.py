"""Route bodies for the review, action items and close (see __init__.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain import review as domain
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import actions, closing
from maintctl.services import review as service
from maintctl.services.deps import Deps
from maintctl.store.actions import Action

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
Limit = Annotated[int | None, Field(ge=1, le=bounds.PAGE_MAX)]
After = Annotated[int | None, Field(ge=0, le=MAX_ROW_ID)]
Owner = Annotated[str | None, Field(max_length=64)]
ActionId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class ReviewFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    went_well: str = ""
    could_improve: str = ""
    lessons: str = ""
    incidents: list[str] = Field(default_factory=list, max_length=domain.MAX_INCIDENTS)


class ActionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str
    owner: str = Field(max_length=200)
    due: str = Field(max_length=64, examples=["2026-12-20", "2026-12-20T17:00:00Z"])


class CloseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    force: bool = False
    reason: str = ""


def _when(at: Any) -> str | None:
    return format_instant(at) if at is not None else None


def action_json(a: Action) -> dict[str, Any]:
    return {
        "id": a.id,
        "label": domain.action_label(a.id),
        "window": a.window,
        "what": a.what,
        "owner": a.owner,
        "due_at": format_instant(a.due_at),
        "done": a.done_at is not None,
        "done_at": _when(a.done_at),
        "done_by": a.done_by,
        "created_at": format_instant(a.created_at),
        "created_by": a.created_by,
    }


def review_json(found: service.Review) -> dict[str, Any]:
    s, t = found.summary, found.texts
    return {
        "window": s.id,
        "version": found.version,
        "summary": {
            "id": s.id,
            "date": s.date,
            "planned_s": int(s.planned.total_seconds()),
            "actual_s": int(s.actual.total_seconds()),
            "type": s.type,
            "lead": s.lead,
            "status": found.window.status.value,
        },
        "metrics": [
            {
                "metric": m.name,
                "target": m.target,
                "actual": m.actual,
                "status": m.status,
                **m.value,
            }
            for m in found.metrics
        ],
        "went_well": t.went_well,
        "could_improve": t.could_improve,
        "lessons": t.lessons,
        "incidents": list(t.incidents),
        "actions": [action_json(a) for a in found.actions],
        "markdown": found.markdown(),
    }


def _reply(found: service.Review) -> Reply:
    return Reply(review_json(found), headers={"ETag": f'"{found.version}"'})


def window_review(deps: Deps, who: Principal, window_id: str) -> Reply:
    """The Maintenance Review: the template filled from the records, metrics computed."""
    return _reply(service.show(deps, window_id, who))


def edit_review(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: ReviewFields
) -> Reply:
    """Write what went well, could improve, the lessons and added incidents (If-Match: version)."""
    texts = domain.written(body.went_well, body.could_improve, body.lessons, body.incidents)
    with deps.db.write() as session:
        found = service.edit(deps, session, window_id, who, texts, version)
    return _reply(found)


def add_action(deps: Deps, who: Principal, window_id: str, body: ActionFields) -> Reply:
    """Add an action item to a window's review; its owner is reminded once when overdue."""
    with deps.db.write() as session:
        item = actions.add(deps, session, window_id, who, body.what, body.owner, body.due)
    return Reply(action_json(item), 201)


def list_actions(
    deps: Deps,
    who: Principal,
    open: bool = False,
    owner: Owner = None,
    after: After = None,
    limit: Limit = None,
) -> Reply:
    """Action items in the order added; `open` only those not done; the next page in Link."""
    found = actions.listing(deps, who, open_only=open, owner=owner, after=after, limit=limit)
    rows = [action_json(a) for a in found.items]
    if found.next is None:
        return Reply(rows)
    more = f"/api/v1/actions?after={found.next}&limit={len(rows)}"
    more += "&open=true" if open else ""
    more += f"&owner={owner}" if owner else ""  # an account name: a URL-safe alphabet
    return Reply(rows, headers={"Link": f'<{more}>; rel="next"'})


def action_done(deps: Deps, who: Principal, action_id: ActionId) -> Reply:
    """Mark an action item done (once; again changes nothing)."""
    with deps.db.write() as session:
        item, changed = actions.done(deps, session, action_id, who)
    return Reply({**action_json(item), "changed": changed})


def close_window(
    deps: Deps, who: Principal, version: int | None, window_id: str, body: CloseFields
) -> Reply:
    """completed or rolled_back → closed, once the post-maintenance lists and review are done."""
    with deps.db.write() as session:
        moved = closing.close(
            deps,
            session,
            window_id,
            who,
            force=body.force,
            reason=body.reason,
            expected_version=version,
        )
    return Reply(shapes.window(moved), headers={"ETag": shapes.etag(moved)})
