"""Creating, modifying and cancelling windows through the service, on the real database."""

from __future__ import annotations

from typing import Any

import pytest

from maintctl.domain.errors import ConflictError, NotFound, RuleViolation, StateError
from maintctl.domain.model import Status
from maintctl.services import windows
from maintctl.services.deps import Deps
from maintctl.store import audit
from tests.conftest import ALICE, BOB

SUNDAY = "2026-12-06"  # the first Sunday of December 2026: primary and extended windows


def request(**over: Any) -> dict[str, Any]:
    base = {
        "type": "planned-outage",
        "start": f"{SUNDAY}T02:00:00Z",
        "end": f"{SUNDAY}T04:00:00Z",
        "systems": ["api", "db"],
        "description": "Database upgrade",
        "owner": "sre-team",
    }
    base.update(over)
    return base


def create(deps: Deps, **over: Any) -> Any:
    with deps.db.write() as session:
        return windows.create(deps, session, request(**over), ALICE)


def rules_of(exc: pytest.ExceptionInfo[Any]) -> list[str]:
    return [p.rule for p in exc.value.problems]


def count(deps: Deps) -> int:
    with deps.db.read() as session:
        return len(windows.listing(deps, session))


def test_it_stores_a_valid_request_as_a_draft_with_the_next_number(deps: Deps) -> None:
    first = create(deps)
    second = create(deps, systems=["web"])
    assert (first.id, second.id) == ("MNT-2026-0001", "MNT-2026-0002")
    assert first.status == Status.DRAFT
    with deps.db.read() as session:
        stored = windows.require(session, "mnt-2026-0001")
    assert stored.spec.systems == ["api", "db"]
    assert stored.spec.start.isoformat() == "2026-12-06T02:00:00+00:00"


def test_it_takes_an_explicit_id_and_numbers_past_it(deps: Deps) -> None:
    create(deps, id="MNT-2026-0123")
    assert create(deps, systems=["web"]).id == "MNT-2026-0124"


def test_it_refuses_a_taken_or_malformed_id(deps: Deps) -> None:
    create(deps, id="MNT-2026-0007")
    with pytest.raises(ConflictError) as taken:
        create(deps, id="MNT-2026-0007", systems=["web"])
    assert rules_of(taken) == ["id-taken"]
    with pytest.raises(RuleViolation) as bad:
        create(deps, id="MNT-26-7", systems=["web"])
    assert rules_of(bad) == ["id-format"]
    assert count(deps) == 1


