"""What history teaches: per type and system, how past windows went; the duration warning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from maintctl.domain import bounds, history
from maintctl.domain.intervals import Interval
from maintctl.domain.requests import split_systems
from maintctl.services.deps import Deps
from maintctl.store import history as store


@dataclass
class Group:
    """One (type, system) pair's windows that ran within the horizon."""

    type: str
    system: str
    planned: list[int] = field(default_factory=list)  # seconds
    actual: list[int] = field(default_factory=list)
    overruns: int = 0
    rollbacks: int = 0
    notices: int = 0  # notices planned with a due time
    notices_on_time: int = 0

    @property
    def windows(self) -> int:
        return len(self.actual)

    def figures(self) -> dict[str, object]:
        """The stable JSON shape: seconds, rates from 0 to 1 (None where nothing to rate)."""
        planned, actual = sorted(self.planned), sorted(self.actual)
        n = self.windows
        return {
            "type": self.type,
            "system": self.system,
            "windows": n,
            "planned_median_s": history.percentile(planned, 0.5),
            "planned_p90_s": history.percentile(planned, 0.9),
            "actual_median_s": history.percentile(actual, 0.5),
            "actual_p90_s": history.percentile(actual, 0.9),
            "overrun_rate": self.overruns / n,
            "rollback_rate": self.rollbacks / n,
            "notices": self.notices,
            "notices_on_time": self.notices_on_time,
            "notices_on_time_rate": self.notices_on_time / self.notices if self.notices else None,
        }


@dataclass(frozen=True)
class Stats:
    span: Interval
    groups: list[Group]


def stats(
    deps: Deps, session: Session, type_name: str | None = None, system: str | None = None
) -> Stats:
    """Per type and system, the windows that started within the horizon and have ended."""
    now = deps.clock()
    span = Interval(now - bounds.HISTORY_HORIZON, now)
    types = [type_name.strip()] if type_name else []
    systems = [system.strip()] if system else []
    groups: dict[tuple[str, str], Group] = {}
    rows = store.stat_rows(session, span, types, systems)
    for type_, system_, planned_s, actual_s, overran, rolled, told, on_time in rows:
        group = groups.get((type_, system_))
        if group is None:
            group = groups[(type_, system_)] = Group(type_, system_)
        group.planned.append(planned_s)
        group.actual.append(actual_s)
        group.overruns += overran
        group.rollbacks += rolled
        group.notices += told
        group.notices_on_time += on_time
    return Stats(span, [groups[k] for k in sorted(groups)])


def duration_warning(
    deps: Deps, session: Session, type_name: str, systems: Sequence[str], length: timedelta
) -> str | None:
    """The warning when `length` is shorter than similar past windows ran at p75, or None."""
    held = split_systems(list(systems))
    if not held or length <= timedelta(0):
        return None
    samples = store.recent_actuals(
        session, type_name, held[: bounds.MAX_SYSTEMS], deps.clock(), bounds.HISTORY_SAMPLE
    )
    return history.duration_warning(type_name, held, length, samples)
