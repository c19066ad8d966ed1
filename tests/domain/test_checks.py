"""Checks' rules: expectations, timeouts, tolerances and the baseline table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintctl.domain.checks import (
    Result,
    Status,
    Tolerance,
    clip,
    compare,
    format_value,
    parse_expectation,
    parse_timeout,
    parse_tolerance,
)


def result(observed: object, status: Status = Status.PASS, unit: str = "ms") -> Result:
    return Result("p99", "performance", "prometheus", status, observed, unit, 3, "x")  # type: ignore[arg-type]


def test_a_plain_value_means_equality_and_numbers_compare_as_numbers() -> None:
    assert parse_expectation(1).holds("1")
    assert parse_expectation(1).holds(1.0)
    assert not parse_expectation(1).holds(2)
    assert parse_expectation(False).holds(False)
    assert not parse_expectation(False).holds(0)
    assert parse_expectation("ok").holds("ok")


def test_an_operator_compares_numbers_and_refuses_what_is_not_one() -> None:
    assert parse_expectation("< 500").holds(499)
    assert not parse_expectation("< 500").holds(500)
    assert parse_expectation(">= 0.99").holds("0.99")
    assert not parse_expectation(">= 0.99").holds("up")
    assert parse_expectation("!= 0").holds(3)


@pytest.mark.parametrize("bad", ["< abc", [1], {"a": 1}, float("nan")])
def test_an_unparsable_expectation_is_named(bad: object) -> None:
    with pytest.raises(ValueError, match=r"expectation|not a number"):
        parse_expectation(bad)


def test_timeouts_read_units_and_stay_within_bounds() -> None:
    assert parse_timeout("5s") == 5.0
    assert parse_timeout("500ms") == 0.5
    assert parse_timeout("2m") == 120.0
    assert parse_timeout(3) == 3.0
    for bad in ("forever", "0s", "11m", True, -1):
        with pytest.raises(ValueError, match="timeout"):
            parse_timeout(bad)


def test_a_tolerance_needs_exactly_one_amount() -> None:
    assert parse_tolerance({"relative": 0.2}) == Tolerance(relative=0.2)
    assert parse_tolerance({"absolute": 0.1, "higher_is_better": True}) == Tolerance(
        absolute=0.1, higher_is_better=True
    )
    for bad in ({}, {"relative": 0.1, "absolute": 1}, {"relative": -1}, {"ratio": 1}, "20%"):
        with pytest.raises(ValueError, match=r"tolerance|relative|number"):
            parse_tolerance(bad)


def test_relative_tolerance_at_its_edge_on_both_sides() -> None:
    tolerance = Tolerance(relative=0.2)
    assert tolerance.allows(200, 240)
    assert not tolerance.allows(200, 240.01)
    assert tolerance.allows(200, 10)  # lower latency is never worse


def test_absolute_tolerance_in_percentage_points_at_its_edge() -> None:
    tolerance = Tolerance(absolute=0.1)
    assert tolerance.allows(0.1, 0.2)  # 0.1 + 0.1 in binary is not exactly 0.2
    assert not tolerance.allows(0.1, 0.2001)


def test_higher_is_better_fails_below_the_edge_only() -> None:
    tolerance = Tolerance(relative=0.1, higher_is_better=True)
    assert tolerance.allows(1000, 900)
    assert not tolerance.allows(1000, 899.9)
    assert tolerance.allows(1000, 5000)


@given(
    st.floats(min_value=0.001, max_value=1e6),
    st.floats(min_value=0, max_value=10),
)
def test_the_baseline_itself_is_always_within_any_tolerance(baseline: float, amount: float) -> None:
    # Hypothesis: 100 cases by default.
    for tolerance in (Tolerance(relative=amount), Tolerance(absolute=amount)):
        assert tolerance.allows(baseline, baseline)


def test_the_table_row_reads_as_the_runbook_writes_it() -> None:
    row = compare("P99 Latency", 200, result(195), Tolerance(relative=0.2))
    assert (row.metric, row.baseline, row.current, row.status) == (
        "P99 Latency",
        "200ms",
        "195ms",
        "OK",
    )
    assert compare("p99", 200, result(241), Tolerance(relative=0.2)).status == "DEGRADED"
    assert compare("p99", None, result(241), None).status == "NO BASELINE"
    assert not compare("p99", 200, result(None, Status.TIMEOUT), None).passed
    assert compare("p99", 200, result(200.0), None).passed


def test_values_print_with_their_unit() -> None:
    assert format_value(0.1, "%") == "0.1%"
    assert format_value(1000, "rps") == "1000 rps"
    assert format_value(None, "ms") == "-"


def test_a_message_is_one_bounded_line() -> None:
    assert clip("a\nb") == "a b"
    assert len(clip("x" * 10_000)) == 500
