"""Route bodies for /api/v1/check and /api/v1/slots (see handlers/__init__.py)."""

from __future__ import annotations

from typing import Any

from maintctl.api import shapes
from maintctl.api.handlers import Reply
from maintctl.domain.errors import RuleViolation
from maintctl.domain.roles import Principal
from maintctl.domain.times import TimeParseError, parse_after, parse_day, parse_duration
from maintctl.services import schedule
from maintctl.services.deps import Deps


def _parsed(parse: Any, field: str, text: str) -> Any:
    try:
        return parse(field, text)
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None


def check(deps: Deps, who: Principal, date: str, systems: str = "") -> Reply:
    day = _parsed(parse_day, "date", date)
    with deps.db.read() as session:
        report = schedule.check_day(deps, session, day, systems.split(","))
    return Reply(
        {
            "date": report.day.isoformat(),
            "clear": report.clear,
            "items": [shapes.item(c) for c in report.items],
        }
    )


def slots(
    deps: Deps,
    who: Principal,
    type: str,
    duration: str,
    systems: str = "",
    after: str | None = None,
    count: int = 5,
) -> Reply:
    length = _parsed(parse_duration, "duration", duration)
    start = _parsed(parse_after, "after", after) if after else None
    with deps.db.read() as session:
        found = schedule.slots(
            deps,
            session,
            type_name=type,
            duration=length,
            systems=systems.split(","),
            after=start,
            count=count,
        )
    return Reply([shapes.slot(s) for s in found])
