"""Every value has a bound checked before the database sees it, the same on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from maintctl.api.app import create_app
from maintctl.domain import bounds
from maintctl.domain.errors import ConflictError, RuleViolation
from maintctl.services import windows
from maintctl.services.calendar import month_span
from maintctl.services.deps import Deps
from maintctl.store.tables import AuditRow, WindowRow
from tests.conftest import ALICE

SUNDAY = "2026-12-06"


def request(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "planned-outage",
        "start": f"{SUNDAY}T02:00:00Z",
        "end": f"{SUNDAY}T04:00:00Z",
        "systems": ["api"],
        "description": "Database upgrade",
        "owner": "sre-team",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def refused(deps: Deps, **over: Any) -> list[tuple[str, str]]:
    """The (field, rule) of every problem, and nothing written."""
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.create(deps, session, request(**over), ALICE)
    assert rows(deps) == 0
    return [(p.field, p.rule) for p in caught.value.problems]


def rows(deps: Deps) -> int:
    with deps.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(WindowRow)) or 0)


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as http:
        yield http


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"end": "9999-12-31T23:00:00-05:00"}, "end"),
        ({"start": "2200-01-01T00:00:00Z"}, "start"),
        (
            {"type": "emergency", "start": "2199-12-31T00:00:00Z", "end": None, "duration": "2d"},
            "duration",
        ),
    ],
)
def test_it_refuses_an_instant_outside_the_years_it_works_with(
    deps: Deps, over: dict[str, Any], field: str
) -> None:
    assert (field, "time-range") in refused(deps, **over)


@pytest.mark.parametrize("duration", ["99999999999w", "3000000d", "401d"])
def test_it_refuses_a_duration_longer_than_any_window(deps: Deps, duration: str) -> None:
    assert refused(deps, type="emergency", end=None, duration=duration) == [
        ("duration", "max-window")
    ]


def test_it_refuses_a_window_longer_than_400_days_whatever_the_policy_says(deps: Deps) -> None:
    # emergency has no maximum duration in the default policy
    assert refused(deps, type="emergency", end="2028-01-31T04:00:00Z") == [("end", "max-window")]


def test_it_refuses_a_window_longer_than_68_years_on_both_databases(deps: Deps) -> None:
    assert refused(deps, type="emergency", end="2099-12-06T04:00:00Z") == [("end", "max-window")]


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        ({"owner": "o" * 201}, "owner", "too-long"),
        ({"owner": "sre\nteam"}, "owner", "control-character"),
        ({"description": "d" * 10_001}, "description", "too-long"),
        ({"description": "lone \ud800 surrogate"}, "description", "control-character"),
        ({"impact": "i" * 2_001}, "impact", "too-long"),
        ({"justification": "j" * 10_001}, "justification", "too-long"),
        ({"execution_plan": ["x" * 2_001]}, "execution_plan", "too-long"),
        ({"rollback_plan": [f"step {i}" for i in range(101)]}, "rollback_plan", "too-many"),
        ({"type": "planned\noutage"}, "type", "control-character"),
        ({"type": "t" * 65}, "type", "too-long"),
        ({"systems": [f"s{i}" for i in range(201)]}, "systems", "too-many"),
    ],
)
def test_it_refuses_text_past_its_bound_before_the_database_sees_it(
    deps: Deps, over: dict[str, Any], field: str, rule: str
) -> None:
    assert (field, rule) in refused(deps, **over)


def test_it_keeps_a_text_of_exactly_its_bound(deps: Deps) -> None:
    with deps.db.write() as session:
        made = windows.create(deps, session, request(owner="o" * 200), ALICE)
    assert made.spec.owner == "o" * 200


@pytest.mark.parametrize("text", ["EMT-202612060200-" + "9" * 30, "MNT-2026-0001\n"])
def test_it_refuses_an_id_past_its_bound(deps: Deps, text: str) -> None:
    assert refused(deps, id=text)[0][0] == "id"


def test_it_refuses_a_cancel_reason_past_its_bound(deps: Deps) -> None:
    with deps.db.write() as session:
        made = windows.create(deps, session, request(), ALICE)
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.cancel(deps, session, made.id, "r" * 2_001, ALICE)
    assert [p.rule for p in caught.value.problems] == ["too-long"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/check?date=9999-12-31",
        "/api/v1/calendar?month=9999-12",
        "/api/v1/slots?type=standard&duration=1h&after=9999-12-01",
        "/api/v1/slots?type=emergency&duration=99999999999w",
        "/api/v1/slots?type=emergency&duration=3000000d",
        "/api/v1/slots?type=standard&duration=1h&after=2027-05-09X10:00:00Z",
    ],
)
def test_the_api_answers_a_named_422_for_a_time_out_of_bounds(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_api_answers_422_for_an_end_in_year_9999(client: TestClient) -> None:
    response = client.post("/api/v1/windows", json=request(end="9999-12-31T23:00:00-05:00"))
    assert response.status_code == 422, response.text


def test_a_month_outside_the_bounds_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        month_span("9999-12")
    assert caught.value.problems[0].rule == "time-range"
    assert month_span("2199-12")[1] == 12


def test_one_hundred_parallel_creates_on_different_systems_all_get_a_number(
    deps: Deps,
) -> None:
    # 100 creates on 10 real threads; none may be refused for a number another one took.
    def one(i: int) -> str:
        with deps.db.write() as session:
            return windows.create(deps, session, request(systems=[f"sys{i}"]), ALICE).id

    with ThreadPoolExecutor(max_workers=10) as pool:
        made = list(pool.map(one, range(100)))
    assert sorted(made) == [f"MNT-2026-{n:04d}" for n in range(1, 101)]


def test_an_id_given_by_hand_raises_its_years_counter(deps: Deps) -> None:
    with deps.db.write() as session:
        windows.create(deps, session, request(id="MNT-2026-0123"), ALICE)
    with deps.db.write() as session:
        after = windows.create(deps, session, request(systems=["db"]), ALICE)
    assert after.id == "MNT-2026-0124"


def test_a_taken_id_given_by_hand_is_still_refused(deps: Deps) -> None:
    with deps.db.write() as session:
        windows.create(deps, session, request(id="MNT-2026-0007"), ALICE)
    with pytest.raises((RuleViolation, ConflictError)) as caught, deps.db.write() as session:
        windows.create(deps, session, request(id="MNT-2026-0007", systems=["db"]), ALICE)
    assert caught.value.problems[0].rule == "id-taken"


def test_two_emergencies_in_one_minute_on_different_systems_both_get_an_id(deps: Deps) -> None:
    emergency = {
        "type": "emergency",
        "start": "2026-11-27T12:30:00Z",
        "end": "2026-11-27T13:00:00Z",
    }
    made = []
    for system in ("api", "db", "web"):
        with deps.db.write() as session:
            made.append(
                windows.create(deps, session, request(**emergency, systems=[system]), ALICE).id
            )
    assert made == ["EMT-202611271230", "EMT-202611271230-2", "EMT-202611271230-3"]


def test_modify_with_no_field_changes_nothing(deps: Deps) -> None:
    with deps.db.write() as session:
        made = windows.create(deps, session, request(), ALICE)
    for patch in ({}, {"description": "Database upgrade"}):
        with deps.db.write() as session:
            same = windows.modify(deps, session, made.id, patch, ALICE)
        assert same.version == made.version
    with deps.db.read() as session:
        trail = session.scalars(select(AuditRow.action).where(AuditRow.window_id == made.id))
        assert list(trail) == ["create"]


@pytest.mark.parametrize("field", ["description", "type", "start", "end"])
def test_modify_refuses_emptying_a_required_field(deps: Deps, field: str) -> None:
    with deps.db.write() as session:
        made = windows.create(deps, session, request(), ALICE)
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.modify(deps, session, made.id, {field: ""}, ALICE)
    assert (field, "required") in [(p.field, p.rule) for p in caught.value.problems]


def test_modify_refuses_a_change_that_makes_the_window_too_long(deps: Deps) -> None:
    with deps.db.write() as session:
        made = windows.create(
            deps,
            session,
            request(type="emergency", start="2026-11-27T12:30:00Z", end="2026-11-27T13:00:00Z"),
            ALICE,
        )
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.modify(deps, session, made.id, {"end": "2028-06-01T00:00:00Z"}, ALICE)
    assert [(p.field, p.rule) for p in caught.value.problems] == [("end", "max-window")]


def test_the_bounds_are_the_documented_ones() -> None:
    assert bounds.MAX_WINDOW.days == 400
    assert (bounds.EARLIEST.year, bounds.LATEST.year) == (1970, 2200)


@pytest.mark.parametrize(
    "over",
    [
        {"owner": "o" * 201},
        {"description": "lone \ud800 surrogate"},
        {"id": "EMT-202612060200-" + "9" * 30},
        {"type": "emergency", "end": "2099-12-06T04:00:00Z"},
        {"execution_plan": 7, "systems": 5, "description": "d" * 10_001},
    ],
)
def test_the_api_answers_422_not_500_for_a_value_past_its_bound(
    client: TestClient, deps: Deps, over: dict[str, Any]
) -> None:
    body = json.dumps(request(**over))  # ASCII-escaped, so a lone surrogate travels as \ud800
    response = client.post(
        "/api/v1/windows", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["problems"]
    assert rows(deps) == 0
