"""Which states allow which changes, and the rules of the moves during a window."""

from __future__ import annotations

from datetime import datetime, timedelta

from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation, StateError
from maintctl.domain.model import Pace, Status, Window
from maintctl.domain.times import format_instant

CANCELLABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED})
MODIFIABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED})
STARTABLE = frozenset({Status.SCHEDULED})
RUNNING = frozenset({Status.IN_PROGRESS})  # progress needs this
# `complete` again on a verifying window runs its quick validation again; `abort` calls off a
# window whose verification fails as well as one in progress (the work is undone either way).
COMPLETABLE = frozenset({Status.IN_PROGRESS, Status.VERIFYING})
ABORTABLE = frozenset({Status.IN_PROGRESS, Status.VERIFYING})
# Rolling back is also the way out of a window whose validation keeps failing after `complete`.
ROLLBACKABLE = frozenset({Status.IN_PROGRESS, Status.VERIFYING})

# Starting earlier than this before the scheduled start needs `early`: a typed ID that names
# next week's window must not start it today.
EARLY_GRACE = timedelta(minutes=15)


def require(status: Status, allowed: frozenset[Status], action: str, window_id: str) -> None:
    """Refuse `action` unless the window is in one of the allowed states."""
    if status in allowed:
        return
    names = ", ".join(sorted(s.value for s in allowed))
    raise StateError(
        [
            Problem(
                "status",
                "state",
                f"{window_id} is {status.value}; {action} needs it to be one of {names}",
                "look at it with maintctl window show " + window_id,
            )
        ]
    )


def after_reschedule(status: Status) -> Status:
    """Where a window goes when what its approvers signed changes: back to approval."""
    return Status.PENDING_APPROVAL if status == Status.SCHEDULED else status


def check_start(window: Window, now: datetime, early: bool) -> None:
    """Refuse starting `window` at `now`: wrong state, or too early without `early`."""
    require(window.status, STARTABLE, "start", window.id)
    if early or now >= window.spec.start - EARLY_GRACE:
        return
    raise RuleViolation(
        [
            Problem(
                "early",
                "early-start",
                f"{window.id} is scheduled for {format_instant(window.spec.start)}, more than "
                f"{int(EARLY_GRACE.total_seconds() // 60)} minutes from now",
                "check the ID; if this is the window to start now, give --early",
            )
        ]
    )


def after_complete(validation_configured: bool) -> Status:
    """Where `complete` leaves a window: verifying while checks run, else completed at once."""
    return Status.VERIFYING if validation_configured else Status.COMPLETED


def update_problems(
    step: int, of: int, task: str, status: str, public: str | None, kept: int
) -> list[Problem]:
    """The problems with one progress update, given how many the window already keeps."""
    problems = []
    if not 1 <= of <= bounds.MAX_STEPS:
        problems.append(
            Problem("of", "range", f"{of} steps", f"give 1 to {bounds.MAX_STEPS} steps")
        )
    if not 1 <= step <= max(of, 1):
        problems.append(Problem("step", "range", f"step {step} of {of}", f"give 1 to {of}"))
    if not task.strip():
        problems.append(Problem("task", "required", "an update names its task", "give --task"))
    problems += bounds.text_problems("task", task, "task")
    if status not in set(Pace):
        names = ", ".join(p.value for p in Pace)
        problems.append(
            Problem("status", "unknown-pace", f"{status[:40]!r} is not a pace", f"use {names}")
        )
    if public is not None:
        problems += bounds.text_problems("public", public, "public_message")
    if kept >= bounds.MAX_UPDATES:
        problems.append(
            Problem(
                "updates",
                "too-many",
                f"the window already keeps {kept} updates",
                f"at most {bounds.MAX_UPDATES}; say more in fewer, larger steps",
            )
        )
    return problems


def reason_problems(reason: str, action: str) -> list[Problem]:
    """A reason that is given, and within its bound."""
    if not reason.strip():
        return [Problem("reason", "required", f"{action} needs a reason", "give --reason")]
    return bounds.text_problems("reason", reason, "reason")