def test_it_refuses_a_planned_outage_with_three_days_notice(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as exc:
        create(deps, start="2026-11-29T02:00:00Z", end="2026-11-29T04:00:00Z")
    assert rules_of(exc) == ["notice"]
    assert "earliest allowed start is 2026-12-04T12:00:00Z" in str(exc.value)
    assert "next window that fits is primary, 2026-12-06T02:00:00Z" in str(exc.value)
    assert count(deps) == 0


def test_it_reports_every_problem_at_once_and_writes_nothing(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as exc:
        create(deps, start="2026-12-06T02:00:00", end="soon", risk="huge", type="planned-outage")
    assert sorted(rules_of(exc)) == ["risk-level", "time-format", "time-zone-required"]
    assert count(deps) == 0


def test_it_refuses_overlap_on_a_shared_system_drafts_included(deps: Deps) -> None:
    first = create(deps)
    with pytest.raises(ConflictError) as exc:
        create(deps, systems=["db"], start=f"{SUNDAY}T03:00:00Z", end=f"{SUNDAY}T05:00:00Z")
    assert rules_of(exc) == ["overlap"]
    assert first.id in str(exc.value)
    create(deps, systems=["db"], start=f"{SUNDAY}T04:00:00Z", end=f"{SUNDAY}T05:00:00Z")
    create(deps, systems=["web"], start=f"{SUNDAY}T03:00:00Z", end=f"{SUNDAY}T05:00:00Z")


def test_a_cancelled_window_frees_its_time(deps: Deps) -> None:
    first = create(deps)
    with deps.db.write() as session:
        cancelled = windows.cancel(deps, session, first.id, "No longer required", ALICE)
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancel_reason == "No longer required"
    assert create(deps).id == "MNT-2026-0002"


def test_it_refuses_to_cancel_twice_or_without_a_reason(deps: Deps) -> None:
    first = create(deps)
    with pytest.raises(RuleViolation), deps.db.write() as session:
        windows.cancel(deps, session, first.id, "  ", ALICE)
    with deps.db.write() as session:
        windows.cancel(deps, session, first.id, "done", ALICE)
    with pytest.raises(StateError), deps.db.write() as session:
        windows.cancel(deps, session, first.id, "again", ALICE)


def test_modify_re_runs_every_check_and_bumps_the_sequence(deps: Deps) -> None:
    first = create(deps)
    with deps.db.write() as session:
        moved = windows.modify(
            deps,
            session,
            first.id,
            {"start": "2026-12-06T03:00:00Z", "end": "2026-12-06T05:00:00Z"},
            BOB,
        )
    assert moved.sequence == first.sequence + 1
    assert moved.version == first.version + 1
    with pytest.raises(RuleViolation) as exc, deps.db.write() as session:
        windows.modify(deps, session, first.id, {"start": "2026-11-20T03:00:00Z"}, BOB)
    assert "notice" in rules_of(exc)
    with deps.db.read() as session:
        kept = windows.require(session, first.id)
        trail = audit.history(session, first.id)
    assert kept.spec.start == moved.spec.start
    assert [r.action for r in trail] == ["create", "modify"]
    assert trail[1].actor == "bob"
    assert trail[1].detail["changes"]["start"] == {
        "from": "2026-12-06T02:00:00Z",
        "to": "2026-12-06T03:00:00Z",
    }


def test_moving_a_window_does_not_conflict_with_itself(deps: Deps) -> None:
    first = create(deps)
    with deps.db.write() as session:
        windows.modify(deps, session, first.id, {"end": "2026-12-06T03:00:00Z"}, ALICE)


def test_it_says_when_a_window_does_not_exist(deps: Deps) -> None:
    with pytest.raises(NotFound), deps.db.read() as session:
        windows.require(session, "MNT-2026-9999")


def test_zero_downtime_runs_any_time_without_systems(deps: Deps) -> None:
    made = create(
        deps,
        type="zero-downtime",
        systems=[],
        start="2026-11-30T15:00:00Z",
        end="2026-12-01T15:00:00Z",
    )
    assert made.spec.systems == []


def test_customer_impacting_types_must_name_systems(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as exc:
        create(deps, systems=[])
    assert rules_of(exc) == ["systems-required"]


def test_upcoming_lists_windows_not_yet_over_by_start(deps: Deps) -> None:
    later = create(deps, systems=["db"], start=f"{SUNDAY}T04:00:00Z", end=f"{SUNDAY}T05:00:00Z")
    earlier = create(deps, systems=["api"])
    with deps.db.write() as session:
        windows.cancel(deps, session, earlier.id, "not needed", ALICE)
    with deps.db.read() as session:
        upcoming = windows.listing(deps, session, upcoming=True)
        everything = windows.listing(deps, session)
        cancelled = windows.listing(deps, session, status="cancelled")
    assert [w.id for w in upcoming] == [later.id]
    assert [w.id for w in everything] == [earlier.id, later.id]
    assert [w.id for w in cancelled] == [earlier.id]


def test_an_emergency_skips_notice_and_freezes_and_gets_an_emt_id(deps: Deps) -> None:
    made = create(deps, type="emergency", start="2026-12-20T13:00:00Z", end="2026-12-20T15:00:00Z")
    assert made.id == "EMT-202612201300"
