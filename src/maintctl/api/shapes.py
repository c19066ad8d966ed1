"""The stable JSON shapes of the API (later features add fields, never rename)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from maintctl.domain.model import Conflict, ProgressUpdate, Window
from maintctl.domain.slots import Slot
from maintctl.domain.times import format_instant
from maintctl.store.tables import AccountEventRow, AuditRow


def window(w: Window) -> dict[str, Any]:
    spec = w.spec
    return {
        "id": w.id,
        "type": spec.type,
        "status": w.status.value,
        "start": format_instant(spec.start),
        "end": format_instant(spec.end),
        "systems": list(spec.systems),
        "owner": spec.owner,
        "description": spec.description,
        "impact": spec.impact,
        "public_title": spec.public_title,
        "public_message": spec.public_message,
        "team": list(spec.team),
        "maintenance_mode": spec.maintenance_mode,
        "maintenance_message": spec.maintenance_message,
        "traffic_mode": spec.traffic_mode,
        "risk": spec.risk.value,
        "conflicts": [c.as_dict() for c in w.conflicts],
        "cancel_reason": w.cancel_reason,
        "created_at": format_instant(w.created_at),
        "updated_at": format_instant(w.updated_at),
        "requested_by": w.requested_by,
        "details": asdict(spec.details),
        "version": w.version,
        "lead": w.lead,
        "actual_start": _maybe(w.actual_start),
        "actual_end": _maybe(w.actual_end),
        "published_start": _maybe(w.published_start),
        "published_end": _maybe(w.published_end),
        "steps": [step.as_dict() for step in spec.steps],
        "rollback_steps": [step.as_dict() for step in spec.rollback_steps],
        "verify_steps": [step.as_dict() for step in spec.verify_steps],
        "signed_hash": w.signed_hash,
        "approvals": [
            {
                "level": g.level + 1,
                "role": g.role,
                "signer": g.signer,
                "signer_role": g.signer_role,
                "at": format_instant(g.at),
                "comment": g.comment,
                "token_id": g.token_id,
                "token_issuer": g.token_issuer,
                # Non-empty when the token was issued by someone other than the signer.
                "token_note": g.token_note,
            }
            for g in w.signatures
        ],
    }


def _maybe(at: datetime | None) -> str | None:
    return format_instant(at) if at is not None else None


def update(window_id: str, update_id: int, u: ProgressUpdate) -> dict[str, Any]:
    """One progress update, as GET /api/v1/windows/{id}/updates lists it."""
    return {
        "id": update_id,
        "window": window_id,
        "at": format_instant(u.at),
        "step": u.step,
        "of": u.of,
        "task": u.task,
        "status": u.status.value,
        "eta": _maybe(u.eta),
        "public": u.public,
        "by": u.by,
    }


def item(c: Conflict) -> dict[str, str]:
    return c.as_dict()


def slot(s: Slot) -> dict[str, str]:
    return {"start": format_instant(s.start), "end": format_instant(s.end), "window": s.window}


def audit(row: AuditRow) -> dict[str, Any]:
    return {
        "at": format_instant(row.at),
        "actor": row.actor,
        "action": row.action,
        "from": row.from_status,
        "to": row.to_status,
        "comment": row.detail.get("comment", ""),
        "changes": row.detail.get("changes", {}),
        "token_note": row.detail.get("token_note", ""),
    }


def account_event(row: AccountEventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": format_instant(row.at),
        "actor": row.actor,
        "action": row.action,
        "account": row.account,
        "detail": row.detail,
    }


def etag(w: Window) -> str:
    return f'"{w.version}"'


def validation(summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A window's last validation run of each purpose: {"check"|"baseline"|"compare": {"id",
    "status", "at"}}, a purpose never run left out."""
    return {
        purpose: {"id": last["id"], "status": last["status"], "at": format_instant(last["at"])}
        for purpose, last in summary.items()
    }
