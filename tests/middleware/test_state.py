"""The middleware's pure parts: reading /health, combining states, Accept, header safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from maintctl_middleware.guard import prefers_html
from maintctl_middleware.state import RANK, Health, Malformed, Scoped, combine, parse
from maintctl_middleware.watch import Snapshot, header_safe

from tests.middleware.conftest import health

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def test_it_reads_the_global_and_scoped_states_of_maintctls_health() -> None:
    parsed = parse(
        health(
            maintenanceMode=True,
            trafficMode="read-only",
            message="Back at 04:00 UTC.",
            until="2026-12-06T04:00:00Z",
            systems={"db": {"maintenanceMode": False, "trafficMode": "maintenance"}},
        )
    )
    assert parsed.global_state == Scoped(
        True, "read-only", "Back at 04:00 UTC.", datetime(2026, 12, 6, 4, tzinfo=UTC)
    )
    assert parsed.systems == {"db": Scoped(False, "maintenance", None, None)}


@pytest.mark.parametrize(
    "members",
    [
        {"maintenanceMode": None},
        {"maintenanceMode": "true"},
        {"trafficMode": "closed"},
        {"message": 3},
        {"until": "tomorrow"},
        {"until": "2026-12-06T04:00:00"},  # no offset
        {"systems": []},
        {"systems": {"db": {"trafficMode": "normal"}}},
    ],
)
def test_it_refuses_an_answer_that_is_not_the_health_shape(members: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        parse(health(**members))


def test_an_answer_without_the_state_members_is_malformed() -> None:
    with pytest.raises(Malformed):
        parse({"status": "fail", "checks": {}})  # maintctl's 503 when its database is down


def test_the_message_of_the_strictest_scoped_state_wins_over_the_global_one() -> None:
    state = combine(
        Health(
            Scoped(True, "normal", "Global.", T0 + timedelta(hours=5)),
            {
                "db": Scoped(True, "read-only", "DB read-only.", T0 + timedelta(hours=2)),
                "cache": Scoped(True, "maintenance", None, T0 + timedelta(hours=1)),
                "queue": Scoped(True, "normal", "Queue.", None),
            },
        ),
        ["db", "cache", "queue"],
    )
    # cache is strictest but has no message: the strictest scoped state with one speaks.
    assert state == Scoped(True, "maintenance", "DB read-only.", T0 + timedelta(hours=5))


def test_without_scoped_states_the_global_state_is_the_services() -> None:
    global_state = Scoped(False, "read-only", "Global.", T0)
    assert combine(Health(global_state, {"db": Scoped(True)}), ["api"]) == global_state


STATES = st.builds(
    Scoped,
    st.booleans(),
    st.sampled_from(list(RANK)),
    st.one_of(st.none(), st.text(min_size=1, max_size=5)),
    st.one_of(st.none(), st.integers(0, 1000).map(lambda m: T0 + timedelta(minutes=m))),
)


@given(STATES, st.dictionaries(st.sampled_from("abcd"), STATES), st.lists(st.sampled_from("abcde")))
def test_the_combination_is_never_laxer_than_any_state_that_applies(
    global_state: Scoped, systems: dict[str, Scoped], ours: list[str]
) -> None:
    """Hypothesis: 100 cases by default."""
    state = combine(Health(global_state, systems), ours)
    applying = [global_state, *(systems[name] for name in ours if name in systems)]
    assert state.maintenance_mode == any(s.maintenance_mode for s in applying)
    assert RANK[state.traffic_mode] == max(RANK[s.traffic_mode] for s in applying)
    ends = [s.until for s in applying if s.until is not None]
    assert state.until == (max(ends) if ends else None)
    scoped_messages = [s.message for s in applying[1:] if s.message]
    if scoped_messages:
        assert state.message in scoped_messages
    else:
        assert state.message == global_state.message


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.9, application/json;q=0.5", True),
        ("text/html;q=bogus", False),
    ],
)
def test_html_is_chosen_only_when_accept_ranks_it_above_json(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html


@given(st.text(max_size=200))
def test_a_header_value_never_carries_a_line_break_or_a_character_past_latin_1(text: str) -> None:
    """Hypothesis: 100 cases by default."""
    value = header_safe(text)
    value.encode("latin-1")
    assert not any(ch in value for ch in "\r\n\x00\x7f")


def test_an_unknown_state_fails_open_or_closed_as_configured() -> None:
    assert Snapshot(None, 0.0, False, fail_open=True).plain
    closed = Snapshot(None, 0.0, False, fail_open=False)
    assert closed.blocked and not closed.plain
    assert closed.knowledge(5.0, 100.0) == "unknown"


def test_a_state_not_confirmed_for_three_intervals_is_stale() -> None:
    snapshot = Snapshot(Scoped(), fetched=100.0, failing=False, fail_open=True)
    assert snapshot.knowledge(5.0, 114.0) == "known"
    assert snapshot.knowledge(5.0, 116.0) == "stale"
