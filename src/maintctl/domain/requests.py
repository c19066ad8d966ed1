"""Turning what a user typed (CLI flags, JSON, a filled template) into a checked WindowSpec."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from maintctl.domain.errors import Problem
from maintctl.domain.model import Risk, WindowSpec
from maintctl.domain.times import TimeParseError, parse_duration, parse_instant

SYSTEM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
TEXT_FIELDS = ("owner", "description", "impact")
LIST_DETAILS = ("prerequisites", "execution_plan", "rollback_plan", "verification_steps")
FIELDS = frozenset(
    {
        "id",
        "type",
        "start",
        "end",
        "duration",
        "systems",
        "risk",
        "justification",
        *TEXT_FIELDS,
        *LIST_DETAILS,
    }
)


def split_systems(value: Any) -> list[str]:
    """Systems from a comma-separated string or a list, trimmed, de-duplicated and sorted."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return sorted({str(item).strip() for item in items if str(item).strip()})


def _instant(field: str, value: Any, problems: list[Problem]) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.isoformat()
        else:
            return parse_instant(field, value.isoformat())
    try:
        return parse_instant(field, str(value))
    except TimeParseError as exc:
        problems.append(exc.problem)
        return None


def _end_from_duration(
    value: Any, start: datetime | None, problems: list[Problem]
) -> datetime | None:
    try:
        length = parse_duration("duration", str(value))
    except TimeParseError as exc:
        problems.append(exc.problem)
        return None
    return None if start is None else start + length


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [str(v).strip() for v in value or [] if str(v).strip()]


def build_spec(
    raw: Mapping[str, Any], base: WindowSpec | None = None, default_owner: str = ""
) -> tuple[WindowSpec | None, list[Problem]]:
    """Read raw fields over `base` (None when creating); every problem is reported at once."""
    problems: list[Problem] = []
    given = {k: v for k, v in raw.items() if v is not None}
    for name in sorted(set(given) - FIELDS):
        problems.append(
            Problem(
                name,
                "unknown-field",
                f"{name!r} is not a window field",
                f"use {', '.join(sorted(FIELDS))}",
            )
        )
    if base is None:
        for name in ("type", "start", "end", "description"):
            if name == "end" and "duration" in given:
                continue
            if not str(given.get(name, "")).strip():
                problems.append(Problem(name, "required", f"{name} is required", f"give --{name}"))
    start = _instant("start", given["start"], problems) if "start" in given else None
    end = _instant("end", given["end"], problems) if "end" in given else None
    if end is None and "duration" in given and "end" not in given:
        end = _end_from_duration(
            given["duration"], start or (base.start if base else None), problems
        )
    risk: Risk | None = None
    if "risk" in given:
        try:
            risk = Risk(str(given["risk"]).strip().lower())
        except ValueError:
            problems.append(
                Problem(
                    "risk",
                    "risk-level",
                    f"{given['risk']!r} is not a risk level",
                    "use low, medium or high",
                )
            )
    systems = split_systems(given["systems"]) if "systems" in given else None
    for name in systems or []:
        if not SYSTEM_NAME.match(name):
            problems.append(
                Problem(
                    "systems",
                    "system-name",
                    f"{name!r} is not a system name",
                    "use letters, digits, '.', '_', '-' or '/' (at most 64)",
                )
            )
    if problems:
        return None, problems
    spec = copy.deepcopy(base) if base else WindowSpec("", datetime.min, datetime.min, [], "", "")
    for name in LIST_DETAILS:
        if name in given:
            setattr(spec.details, name, _list(given[name]))
    if "justification" in given:
        spec.details.justification = str(given["justification"]).strip()
    for name in TEXT_FIELDS:
        if name in given:
            setattr(spec, name, str(given[name]).strip())
    if "type" in given:
        spec.type = str(given["type"]).strip().lower()
    spec.start = start or spec.start
    spec.end = end or spec.end
    spec.systems = spec.systems if systems is None else systems
    spec.risk = risk or spec.risk
    spec.owner = spec.owner or default_owner
    return spec, []


def is_rescheduling(before: WindowSpec, after: WindowSpec) -> bool:
    """True when what approvers signed (time, type, systems) has changed."""
    return (before.start, before.end, before.type, before.systems) != (
        after.start,
        after.end,
        after.type,
        after.systems,
    )
