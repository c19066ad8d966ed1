"""Which states allow which changes. The approval moves come with team mode."""

from __future__ import annotations

from maintctl.domain.errors import Problem, StateError
from maintctl.domain.model import Status

CANCELLABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED})
MODIFIABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED})


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
