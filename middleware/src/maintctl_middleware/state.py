"""What maintctl's /health says, and the one state a service with given systems is in.

Pure: no I/O, no clock. The combination rule is maintctl's own (docs/execution.md): maintenance
mode on if the global state or any of the service's systems' is on; traffic mode the strictest
of them (maintenance > read-only > normal); the message of the strictest scoped state, else the
global one; `until` the latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

NORMAL = "normal"
READ_ONLY = "read-only"
MAINTENANCE = "maintenance"
RANK = {NORMAL: 0, READ_ONLY: 1, MAINTENANCE: 2}
# /health is small; anything larger is not maintctl's answer.
MAX_BODY = 256 * 1024
MAX_MESSAGE = 2000


class Malformed(ValueError):
    """The answer is not maintctl's /health shape: keep the last known state."""


@dataclass(frozen=True)
class Scoped:
    """One state as /health states it: the global one or one system's."""

    maintenance_mode: bool = False
    traffic_mode: str = NORMAL
    message: str | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Health:
    """maintctl's global state and its per-system states."""

    global_state: Scoped
    systems: dict[str, Scoped]


def _instant(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Malformed(f"{where}: until is not an ISO 8601 instant")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Malformed(f"{where}: until is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise Malformed(f"{where}: until has no offset")
    return moment.astimezone(timezone.utc)


def _scoped(data: Any, where: str) -> Scoped:
    if not isinstance(data, dict):
        raise Malformed(f"{where}: not an object")
    mode = data.get("maintenanceMode")
    traffic = data.get("trafficMode")
    message = data.get("message")
    if not isinstance(mode, bool):
        raise Malformed(f"{where}: maintenanceMode is not a boolean")
    if traffic not in RANK:
        raise Malformed(f"{where}: trafficMode is not one of {', '.join(RANK)}")
    if message is not None and not isinstance(message, str):
        raise Malformed(f"{where}: message is not a string")
    if message is not None:
        message = message[:MAX_MESSAGE]
    return Scoped(mode, traffic, message or None, _instant(data.get("until"), where))


def parse(data: Any) -> Health:
    """The state in a decoded /health body; Malformed when its members are missing or wrong."""
    if not isinstance(data, dict):
        raise Malformed("the answer is not a JSON object")
    systems = data.get("systems", {})
    if systems is None:
        systems = {}
    if not isinstance(systems, dict):
        raise Malformed("systems is not an object")
    return Health(
        _scoped(data, "global"),
        {str(name): _scoped(value, f"system {name}") for name, value in systems.items()},
    )


def _strictness(state: Scoped) -> tuple[int, bool]:
    return (RANK[state.traffic_mode], state.maintenance_mode)


def combine(health: Health, systems: Iterable[str]) -> Scoped:
    """The effective state of a service that runs on `systems` (contract §3)."""
    scoped = [health.systems[name] for name in systems if name in health.systems]
    every = [health.global_state, *scoped]
    strictest = max(every, key=_strictness)
    worded = [state for state in scoped if state.message]
    if worded:
        message: str | None = max(worded, key=_strictness).message
    else:
        message = health.global_state.message
    ends = [state.until for state in every if state.until is not None]
    return Scoped(
        maintenance_mode=any(state.maintenance_mode for state in every),
        traffic_mode=strictest.traffic_mode,
        message=message,
        until=max(ends) if ends else None,
    )


def format_instant(moment: datetime | None) -> str | None:
    """ISO 8601 with a Z, to the second, as maintctl writes instants."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
