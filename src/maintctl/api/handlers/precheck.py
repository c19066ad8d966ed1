"""Route bodies for a window's readiness: the precheck and acknowledgements (see __init__.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from maintctl.api.handlers import Reply
from maintctl.domain.checklists import Line
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import precheck as service
from maintctl.services.deps import Deps


class AckFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(max_length=130, examples=["precheck.on-call-briefed"])
    undo: bool = False


def line(found: Line) -> dict[str, Any]:
    return {
        "item": found.name,
        "title": found.title,
        "kind": found.kind,
        "ok": found.ok,
        "detail": found.detail,
        "fix": found.fix,
        "line": found.text(),
    }


def window_precheck(deps: Deps, who: Principal, window_id: str) -> Reply:
    """Every item of the precheck checklist, judged or attested, and whether all are OK."""
    report = service.precheck(deps, window_id, who)
    contacts = [c.model_dump(mode="json") for c in report.contacts]
    return Reply(
        {
            "window": report.window,
            "ready": report.ready,
            "items": [line(x) for x in report.lines],
            "contacts": contacts,
        }
    )


def window_ack(deps: Deps, who: Principal, window_id: str, body: AckFields) -> Reply:
    """The caller acknowledges an attested item (or withdraws, with undo), as themself."""
    with deps.db.write() as session:
        done = service.ack(deps, session, window_id, body.item, who, body.undo)
    return Reply(
        {
            "window": done.window,
            "item": done.item,
            "account": done.account,
            "acknowledged": done.acknowledged,
            "changed": done.changed,
            "at": format_instant(done.at),
        }
    )
