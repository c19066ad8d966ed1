"""The append-only audit trail, written in the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import fields as fields_of
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maintctl.domain.model import RequestDetails, Status, Window
from maintctl.domain.times import format_instant
from maintctl.store.tables import AuditRow

DETAILS = tuple(f.name for f in fields_of(RequestDetails))


def _changes(before: Window, after: Window) -> dict[str, Any]:
    """Every changed field, the request's details included, so approvers see what moved."""
    fields = ("type", "start", "end", "systems", "owner", "description", "impact", "risk", "team")
    pairs = [(name, getattr(before.spec, name), getattr(after.spec, name)) for name in fields]
    pairs += [
        (name, getattr(before.spec.details, name), getattr(after.spec.details, name))
        for name in DETAILS
    ]
    found: dict[str, Any] = {}
    for name, old, new in pairs:
        if old != new:
            if isinstance(old, datetime):
                old, new = format_instant(old), format_instant(new)
            found[name] = {
                "from": str(old) if not isinstance(old, list) else old,
                "to": str(new) if not isinstance(new, list) else new,
            }
    return found


def record(
    session: Session,
    window: Window,
    actor: str,
    action: str,
    from_status: Status | None,
    at: datetime,
    *,
    before: Window | None = None,
    comment: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    detail: dict[str, Any] = {"comment": comment} if comment else {}
    detail.update(extra or {})
    if before is not None:
        detail["changes"] = _changes(before, window)
    session.add(
        AuditRow(
            window_id=window.id,
            at=at,
            actor=actor,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=window.status.value,
            detail=detail,
        )
    )
    session.flush()


def history(session: Session, window_id: str) -> list[AuditRow]:
    query = select(AuditRow).where(AuditRow.window_id == window_id).order_by(AuditRow.id)
    return list(session.scalars(query))
