"""The moves during a window: start, progress, complete, abort, rollback (DESIGN.md).

Each checks the rules, writes the new state and an audit row in one transaction, with the same
optimistic versions as the other moves. Each move ends in `events.announce`, where its notices
and other side effects are planned in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds, lifecycle, pages
from maintctl.domain.errors import refuse
from maintctl.domain.model import Pace, ProgressUpdate, Status, Window
from maintctl.domain.roles import Principal, require_operator
from maintctl.domain.times import format_duration
from maintctl.services import accounts as account_service
from maintctl.services import events, runs
from maintctl.services.deps import Deps
from maintctl.services.windows import require, save
from maintctl.store import audit, updates
from maintctl.store import validation as run_store
from maintctl.store import windows as store
from maintctl.store.tables import ValidationRunRow


def _moved(window: Window, now: datetime, **changes: Any) -> Window:
    """The window with `changes`, one version on."""
    return replace(window, updated_at=now, version=window.version + 1, **changes)


def _lead(session: Session, name: str) -> str:
    """`--lead NAME`: an enabled account, or a problem naming the fix."""
    fix = "name an enabled account (maintctl user list) or leave --lead out"
    return account_service.require_enabled(session, name, "lead", fix)


def start(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    *,
    lead: str | None = None,
    early: bool = False,
    expected_version: int | None = None,
) -> Window:
    """scheduled → in_progress: record the actual start and the lead (the starter by default).
    A repeat on a window in progress does nothing (its first run's effects are under way)."""
    window = require(session, window_id, expected_version)
    require_operator(who, window.requested_by, window.lead, f"starting {window.id}")
    if window.status == Status.IN_PROGRESS:
        return window
    now = deps.clock()
    lifecycle.check_start(window, now, early)
    chosen = _lead(session, lead) if lead else who.name
    moved = _moved(
        window, now, status=Status.IN_PROGRESS, lead=chosen, actual_start=now, actual_end=None
    )
    save(session, moved)
    extra: dict[str, object] = {"lead": chosen, **({"early": True} if early else {})}
    audit.record(session, moved, who.name, "start", window.status, now, extra=extra)
    events.announce(deps, session, events.STARTED, moved, before=window)
    return moved


def progress(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    *,
    step: int,
    of: int,
    task: str,
    status: str = Pace.ON_TRACK.value,
    eta: datetime | None = None,
    public: str | None = None,
    expected_version: int | None = None,
) -> tuple[Window, int, ProgressUpdate]:
    """Record one MAINTENANCE UPDATE of a window in progress; the window moves one version on."""
    window = require(session, window_id, expected_version)
    require_operator(who, window.requested_by, window.lead, f"updating {window.id}")
    lifecycle.require(window.status, lifecycle.RUNNING, "progress", window.id)
    problems = lifecycle.update_problems(
        step, of, task, status, public, updates.count(session, window.id)
    )
    if eta is not None and (problem := bounds.instant_problem("eta", eta)):
        problems.append(problem)
    refuse(problems)
    now = deps.clock()
    update = ProgressUpdate(
        at=now,
        step=step,
        of=of,
        task=task.strip(),
        status=Pace(status),
        by=who.name,
        eta=eta,
        public=public.strip() if public and public.strip() else None,
    )
    moved = _moved(window, now)
    save(session, moved)
    update_id = updates.add(session, window.id, update)
    audit.record(
        session,
        moved,
        who.name,
        "progress",
        window.status,
        now,
        comment=update.task,
        extra={"step": step, "of": of, "status": update.status.value},
    )
    events.announce(deps, session, events.PROGRESSED, moved, before=window, update=update)
    return moved, update_id, update


def state(session: Session, window_id: str) -> str | None:
    """A window's status before a move (None for no such window: the move says so)."""
    found = store.get(session, window_id.strip().upper())
    return None if found is None else found.status.value


def current(session: Session, window_id: str) -> Window:
    """The window as stored now."""
    return require(session, window_id)


def quick_checks(deps: Deps) -> bool:
    """Whether `complete` has a quick validation to run: checks tagged smoke in the config."""
    from maintctl.services.validation import SMOKE

    return any(SMOKE in spec.tags for spec in deps.config.checks)


def complete(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    expected_version: int | None = None,
) -> Window:
    """in_progress → verifying → completed: record the actual end (the work stopped now).

    With quick checks configured the window stays verifying and a `verify` run is planned (a
    job for the server's worker; in local mode the caller runs it): its pass completes the
    window (`verified`). On a verifying window it plans the run again; on a completed window it
    does nothing (a repeat finishes nothing twice).
    """
    window = require(session, window_id, expected_version)
    require_operator(who, window.requested_by, window.lead, f"completing {window.id}")
    if window.status == Status.COMPLETED:
        return window
    lifecycle.require(window.status, lifecycle.COMPLETABLE, "complete", window.id)
    now = deps.clock()
    verifying = window
    if window.status == Status.IN_PROGRESS:
        verifying = _moved(window, now, status=Status.VERIFYING, actual_end=now)
        audit.record(
            session,
            verifying,
            who.name,
            "complete",
            window.status,
            now,
            extra={"actual_duration": actual_duration(verifying)},
        )
    if not quick_checks(deps):
        # Nothing to verify with: completed at once (DESIGN.md), in one version.
        done = lifecycle.after_complete(validation_configured=False)
        fresh = verifying is not window  # moved just now: the same version
        final = replace(verifying, status=done) if fresh else _moved(window, now, status=done)
        save(session, final)
        audit.record(
            session, final, who.name, "verify", Status.VERIFYING, now, comment="no quick checks"
        )
        events.announce(deps, session, events.COMPLETED, final, before=window)
        return final
    if verifying is not window:
        save(session, verifying)
    if verification(session, window.id, unfinished=True) is None:
        ask = runs.Ask(window.id, quick=True, purpose=runs.VERIFY)
        runs.plan_run(deps, session, who.name, ask, window.id, enqueue=deps.local is None)
    return verifying


def verification(
    session: Session, window_id: str, *, unfinished: bool = False
) -> ValidationRunRow | None:
    """The window's newest verification run (one still queued or running, with `unfinished`)."""
    statuses = (run_store.QUEUED, run_store.RUNNING) if unfinished else None
    return run_store.last(session, window_id, runs.VERIFY, statuses)


def verified(deps: Deps, session: Session, run: ValidationRunRow) -> None:
    """A verification run ended (in its transaction): passed, its verifying window completes.

    Failed, the window stays verifying, with mode, traffic and silences on, until `complete`
    runs it again, or `abort` or `rollback` ends the window.
    """
    if run.status != run_store.PASSED or run.window_id is None:
        return
    window = store.get(session, run.window_id)
    if window is None or window.status != Status.VERIFYING:
        return  # aborted or rolled back meanwhile: nothing left to complete
    now = deps.clock()
    final = _moved(window, now, status=Status.COMPLETED)
    save(session, final)
    comment = f"{runs.public_id(run.id)} passed"
    audit.record(session, final, run.started_by, "verify", window.status, now, comment=comment)
    events.announce(deps, session, events.COMPLETED, final, before=window)


def abort(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    reason: str,
    expected_version: int | None = None,
) -> Window:
    """in_progress or verifying → cancelled, with the reason; ABORTED's listeners undo what
    start set in motion (mode, traffic, silences); a repeat on an aborted window does nothing."""
    refuse(lifecycle.reason_problems(reason, "an abort"))
    window = require(session, window_id, expected_version)
    require_operator(who, window.requested_by, window.lead, f"aborting {window.id}")
    if window.status == Status.CANCELLED and window.actual_start is not None:
        return window
    lifecycle.require(window.status, lifecycle.ABORTABLE, "abort", window.id)
    now = deps.clock()
    moved = _moved(
        window,
        now,
        status=Status.CANCELLED,
        cancel_reason=reason.strip(),
        actual_end=window.actual_end or now,
        sequence=window.sequence + 1,
    )
    save(session, moved)
    audit.record(session, moved, who.name, "abort", window.status, now, comment=reason.strip())
    events.announce(deps, session, events.ABORTED, moved, before=window)
    return moved


def rollback(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    reason: str = "",
    expected_version: int | None = None,
) -> Window:
    """in_progress|verifying → rolled_back: the service is back on its previous version."""
    refuse(bounds.text_problems("reason", reason, "reason"))
    window = require(session, window_id, expected_version)
    require_operator(who, window.requested_by, window.lead, f"rolling back {window.id}")
    lifecycle.require(window.status, lifecycle.ROLLBACKABLE, "rollback", window.id)
    now = deps.clock()
    moved = _moved(window, now, status=Status.ROLLED_BACK, actual_end=window.actual_end or now)
    save(session, moved)
    audit.record(
        session,
        moved,
        who.name,
        "rollback",
        window.status,
        now,
        comment=reason.strip(),
        extra={"actual_duration": actual_duration(moved)},
    )
    events.announce(deps, session, events.ROLLED_BACK, moved, before=window, reason=reason.strip())
    return moved


def actual_duration(window: Window) -> str | None:
    """How long the work really took, in the units maintctl reads ("2h15m")."""
    if window.actual_start is None or window.actual_end is None:
        return None
    return format_duration(window.actual_end - window.actual_start)


@dataclass(frozen=True)
class UpdatePage:
    """One page of a window's updates (id, update) and the id the next page starts after."""

    window_id: str
    updates: list[tuple[int, ProgressUpdate]]
    next: int | None


def update_page(
    session: Session, window_id: str, *, after: int | None = None, limit: int | None = None
) -> UpdatePage:
    """A window's progress updates, oldest first, one bounded page."""
    window = require(session, window_id)
    size = pages.page_size(limit)
    found = updates.page(session, window.id, after, size + 1)
    if len(found) <= size:
        return UpdatePage(window.id, found, None)
    return UpdatePage(window.id, found[:size], found[size - 1][0])
