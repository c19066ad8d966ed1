"""The SLA report over stored windows (services/sla.py), worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from maintctl.api.handlers.history import sla_report
from maintctl.config import parse_config
from maintctl.domain.errors import RuleViolation
from maintctl.domain.roles import Principal, Role
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.ran import ran

VIEWER = Principal("vera", Role.VIEWER)
H, M = timedelta(hours=1), timedelta(minutes=1)
NOVEMBER_MINUTES = 30 * 24 * 60
COMPONENTS = """
components:
  - {id: api, name: Public API, systems: [api, db]}
  - {id: web, name: Website, systems: [web]}
"""


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def month(db: Database, clock: Clock) -> Deps:
    """November 2026 by hand: an overrun, an extended outage, an emergency, one crossing into
    December, one that never ran."""
    ran(db, "planned-outage", ["db"], at(8, 2), 2 * H, 140 * M)  # 20 minutes over
    ran(db, "extended-outage", ["api"], at(1, 2), 4 * H, 4 * H)  # on time, per agreement
    ran(db, "emergency", ["web"], at(10, 10), 1 * H, 30 * M)  # all of it counts
    ran(db, "planned-outage", ["db", "api"], at(30, 23), 2 * H, 150 * M)  # into December
    ran(db, "planned-outage", ["db"], at(15, 2), 2 * H, None)  # never ran
    ran(db, "planned-outage", ["db"], at(8, 2, month=10), 2 * H, 3 * H)  # October
    config = parse_config(COMPONENTS, "m.yaml")
    return Deps.build(db, config, clock=clock)


def body(deps: Deps, month: str, component: str | None = None) -> dict[str, object]:
    reply = sla_report(deps, VIEWER, month, component)
    assert isinstance(reply.body, dict)
    return reply.body


def test_it_counts_overruns_apart_agreements_and_splits_at_the_month(month: Deps) -> None:
    report = body(month, "2026-11")
    assert report["period_minutes"] == NOVEMBER_MINUTES
    api, web = report["components"]  # type: ignore[misc]
    assert api["id"] == "api" and api["windows"] == 3
    assert api["by_type"] == {
        "extended-outage": {
            "minutes": 240.0,
            "counted_minutes": 0.0,
            "per_agreement_minutes": 240.0,
        },
        # 140 from the overrun one (20 over), 60 of the one crossing into December.
        "planned-outage": {"minutes": 200.0, "counted_minutes": 20.0, "per_agreement_minutes": 0.0},
    }
    assert (api["maintenance_minutes"], api["counted_minutes"]) == (440.0, 20.0)
    assert api["per_agreement_minutes"] == 240.0
    assert api["availability"] == pytest.approx(1 - 20 / NOVEMBER_MINUTES)
    assert api["availability_with_planned"] == pytest.approx(1 - 440 / NOVEMBER_MINUTES)
    assert web["windows"] == 1 and web["counted_minutes"] == 30.0
    assert web["availability"] == pytest.approx(1 - 30 / NOVEMBER_MINUTES)


def test_december_gets_the_rest_of_the_window_crossing_the_boundary(month: Deps) -> None:
    api = body(month, "2026-12", "api")["components"][0]  # type: ignore[index]
    assert api["windows"] == 1
    assert api["by_type"]["planned-outage"] == {
        "minutes": 90.0,
        "counted_minutes": 30.0,
        "per_agreement_minutes": 0.0,
    }


def test_windows_at_once_on_a_component_count_their_minutes_once(
    db: Database, clock: Clock
) -> None:
    ran(db, "emergency", ["api"], at(3, 10), H, H)
    ran(db, "emergency", ["db"], at(3, 10), H, H)
    deps = Deps.build(db, parse_config(COMPONENTS, "m.yaml"), clock=clock)
    api = body(deps, "2026-11", "api")["components"][0]  # type: ignore[index]
    assert api["by_type"]["emergency"]["counted_minutes"] == 120.0  # each window's own
    assert api["counted_minutes"] == 60.0  # but the API was down one hour


def test_without_components_one_row_covers_every_system(month: Deps, db: Database) -> None:
    deps = Deps.build(db, parse_config("", "m.yaml"), clock=month.clock)
    (everything,) = body(deps, "2026-11")["components"]  # type: ignore[misc]
    assert everything["id"] == "all" and everything["windows"] == 4
    assert everything["counted_minutes"] == 50.0


@pytest.mark.parametrize("wrong", [("2026-13", None), ("Nov", None), ("2026-11", "nope")])
def test_a_bad_month_or_component_is_refused_by_name(
    month: Deps, wrong: tuple[str, str | None]
) -> None:
    with pytest.raises(RuleViolation) as caught:
        body(month, *wrong)
    assert caught.value.problems[0].field in ("month", "component")
