"""The approval workflow: submit, approve level by level, reject back to draft."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from maintctl.domain import approvals, bounds, lifecycle, pages, steps
from maintctl.domain.approvals import Signature
from maintctl.domain.errors import RuleViolation, refuse
from maintctl.domain.model import Conflict, Status, Window
from maintctl.domain.pages import Key
from maintctl.domain.roles import Principal, require_owner_or_approver
from maintctl.services import emergency, events
from maintctl.services.deps import Deps
from maintctl.services.windows import Page, judge, require, save
from maintctl.store import audit
from maintctl.store import windows as store

SUBMITTABLE = frozenset({Status.DRAFT})
SIGNABLE = frozenset({Status.PENDING_APPROVAL})


def chain(deps: Deps, window: Window) -> list[str]:
    rule = deps.config.policy.types.get(window.spec.type)
    return list(rule.approvals) if rule else []


def _moved(
    window: Window,
    deps: Deps,
    status: Status,
    signatures: list[Signature],
    conflicts: list[Conflict] | None = None,
) -> Window:
    """The window in its new state, one version on; scheduled, its times become the public ones
    and the hash of what was signed is kept for `run` to check (domain/steps.signed_hash)."""
    moved = replace(
        window,
        status=status,
        signatures=signatures,
        conflicts=window.conflicts if conflicts is None else conflicts,
        updated_at=deps.clock(),
        version=window.version + 1,
    )
    if status == Status.SCHEDULED:
        moved = replace(
            moved,
            published_start=moved.spec.start,
            published_end=moved.spec.end,
            signed_hash=steps.signed_hash(moved.spec),
        )
    return moved


def submit(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    expected_version: int | None = None,
) -> Window:
    """Send a draft for approval; every rule is checked again. No chain: scheduled at once."""
    window = require(session, window_id, expected_version)
    require_owner_or_approver(who, window.requested_by, f"submitting {window.id}")
    lifecycle.require(window.status, SUBMITTABLE, "submit", window.id)
    verdict = judge(deps, session, window.spec, window.id)
    target = Status.PENDING_APPROVAL if chain(deps, window) else Status.SCHEDULED
    moved = _moved(window, deps, status=target, conflicts=verdict.conflicts, signatures=[])
    save(session, moved)
    audit.record(session, moved, who.name, "submit", window.status, moved.updated_at)
    done = events.SCHEDULED if moved.status == Status.SCHEDULED else events.SUBMITTED
    events.announce(deps, session, done, moved, before=window)
    return moved


def approve(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    comment: str = "",
    expected_version: int | None = None,
) -> Window:
    """Sign the next level; the last signature schedules the window after a final check."""
    _require_text("comment", comment)
    window = require(session, window_id, expected_version)
    lifecycle.require(window.status, SIGNABLE, "approve", window.id)
    levels = chain(deps, window)
    level = approvals.check_signer(levels, window.signatures, who, window.requested_by, window.id)
    now = deps.clock()
    signature = Signature(
        level,
        levels[level],
        who.name,
        who.role.value,
        now,
        comment.strip(),
        token_id=who.token_id,
        token_issuer=who.token_issuer,
    )
    last = level == len(levels) - 1
    conflicts = window.conflicts
    # An emergency's final signature starts it: its times run from the signature.
    urgent = last and emergency.is_emergency(window)
    signed = replace(window, spec=emergency.retimed(window.spec, now)) if urgent else window
    if last:
        conflicts = judge(deps, session, signed.spec, window.id).conflicts
    moved = _moved(
        signed,
        deps,
        status=Status.SCHEDULED if last else Status.PENDING_APPROVAL,
        signatures=[*window.signatures, signature],
        conflicts=conflicts,
    )
    save(session, moved)
    audit.record(
        session,
        moved,
        who.name,
        "approve",
        window.status,
        now,
        comment=comment.strip(),
        extra={
            "level": level + 1,
            "role": levels[level],
            **who.credential,
            **({"token_note": signature.token_note} if signature.token_note else {}),
        },
    )
    events.announce(
        deps, session, events.SCHEDULED if last else events.SIGNED, moved, before=window
    )
    return emergency.begin(deps, session, moved, who) if urgent else moved


def reject(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    reason: str,
    expected_version: int | None = None,
) -> Window:
    """Send a request back to draft to be revised and resubmitted; its signatures are cleared."""
    _require_text("reason", reason)
    window = require(session, window_id, expected_version)
    lifecycle.require(window.status, SIGNABLE, "reject", window.id)
    approvals.check_signer(
        chain(deps, window), window.signatures, who, window.requested_by, window.id
    )
    refuse(lifecycle.reason_problems(reason, "a rejection"))
    moved = _moved(window, deps, status=Status.DRAFT, signatures=[])
    save(session, moved)
    audit.record(
        session, moved, who.name, "reject", window.status, moved.updated_at, comment=reason.strip()
    )
    events.announce(deps, session, events.REJECTED, moved, before=window, reason=reason.strip())
    return moved


def _require_text(field: str, value: str) -> None:
    """A reason or comment within its bound, before anything is read or written."""
    if problems := bounds.text_problems(field, value, field):
        raise RuleViolation(problems)


def pending(deps: Deps, session: Session, who: Principal) -> list[Window]:
    """The first page of windows whose next level `who` may sign now."""
    return pending_page(deps, session, who).windows


def pending_page(
    deps: Deps,
    session: Session,
    who: Principal,
    *,
    after: Key | None = None,
    limit: int | None = None,
) -> Page:
    """One page of `pending`, read in keyset chunks: memory stays bounded however many wait."""
    size = pages.page_size(limit)
    found: list[Window] = []
    key = after
    while True:
        chunk = store.listing(
            session, statuses=[Status.PENDING_APPROVAL], after=key, limit=bounds.PAGE_MAX
        )
        found += [
            w
            for w in chunk
            if approvals.waiting_for(chain(deps, w), w.signatures, who, w.requested_by)
        ]
        if len(found) > size:
            last = found[size - 1]
            return Page(found[:size], Key(last.spec.start, last.id))
        if len(chunk) < bounds.PAGE_MAX:
            return Page(found, None)
        key = Key(chunk[-1].spec.start, chunk[-1].id)
