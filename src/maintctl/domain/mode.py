"""Maintenance mode and traffic mode: the two states, their scopes and how they combine.

Maintenance mode says maintenance is under way (and what to tell users); traffic mode says what
is let through. Each is set globally or for named systems; a service's effective state is the
combination of the global one and its systems' (contract9.md §3, docs/execution.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.domain.requests import SYSTEM_NAME, split_systems
from maintctl.domain.times import format_instant

GLOBAL = "*"  # the scope of a state that is not scoped to systems


class Kind(StrEnum):
    MAINTENANCE = "maintenance"
    TRAFFIC = "traffic"


class Traffic(StrEnum):
    NORMAL = "normal"
    READ_ONLY = "read-only"
    MAINTENANCE = "maintenance"


# The strictest traffic mode wins when states combine.
STRICTNESS = {Traffic.NORMAL: 0, Traffic.READ_ONLY: 1, Traffic.MAINTENANCE: 2}


@dataclass(frozen=True)
class State:
    """One kind's state on one scope: its value, who set it, why, and the window it is tied to."""

    kind: Kind
    scope: str
    value: str  # "on"/"off" for maintenance; a Traffic value for traffic
    message: str | None = None
    window_id: str | None = None
    until: datetime | None = None
    by: str = ""
    reason: str = ""
    since: datetime | None = None

    @property
    def active(self) -> bool:
        """Not off (maintenance) and not normal (traffic)."""
        return self.value not in ("off", Traffic.NORMAL.value)


@dataclass(frozen=True)
class Effective:
    """What a service (or a scope) is told: maintenance mode, traffic mode, message, until."""

    maintenance: bool = False
    traffic: Traffic = Traffic.NORMAL
    message: str | None = None
    until: datetime | None = None

    def as_health(self) -> dict[str, object]:
        """The /health members (contract9.md §3)."""
        return {
            "maintenanceMode": self.maintenance,
            "trafficMode": self.traffic.value,
            "message": self.message,
            "until": format_instant(self.until) if self.until else None,
        }


def on_scope(states: list[State]) -> Effective:
    """The two states of one scope as one Effective (off/normal where none is stored)."""
    maintenance = next((s for s in states if s.kind == Kind.MAINTENANCE), None)
    traffic = next((s for s in states if s.kind == Kind.TRAFFIC), None)
    on = maintenance is not None and maintenance.active
    mode = Traffic(traffic.value) if traffic is not None else Traffic.NORMAL
    untils = [s.until for s in (maintenance, traffic) if s is not None and s.active and s.until]
    return Effective(
        maintenance=on,
        traffic=mode,
        message=maintenance.message if on and maintenance else None,
        until=max(untils) if untils else None,
    )


def combine(global_state: Effective, scoped: list[Effective]) -> Effective:
    """A service's state from the global one and its systems': maintenance on if any is on,
    the strictest traffic, the strictest scoped state's message (else the global one), and
    the latest until."""
    every = [global_state, *scoped]
    traffic = max((e.traffic for e in every), key=STRICTNESS.__getitem__)
    ranked = sorted(
        (e for e in scoped if e.maintenance and e.message),
        key=lambda e: STRICTNESS[e.traffic],
        reverse=True,
    )
    message = ranked[0].message if ranked else global_state.message
    untils = [e.until for e in every if e.until is not None]
    return Effective(
        maintenance=any(e.maintenance for e in every),
        traffic=traffic,
        message=message,
        until=max(untils) if untils else None,
    )


def default_message(end: datetime) -> str:
    """The runbook's wording, from the window's end."""
    return f"Scheduled maintenance in progress. Service will resume at {end:%H:%M} UTC."


def scopes(systems: str | list[str] | None) -> tuple[list[str], list[Problem]]:
    """The scopes a change names: its systems, or the global scope when none is named."""
    names = split_systems(systems) if systems else []
    problems: list[Problem] = []
    if len(names) > bounds.MAX_SYSTEMS:
        problems.append(
            Problem(
                "systems",
                "too-many",
                f"{len(names)} systems named; at most {bounds.MAX_SYSTEMS}",
                "name fewer systems",
            )
        )
    for name in names[: bounds.MAX_SYSTEMS]:
        if not SYSTEM_NAME.match(name):
            problems.append(
                Problem(
                    "systems",
                    "system-name",
                    f"{name[:80]!r} is not a system name",
                    "use letters, digits, '.', '_', '-' or '/' (at most 64)",
                )
            )
    return (names or [GLOBAL]), problems


def change_problems(kind: Kind, value: str, message: str | None, reason: str) -> list[Problem]:
    """What is wrong with a change's value, message and reason."""
    problems: list[Problem] = []
    if kind == Kind.TRAFFIC and value not in {t.value for t in Traffic}:
        problems.append(
            Problem(
                "mode",
                "traffic-mode",
                f"{value[:40]!r} is not a traffic mode",
                "use normal, read-only or maintenance",
            )
        )
    if message is not None:
        problems += bounds.text_problems("message", message, "mode_message")
    if reason:
        problems += bounds.text_problems("reason", reason, "reason")
    return problems
