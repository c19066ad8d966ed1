"""Rendering a notice about a window for one audience and channel: the one entry point.

`render_notice` is what the notification planner, `notify preview` and `notify render` call.
Customer-facing text uses the window's public title and message (domain/public.py), never its
internal description; times are in UTC, as the runbook writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maintctl.config import Channel
from maintctl.domain import public
from maintctl.domain.model import ProgressUpdate, Window
from maintctl.domain.timeline import notice_class
from maintctl.domain.times import format_duration, format_instant
from maintctl.services.deps import Deps

INTERNAL = frozenset({"internal-engineering", "internal-all"})


@dataclass(frozen=True)
class Notice:
    """What to render: a window, the notice kind (initial, reminder-24h, start...), for whom."""

    window: Window
    kind: str
    audience: str
    channel: Channel | None = None
    update: ProgressUpdate | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """A rendered notice: the subject, a plain-text body, and an HTML body ("" for chat)."""

    subject: str
    text: str
    html: str = ""


def render_notice(deps: Deps, notice: Notice) -> Rendered:
    """The notice's subject and bodies, as the runbook's templates word them."""
    window = notice.window
    rule = deps.config.policy.types.get(window.spec.type)
    title = public.title(window)
    start, end = public.shown_times(window)
    when = f"{format_instant(start)} - {format_instant(end)}"
    klass = notice_class(notice.kind)
    subject = {
        "initial": f"[Scheduled Maintenance] {title} - {format_instant(start)[:10]}",
        "reminder": f"[Reminder] Scheduled Maintenance - {title}",
        "start": f"[Maintenance Started] {title}",
        "completion": f"[Maintenance Complete] {title}",
        "rescheduled": f"[Rescheduled Maintenance] {title}",
        "cancelled": f"[Maintenance Cancelled] {title}",
    }.get(klass, f"[Maintenance] {title}")
    lines = [subject, "", public.message(window, rule), "", f"Time: {when} UTC"]
    lines.append(f"Duration: {format_duration(end - start)}")
    if notice.audience in INTERNAL:
        lines.append(f"Window: {window.id}")
    return Rendered(subject, "\n".join(lines) + "\n")
