"""Route bodies for /api/v1/reports/sla and /api/v1/stats (see handlers/__init__.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field

from maintctl.api.handlers import Reply
from maintctl.domain import bounds, sla
from maintctl.domain.errors import RuleViolation
from maintctl.domain.roles import Principal
from maintctl.domain.times import TimeParseError, format_instant, parse_duration
from maintctl.services import sla as sla_service
from maintctl.services import stats as stats_service
from maintctl.services.deps import Deps

Month = Annotated[str, Field(max_length=16)]
Name = Annotated[str | None, Field(max_length=bounds.TEXT_LIMITS["system"])]


def _minutes(value: timedelta) -> float:
    return round(value.total_seconds() / 60, 2)


def _component(row: sla_service.ComponentSla, period: Any) -> dict[str, Any]:
    c = row.component
    return {
        "id": c.id,
        "name": c.name,
        "systems": list(c.systems),
        "windows": row.windows,
        "by_type": {
            name: {
                "minutes": _minutes(t.total),
                "counted_minutes": _minutes(t.counted),
                "per_agreement_minutes": _minutes(t.per_agreement),
            }
            for name, t in sorted(row.by_type.items())
        },
        "maintenance_minutes": _minutes(row.maintenance),
        "counted_minutes": _minutes(row.down),
        "per_agreement_minutes": _minutes(row.per_agreement),
        "availability": sla.availability(row.down, period),
        "availability_with_planned": sla.availability(row.maintenance, period),
    }


def sla_report(deps: Deps, who: Principal, month: Month, component: Name = None) -> Reply:
    """A month's maintenance minutes per component, what counts against the SLA, availability."""
    with deps.db.read() as session:
        found = sla_service.report(deps, session, month, component)
    period = found.period
    return Reply(
        {
            "month": found.month,
            "from": format_instant(period.start),
            "to": format_instant(period.end),
            "period_minutes": _minutes(period.duration),
            "components": [_component(row, period) for row in found.components],
        }
    )


def stats(deps: Deps, who: Principal, type: Name = None, system: Name = None) -> Reply:
    """Per type and system: windows run, planned vs actual duration, overrun and rollback rates."""
    with deps.db.read() as session:
        found = stats_service.stats(deps, session, type, system)
    return Reply(
        {
            "from": format_instant(found.span.start),
            "to": format_instant(found.span.end),
            "groups": [g.figures() for g in found.groups],
        }
    )


def duration_hint(
    deps: Deps,
    who: Principal,
    type: Annotated[str, Field(max_length=bounds.TEXT_LIMITS["type"])],
    duration: Annotated[str, Field(max_length=32)],
    systems: Annotated[str, Field(max_length=20_000)] = "",
) -> Reply:
    """A warning when `duration` is shorter than similar past windows ran at p75 (or null)."""
    try:
        length = parse_duration("duration", duration)
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None
    with deps.db.read() as session:
        warned = stats_service.duration_warning(
            deps, session, type.strip(), systems.split(","), length
        )
    return Reply({"warning": warned})
