"""`maintctl close`: completed or rolled_back → closed, once the work after the window is done.

Closing needs every item of the policy's `post-immediate` and `post-short-term` lists OK (but
`post-short-term.close-ticket`, which closing itself settles) and the review written; else it
is refused naming each missing thing. An admin may close anyway with `--force --reason`, the
reason and what was missing kept in the audit row.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from maintctl.domain import lifecycle, review
from maintctl.domain.errors import RuleViolation, StateError, refuse
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import Principal, forbid, require_admin, require_writer
from maintctl.services import events
from maintctl.services import review as reviews
from maintctl.services.deps import Deps
from maintctl.services.precheck import judge_list
from maintctl.services.windows import require, save
from maintctl.store import audit

LISTS = ("post-immediate", "post-short-term")


def missing(deps: Deps, session: Session, window: Window) -> list[tuple[str, str]]:
    """(item, fix) for each thing closing still waits for, in the policy's order."""
    found = []
    for name in LISTS:
        if name not in deps.config.policy.checklists:
            continue
        for line in judge_list(deps, session, window, name):
            if line.name != reviews.CLOSE_TICKET and not line.ok:
                found.append((line.name, line.fix or f"maintctl ack {window.id} {line.name}"))
    if not reviews.is_written(session, window.id):
        found.append(("review", f"write it: maintctl review edit {window.id}"))
    return found


def close(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    *,
    force: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> Window:
    """Close a window; refused (not-ready-to-close) with what is missing, unless forced."""
    window = require(session, window_id, expected_version)
    action = f"closing {window.id}"
    if force:
        require_admin(who, f"forcing the close of {window.id}")
        refuse(lifecycle.reason_problems(reason, "a forced close"))
    else:
        require_writer(who, action)
        if not who.rank:
            raise forbid(
                action,
                f"team-lead or higher (you are {who.role.value})",
                "an admin may close with --force --reason",
            )
    if window.status not in review.CLOSABLE:
        raise StateError(review.close_problems(window.status, []))
    wanting = missing(deps, session, window)
    if wanting and not force:
        raise RuleViolation(review.close_problems(window.status, wanting))
    now = deps.clock()
    moved = replace(window, status=Status.CLOSED, updated_at=now, version=window.version + 1)
    save(session, moved)
    extra: dict[str, object] = {}
    if force:
        extra = {"forced": True, "missing": [name for name, _ in wanting], **who.credential}
    audit.record(
        session, moved, who.name, "close", window.status, now, comment=reason.strip(), extra=extra
    )
    events.announce(deps, session, events.CLOSED, moved, before=window)
    return moved
