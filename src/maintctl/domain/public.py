"""What the public may know of a window (DESIGN.md, "Public and private"): pure rules.

Published are the window's public title and message (defaulting to its type's wording), its
times and its components: never its description, plans, systems or people. A window is public
from the moment it is first scheduled; then it stays, with its last approved times while a change
awaits approval, and shown cancelled if it is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from maintctl.domain.model import Status, Window
from maintctl.domain.policy import MaintenanceType

EMERGENCY = "emergency"


@dataclass(frozen=True)
class Component:
    """A part of the service as customers know it, made of systems (config `components:`)."""

    id: str
    name: str
    systems: tuple[str, ...]
    description: str = ""


def title(window: Window) -> str:
    """The window's public title, or its type's."""
    if window.spec.public_title:
        return window.spec.public_title
    kind = "Emergency" if window.spec.type == EMERGENCY else "Scheduled"
    return f"{kind} maintenance"


def message(window: Window, rule: MaintenanceType | None) -> str:
    """The window's public message, or its type's wording: what it is and its expected impact."""
    if window.spec.public_message:
        return window.spec.public_message
    if rule is None:
        return "Maintenance is scheduled."
    text = rule.description.rstrip(".") + "." if rule.description else "Maintenance is scheduled."
    if rule.customer_impact and rule.customer_impact.lower() != "none":
        text += f" Expected impact: {rule.customer_impact}."
    return text


def is_public(window: Window, rule: MaintenanceType | None, show_not_impacting: bool) -> bool:
    """Whether the status page shows it: scheduled once, and customer-impacting unless asked."""
    if window.published_start is None or window.status == Status.DRAFT:
        return False
    impacting = rule.customer_impacting if rule is not None else True
    return impacting or show_not_impacting


def shown_times(window: Window) -> tuple[datetime, datetime]:
    """The times the public sees: the last approved ones, while a change awaits approval."""
    if window.status == Status.PENDING_APPROVAL and window.published_start and window.published_end:
        return window.published_start, window.published_end
    return window.spec.start, window.spec.end


def components_of(components: Sequence[Component], systems: Iterable[str]) -> list[Component]:
    """The components a window on `systems` touches, in config order."""
    touched = set(systems)
    return [c for c in components if touched.intersection(c.systems)]
