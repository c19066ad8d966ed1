"""Turning what a user typed (CLI flags, JSON, a filled template) into a checked WindowSpec."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from maintctl.domain import bounds, steps
from maintctl.domain.errors import Problem
from maintctl.domain.model import Risk, WindowSpec
from maintctl.domain.roles import account_name_problem
from maintctl.domain.times import TimeParseError, parse_duration, parse_instant

SYSTEM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
TEXT_FIELDS = ("owner", "description", "impact", "public_title", "public_message")
LIST_DETAILS = ("prerequisites", "execution_plan", "rollback_plan", "verification_steps")
REQUIRED = ("type", "start", "end", "description")
# What approvers sign: a change to any of these sends a scheduled window back to approval.
SIGNED_DETAILS = ("execution_plan", "rollback_plan", "verification_steps")
# What the window asks of maintenance mode and traffic mode while it runs (domain/mode.py).
MODE_FIELDS = ("maintenance_mode", "maintenance_message", "traffic_mode")
TRAFFIC_MODES = ("normal", "read-only", "maintenance")
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
        "team",
        *steps.FIELDS.values(),
        *TEXT_FIELDS,
        *LIST_DETAILS,
        *MODE_FIELDS,
    }
)


def split_systems(value: Any) -> list[str]:
    """Systems from a comma-separated string or a list, trimmed, de-duplicated and sorted."""
    items = value.split(",") if isinstance(value, str) else _items(value)
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


def _items(value: Any) -> list[Any]:
    # A lone value where a list was expected (a number in JSON) is one item, never a TypeError.
    return (
        list(value)
        if isinstance(value, list | tuple | set | frozenset)
        else [value]
        if value
        else []
    )


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [str(v).strip() for v in _items(value) if str(v).strip()]


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
    for name in REQUIRED:
        # Creating needs every one; modifying may leave one out but not empty it.
        if base is None and name == "end" and "duration" in given:
            continue
        if (base is None or name in given) and not str(given.get(name, "")).strip():
            problems.append(Problem(name, "required", f"{name} is required", f"give --{name}"))
    problems.extend(_text_problems(given))
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
    if systems is not None and len(systems) > bounds.MAX_SYSTEMS:
        problems.append(_too_many("systems", len(systems), bounds.MAX_SYSTEMS))
        systems = None
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
    team = split_systems(given["team"]) if "team" in given else None
    problems.extend(_team_problems(team or []))
    step_lists: dict[str, list[steps.Step]] = {}
    for name in steps.FIELDS.values():
        if name in given:
            step_lists[name], found = steps.parse_steps(name, given[name])
            problems.extend(found)
    modes = _mode_fields(given, problems)
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
    spec.team = spec.team if team is None else team
    spec.risk = risk or spec.risk
    for name, value in step_lists.items():
        setattr(spec, name, value)
    spec.owner = spec.owner or default_owner
    for name, value in modes.items():
        setattr(spec, name, value)
    problems.extend(_time_problems(spec, "duration" in given and "end" not in given))
    if problems:
        return None, problems
    return spec, []


def _mode_fields(given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The mode fields given, checked; an empty message means the default wording (None)."""
    found: dict[str, Any] = {}
    if "maintenance_mode" in given:
        raw = given["maintenance_mode"]
        flag = raw if isinstance(raw, bool) else str(raw).strip().lower()
        if flag in (True, "true", "yes", "on", "1"):
            found["maintenance_mode"] = True
        elif flag in (False, "false", "no", "off", "0"):
            found["maintenance_mode"] = False
        else:
            problems.append(
                Problem("maintenance_mode", "boolean", f"{str(raw)[:40]!r} is not true or false")
            )
    if "maintenance_message" in given:
        text = str(given["maintenance_message"]).strip()
        problems.extend(bounds.text_problems("maintenance_message", text, "mode_message"))
        found["maintenance_message"] = text or None
    if "traffic_mode" in given:
        mode = str(given["traffic_mode"]).strip().lower()
        if mode in TRAFFIC_MODES:
            found["traffic_mode"] = mode
        else:
            problems.append(
                Problem(
                    "traffic_mode",
                    "traffic-mode",
                    f"{mode[:40]!r} is not a traffic mode",
                    "use " + ", ".join(TRAFFIC_MODES),
                )
            )
    return found


def _team_problems(team: list[str]) -> list[Problem]:
    """Account names, at most MAX_TEAM; that each account exists is the service's to check."""
    if len(team) > bounds.MAX_TEAM:
        return [_too_many("team", len(team), bounds.MAX_TEAM)]
    found = (account_name_problem(name[:80], "team") for name in team)
    return [p for p in found if p is not None]


def _too_many(field: str, count: int, limit: int) -> Problem:
    return Problem(
        field, "too-many", f"has {count} items; at most {limit} are kept", f"give at most {limit}"
    )


def _text_problems(given: Mapping[str, Any]) -> list[Problem]:
    """Every typed text within its length and free of control characters, before the database."""
    problems: list[Problem] = []
    single = {"owner": "owner", "type": "type", "public_title": "public_title"}
    for name, key in single.items():
        if name in given:
            problems.extend(bounds.text_problems(name, str(given[name]), key, multiline=False))
    for name in ("description", "impact", "justification", "public_message"):
        if name in given:
            problems.extend(bounds.text_problems(name, str(given[name]), name))
    for name in LIST_DETAILS:
        if name not in given:
            continue
        items = _list(given[name])
        if len(items) > bounds.MAX_LIST_ITEMS:
            problems.append(_too_many(name, len(items), bounds.MAX_LIST_ITEMS))
            continue
        for item in items:
            problems.extend(bounds.text_problems(name, item, "plan_item"))
    return problems


def _time_problems(spec: WindowSpec, derived_end: bool) -> list[Problem]:
    """The end (typed, or start + duration) within bounds; the window no longer than any may be."""
    end_field = "duration" if derived_end else "end"
    problems = [
        p
        for p in (
            bounds.instant_problem(end_field, spec.end),
            bounds.window_length_problem(end_field, spec.end - spec.start),
        )
        if p is not None
    ]
    return problems[:1]


def is_retimed(before: WindowSpec, after: WindowSpec) -> bool:
    """True when what the policy and conflict rules judge (time, type, systems) has changed."""
    return (before.start, before.end, before.type, before.systems) != (
        after.start,
        after.end,
        after.type,
        after.systems,
    )


def is_rescheduling(before: WindowSpec, after: WindowSpec) -> bool:
    """True when what approvers signed has changed: time, type, systems, risk, impact, plans,
    steps, and what the window asks of maintenance and traffic mode.

    The description, justification, owner and prerequisites are not signed: rewording them keeps
    the signatures (the change still shows in the window's history).
    """
    return (
        is_retimed(before, after)
        or (before.risk, before.impact) != (after.risk, after.impact)
        or any(
            getattr(before.details, name) != getattr(after.details, name) for name in SIGNED_DETAILS
        )
        or any(getattr(before, name) != getattr(after, name) for name in steps.FIELDS.values())
        or any(getattr(before, name) != getattr(after, name) for name in MODE_FIELDS)
    )
