"""The combination rule of maintenance and traffic states, and the window's mode fields."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from maintctl.domain.mode import STRICTNESS, Effective, Traffic, combine, default_message
from maintctl.domain.requests import build_spec
from maintctl.domain.template import parse_request, render_request
from tests.domain.test_template import make_window

_UNTIL = st.none() | st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_STATE = st.builds(
    Effective,
    maintenance=st.booleans(),
    traffic=st.sampled_from(list(Traffic)),
    message=st.none() | st.text(min_size=1, max_size=10),
    until=_UNTIL,
)


@given(global_state=_STATE, scoped=st.lists(_STATE, max_size=5))  # 100 cases by default
def test_a_service_gets_the_strictest_traffic_any_maintenance_and_the_latest_until(
    global_state: Effective, scoped: list[Effective]
) -> None:
    every = [global_state, *scoped]
    found = combine(global_state, scoped)
    assert found.maintenance == any(e.maintenance for e in every)
    assert STRICTNESS[found.traffic] == max(STRICTNESS[e.traffic] for e in every)
    untils = [e.until for e in every if e.until]
    assert found.until == (max(untils) if untils else None)
    messages = [e.message for e in scoped if e.maintenance and e.message]
    assert found.message in (messages or [global_state.message])


def test_the_strictest_scoped_message_wins_over_the_global_one() -> None:
    calm = Effective(maintenance=True, message="global")
    db = Effective(maintenance=True, traffic=Traffic.READ_ONLY, message="db read-only")
    api = Effective(maintenance=True, message="api")
    assert combine(calm, [api, db]).message == "db read-only"
    assert combine(calm, []).message == "global"


def test_the_default_message_names_the_window_end_in_utc() -> None:
    end = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    assert default_message(end) == (
        "Scheduled maintenance in progress. Service will resume at 04:00 UTC."
    )


def test_the_mode_fields_are_read_checked_and_round_trip_through_the_template() -> None:
    window = make_window()
    raw = parse_request(render_request(window, []))
    raw.update(maintenance_mode="yes", maintenance_message="Back soon.", traffic_mode="Read-Only")
    raw.pop("duration")
    spec, problems = build_spec(raw)
    assert problems == [] and spec is not None
    assert (spec.maintenance_mode, spec.maintenance_message, spec.traffic_mode) == (
        True,
        "Back soon.",
        "read-only",
    )
    window.spec = spec
    again = parse_request(render_request(window, []))
    assert again["maintenance_mode"] == "yes" and again["traffic_mode"] == "read-only"
    assert again["maintenance_message"] == "Back soon."
    _, problems = build_spec({**raw, "maintenance_mode": "maybe", "traffic_mode": "closed"})
    assert {p.rule for p in problems} == {"boolean", "traffic-mode"}
