"""What happened to a window, told to whoever plans work from it, inside the move's transaction.

Every move of a window (scheduled, moved back to approval, cancelled, started, progress,
completed, aborted) ends in `announce`. Listeners (the notification planner, the hosted
Statuspage sync, later validation and execution) plan their jobs in the same transaction, so a
move and what it causes commit together or not at all. A listener only writes rows (jobs, plans):
it never sends or calls out, since the transaction holds the write lock.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from maintctl.domain.model import ProgressUpdate, Window
from maintctl.services.deps import Deps

SUBMITTED = "window.submitted"  # sent for approval: its first level waits for a signature
SIGNED = "window.signed"  # a signature that is not the last: the next level waits
REJECTED = "window.rejected"  # sent back to draft, with the reason
SCHEDULED = "window.scheduled"  # the final signature (or a submit with no chain)
UNSCHEDULED = "window.unscheduled"  # a scheduled window changed and went back to approval
CHANGED = "window.changed"  # a public window reworded (or re-timed while awaiting approval)
CANCELLED = "window.cancelled"  # cancelled before it started
STARTED = "window.started"
PROGRESSED = "window.progress"
COMPLETED = "window.completed"
ABORTED = "window.aborted"  # cancelled while in progress
ROLLED_BACK = "window.rolled_back"  # the rollback steps ran: the window ends rolled_back
CLOSED = "window.closed"  # completed or rolled_back, then closed after the review
# The moves after which nothing a window started may stay on (mode, traffic, silences).
ENDED = frozenset({COMPLETED, ABORTED, ROLLED_BACK, CANCELLED})


@dataclass(frozen=True)
class Event:
    """One move: the window as it is now, what it was before (for a move), an update, a reason."""

    name: str
    window: Window
    before: Window | None = None
    update: ProgressUpdate | None = None
    reason: str = ""  # a rejection's


Listener = Callable[[Deps, Session, Event], None]
# "module:function" of each listener, imported on first use: a face that never moves a window
# never imports the planners.
BUILT_IN: tuple[str, ...] = (
    "maintctl.services.notices:on_event",
    "maintctl.services.statuspage:on_event",
    "maintctl.services.people:on_event",
    "maintctl.services.watch:on_event",
    "maintctl.services.suppression:on_event",
    "maintctl.services.mode:on_event",
    "maintctl.services.aftercare:on_event",
)
_listeners: list[Listener] | None = None


def listeners() -> list[Listener]:
    """The listeners, in BUILT_IN order."""
    global _listeners
    if _listeners is None:
        found = []
        for name in BUILT_IN:
            module, _, attr = name.partition(":")
            found.append(getattr(importlib.import_module(module), attr))
        _listeners = found
    return _listeners


def announce(
    deps: Deps,
    session: Session,
    name: str,
    window: Window,
    *,
    before: Window | None = None,
    update: ProgressUpdate | None = None,
    reason: str = "",
) -> None:
    """Tell every listener of this move, in the move's transaction."""
    event = Event(name, window, before, update, reason)
    for listener in listeners():
        listener(deps, session, event)
