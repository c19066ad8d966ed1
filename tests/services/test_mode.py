"""Maintenance mode and traffic mode: who may change them, scopes, windows' start and end, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from maintctl.domain.errors import NotFound, RuleViolation
from maintctl.domain.mode import Kind
from maintctl.domain.roles import Forbidden, Principal, Role
from maintctl.services import mode, windows
from maintctl.services.deps import Deps
from maintctl.store import audit
from maintctl.store.tables import JobRow, ModeChangeRow, ModeStateRow
from tests.conftest import Clock
from tests.services.test_lifecycle import PLANNED, RITA, START, TOM, move, scheduled

VERA = Principal("vera", Role.VIEWER)
ROOT = Principal("root", Role.ADMIN)


def change(deps: Deps, who: Principal, kind: Kind, value: str, **kw: object) -> mode.Change | None:
    with deps.db.write() as session:
        return mode.change(deps, session, who, kind, value, **kw)  # type: ignore[arg-type]


def health(deps: Deps) -> dict[str, object]:
    with deps.db.read() as session:
        return mode.health_members(session)


def counts(deps: Deps) -> tuple[int, int]:
    with deps.db.read() as session:
        states = len(list(session.scalars(select(ModeStateRow))))
        changes = len(list(session.scalars(select(ModeChangeRow))))
    return states, changes


def asking(deps: Deps, clock: Clock, **fields: object) -> str:
    """A scheduled planned outage on db that asks for `fields`, started by rita."""
    with deps.db.write() as session:
        made = windows.create(deps, session, {**PLANNED, **fields}, RITA)
    wid = scheduled_from(deps, made.id)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    return wid


def scheduled_from(deps: Deps, wid: str) -> str:
    from maintctl.services import workflow
    from tests.services.test_lifecycle import EMMA, VICTOR

    with deps.db.write() as session:
        workflow.submit(deps, session, wid, RITA)
        for signer in (TOM, EMMA, VICTOR):
            workflow.approve(deps, session, wid, signer)
    return wid


def test_a_team_lead_switches_maintenance_mode_on_globally_and_health_shows_it(
    deps: Deps,
) -> None:
    found = change(deps, TOM, Kind.MAINTENANCE, "on", message="Back at 04:00 UTC.", reason="db")
    assert found is not None and found.scopes == ["*"]
    assert health(deps) == {
        "maintenanceMode": True,
        "trafficMode": "normal",
        "message": "Back at 04:00 UTC.",
        "until": None,
        "systems": {},
    }
    with deps.db.read() as session:
        row = session.scalars(select(ModeChangeRow)).one()
    assert (row.actor, row.kind, row.value, row.reason) == ("tom", "maintenance", "on", "db")
    change(deps, TOM, Kind.MAINTENANCE, "off")
    assert health(deps)["maintenanceMode"] is False and health(deps)["message"] is None
    assert counts(deps) == (1, 2)  # one state row updated in place; two changes kept


@pytest.mark.parametrize("who", [VERA, RITA, ROOT])
def test_only_team_lead_or_higher_changes_a_mode_and_nothing_is_written(
    deps: Deps, who: Principal
) -> None:
    with pytest.raises(Forbidden, match="team-lead or higher"):
        change(deps, who, Kind.TRAFFIC, "read-only")
    assert counts(deps) == (0, 0)


def test_the_local_os_user_may_change_a_mode(deps: Deps) -> None:
    local = Principal.local_admin("alice")
    assert change(deps, local, Kind.TRAFFIC, "maintenance") is not None


def test_a_change_naming_a_window_that_does_not_exist_writes_nothing(deps: Deps) -> None:
    with pytest.raises(NotFound, match="MNT-2026-9999"):
        change(deps, TOM, Kind.MAINTENANCE, "on", message="x", window_id="MNT-2026-9999")
    assert counts(deps) == (0, 0)


def test_a_bad_traffic_mode_a_long_message_and_a_bad_system_are_refused(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as refused:
        change(deps, TOM, Kind.MAINTENANCE, "on", message="x" * 1001, systems=["db", "a b"])
    assert {p.rule for p in refused.value.problems} == {"too-long", "system-name"}
    with pytest.raises(RuleViolation, match="not a traffic mode"):
        change(deps, TOM, Kind.TRAFFIC, "closed")
    assert counts(deps) == (0, 0)


def test_scoped_states_show_per_system_and_leave_the_global_state_alone(deps: Deps) -> None:
    change(deps, TOM, Kind.TRAFFIC, "read-only", systems=["db"])
    change(deps, TOM, Kind.MAINTENANCE, "on", message="db is read-only", systems=["db", "api"])
    shown = health(deps)
    assert shown["maintenanceMode"] is False and shown["trafficMode"] == "normal"
    assert shown["systems"] == {
        "api": {
            "maintenanceMode": True,
            "trafficMode": "normal",
            "message": "db is read-only",
            "until": None,
        },
        "db": {
            "maintenanceMode": True,
            "trafficMode": "read-only",
            "message": "db is read-only",
            "until": None,
        },
    }
    change(deps, TOM, Kind.MAINTENANCE, "off", systems=["api", "db"])
    change(deps, TOM, Kind.TRAFFIC, "normal", systems=["db"])
    assert health(deps)["systems"] == {}  # only systems whose state is not off/normal


def test_a_change_tied_to_a_window_carries_its_end_and_is_on_its_history(deps: Deps) -> None:
    wid = scheduled(deps)
    change(deps, TOM, Kind.TRAFFIC, "maintenance", window_id=wid, reason="cut over")
    assert health(deps)["until"] == "2026-12-06T04:00:00Z"
    with deps.db.read() as session:
        row = audit.history(session, wid)[-1]
    assert (row.action, row.actor, row.detail["comment"]) == ("traffic", "tom", "cut over")
    assert row.detail["mode"] == "maintenance" and row.detail["scopes"] == ["*"]


def test_a_window_start_switches_on_what_it_asks_on_its_systems(deps: Deps, clock: Clock) -> None:
    wid = asking(deps, clock, maintenance_mode=True, traffic_mode="read-only")
    shown = health(deps)
    assert shown["maintenanceMode"] is False  # scoped to the window's systems, not global
    assert shown["systems"] == {
        "db": {
            "maintenanceMode": True,
            "trafficMode": "read-only",
            "message": "Scheduled maintenance in progress. Service will resume at 04:00 UTC.",
            "until": "2026-12-06T04:00:00Z",
        }
    }
    with deps.db.read() as session:
        actions = [r.action for r in audit.history(session, wid)]
    assert actions[-3:] == ["start", "maintenance", "traffic"]


def test_a_window_that_asks_nothing_changes_no_mode(deps: Deps, clock: Clock) -> None:
    asking(deps, clock)
    assert counts(deps) == (0, 0)


@pytest.mark.parametrize("end", ["complete", "abort"])
def test_a_window_end_switches_off_only_the_states_it_holds(
    deps: Deps, clock: Clock, end: str
) -> None:
    wid = asking(deps, clock, maintenance_mode=True, maintenance_message="Back soon.")
    change(deps, TOM, Kind.MAINTENANCE, "on", message="api work", systems=["api"])
    change(deps, TOM, Kind.TRAFFIC, "read-only", systems=["db"])  # by hand, not the window's
    args = ("called off",) if end == "abort" else ()
    move(deps, end, wid, RITA, *args)
    systems = health(deps)["systems"]
    assert systems == {
        "api": {
            "maintenanceMode": True,
            "trafficMode": "normal",
            "message": "api work",
            "until": None,
        },
        "db": {
            "maintenanceMode": False,
            "trafficMode": "read-only",
            "message": None,
            "until": None,
        },
    }
    with deps.db.read() as session:
        last = audit.history(session, wid)[-1]
    assert last.action == "maintenance" and last.detail["mode"] == "off"


def test_a_state_taken_over_by_another_window_stays_on_when_the_first_ends(
    deps: Deps, clock: Clock
) -> None:
    with deps.db.write() as session:
        second = windows.create(deps, session, {**PLANNED, "systems": ["api"]}, RITA).id
    first = asking(deps, clock, maintenance_mode=True)
    change(deps, TOM, Kind.MAINTENANCE, "on", message="second", systems=["db"], window_id=second)
    move(deps, "complete", first, RITA)
    assert health(deps)["systems"]["db"]["message"] == "second"  # type: ignore[index]


def test_disable_with_a_window_alone_switches_off_what_that_window_holds(
    deps: Deps, clock: Clock
) -> None:
    wid = asking(deps, clock, maintenance_mode=True)
    change(deps, TOM, Kind.MAINTENANCE, "on", message="global")
    found = change(deps, TOM, Kind.MAINTENANCE, "off", window_id=wid)
    assert found is not None and found.scopes == ["db"]
    assert health(deps)["maintenanceMode"] is True and health(deps)["systems"] == {}
    assert change(deps, TOM, Kind.MAINTENANCE, "off", window_id=wid) is None


def test_a_change_plans_one_hook_job_per_matching_hook(deps: Deps, tmp_path: object) -> None:
    from dataclasses import replace

    from maintctl.config import parse_config

    config = parse_config(
        "hooks:\n"
        "  - {name: flag, command: [touch, /tmp/x], on: maintenance}\n"
        "  - {name: scale, command: ['true'], on: traffic}\n"
        "  - {name: log, command: ['true']}\n",
        "m.yaml",
    )
    hooked = replace(deps, config=config)
    change(hooked, TOM, Kind.MAINTENANCE, "on", message="x")
    with deps.db.read() as session:
        keys = sorted(j.idempotency_key for j in session.scalars(select(JobRow)))
    assert keys == ["mode.hook:1:flag", "mode.hook:1:log"]


def test_a_start_asking_both_records_both_states_in_the_second_change(
    deps: Deps, clock: Clock
) -> None:
    change(deps, TOM, Kind.MAINTENANCE, "off", systems=["db"])  # a row that exists, off
    asking(deps, clock, maintenance_mode=True, traffic_mode="maintenance")
    with deps.db.read() as session:
        last = session.scalars(select(ModeChangeRow).order_by(ModeChangeRow.id.desc())).first()
    assert last is not None and last.kind == "traffic"
    assert last.after["db"]["maintenance"] is True and last.after["db"]["traffic"] == "maintenance"
