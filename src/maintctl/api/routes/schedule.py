"""/api/v1/check and /api/v1/slots."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from maintctl.api import shapes
from maintctl.api.auth import AUTHENTICATED
from maintctl.api.deps import AppDeps
from maintctl.domain.errors import RuleViolation
from maintctl.domain.times import TimeParseError, parse_after, parse_day, parse_duration
from maintctl.services import schedule

router = APIRouter(prefix="/api/v1", tags=["schedule"], dependencies=AUTHENTICATED)


def _parsed(parse: Any, field: str, text: str) -> Any:
    try:
        return parse(field, text)
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None


@router.get("/check")
def check(
    deps: AppDeps,
    date: Annotated[str, Query(examples=["2024-12-29"])],
    systems: Annotated[str, Query(description="comma-separated")] = "",
) -> dict[str, Any]:
    day = _parsed(parse_day, "date", date)
    with deps.db.read() as session:
        report = schedule.check_day(deps, session, day, systems.split(","))
    return {
        "date": report.day.isoformat(),
        "clear": report.clear,
        "items": [shapes.item(c) for c in report.items],
    }


@router.get("/slots")
def slots(
    deps: AppDeps,
    type: str,
    duration: Annotated[str, Query(examples=["2h"])],
    systems: str = "",
    after: Annotated[
        str | None,
        Query(
            description="an instant, or a date (its start in UTC)",
            examples=["2024-12-20T00:00:00Z"],
        ),
    ] = None,
    count: int = 5,
) -> list[dict[str, str]]:
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
    return [shapes.slot(s) for s in found]
