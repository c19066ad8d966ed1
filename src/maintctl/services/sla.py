"""The SLA report: per component, a month's maintenance minutes and what counts against the SLA."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from maintctl.domain import sla
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.intervals import Interval, merge
from maintctl.domain.public import Component
from maintctl.services.deps import Deps
from maintctl.store import history

# Without `components:` in the config, one row covers every system.
EVERYTHING = Component("all", "All systems", ())


@dataclass
class ByType:
    """One type's minutes on a component: each window's own time, added up."""

    total: timedelta = timedelta(0)
    counted: timedelta = timedelta(0)
    per_agreement: timedelta = timedelta(0)


@dataclass
class ComponentSla:
    """One component's month: windows, minutes by type, and the merged spans for availability."""

    component: Component
    windows: int = 0
    by_type: dict[str, ByType] = field(default_factory=dict)
    ran: list[Interval] = field(default_factory=list)
    counted: list[Interval] = field(default_factory=list)

    def add(self, window: sla.Ran, share: sla.Share) -> None:
        self.windows += 1
        figures = self.by_type.setdefault(window.type, ByType())
        figures.total += share.total
        figures.counted += share.counted_time
        figures.per_agreement += share.per_agreement
        if share.ran:
            self.ran.append(share.ran)
        if share.counted:
            self.counted.append(share.counted)

    @property
    def maintenance(self) -> timedelta:
        """Time under any maintenance, two windows at once counted once."""
        return sum((s.duration for s in merge(self.ran)), timedelta(0))

    @property
    def down(self) -> timedelta:
        """Time that counts against the SLA, overlaps counted once."""
        return sum((s.duration for s in merge(self.counted)), timedelta(0))

    @property
    def per_agreement(self) -> timedelta:
        return sum((t.per_agreement for t in self.by_type.values()), timedelta(0))


@dataclass(frozen=True)
class SlaReport:
    month: str
    period: Interval
    components: list[ComponentSla]


def _components(deps: Deps, wanted: str | None) -> list[Component]:
    known = list(deps.config.components) or [EVERYTHING]
    if wanted is None:
        return known
    found = [c for c in known if c.id == wanted.strip()]
    if not found:
        raise RuleViolation(
            [
                Problem(
                    "component",
                    "unknown-component",
                    f"there is no component {wanted[:64]!r}",
                    f"use one of {', '.join(c.id for c in known)}",
                )
            ]
        )
    return found


def report(deps: Deps, session: Session, month: str, component: str | None = None) -> SlaReport:
    """The month's SLA figures per component (windows that ran, by their actual times)."""
    period = sla.month_period(month)
    rows = [ComponentSla(c) for c in _components(deps, component)]
    everything = any(not r.component.systems for r in rows)
    systems: Sequence[str] = (
        () if everything else sorted({s for r in rows for s in r.component.systems})
    )
    types = deps.config.policy.types
    for found in history.ran_during(session, period, systems):
        rule = types.get(found.type)
        window = sla.Ran(
            found.type,
            sla.Sla(rule.sla) if rule else sla.Sla.EXCLUDED,
            found.planned_end,
            found.actual_start,
            found.actual_end,
        )
        share = sla.share(window, period)
        for row in rows:
            if not row.component.systems or found.systems & set(row.component.systems):
                row.add(window, share)
    return SlaReport(month.strip(), period, rows)
