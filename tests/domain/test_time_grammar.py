"""One grammar for every typed instant, kept to the second and inside the bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain import bounds
from maintctl.domain.times import (
    TimeParseError,
    parse_after,
    parse_day,
    parse_duration,
    parse_instant,
)

TWO = datetime(2027, 5, 8, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2027-05-08T10:00:00Z",
        "2027-05-08t10:00:00z",
        "2027-05-08 10:00:00Z",
        "2027-05-08T10:00Z",
        "2027-05-08T10:00:00.999999Z",
        "2027-05-08T12:00:00+02:00",
    ],
)
def test_start_and_after_read_the_same_grammar(text: str) -> None:
    assert parse_instant("start", text) == TWO
    assert parse_after("after", text) == TWO


@pytest.mark.parametrize(
    "text",
    [
        "2027-05-09X10:00:00Z",
        "2027-05-09_10:00:00Z",
        "2027-05-09T10Z",
        "2027-05-09T10:00:00+0200",
        "2027-05-09T10:00:00+02",
        "20270509T100000Z",
        "2027-05-09T10:00:00,5Z",
        "2027-05-09T24:00:00Z",
        "2027-05-09T10:00:00+24:00",
    ],
)
def test_it_refuses_any_other_separator_or_form(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("start", text)
    assert caught.value.problem.rule == "time-format"
    with pytest.raises(TimeParseError):
        parse_after("after", text)


@pytest.mark.parametrize("text", ["2030-02-03Z", "2030-02-03", "2030-02-03+02:00", "tomorrow"])
def test_the_fix_a_problem_suggests_itself_parses(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("start", text)
    fix = caught.value.problem.fix.removeprefix("write it like ").removeprefix(
        "add Z or an offset, e.g. "
    )
    parse_instant("start", fix)


def test_after_takes_a_plain_date_as_its_utc_start() -> None:
    assert parse_after("after", "2030-02-03") == datetime(2030, 2, 3, tzinfo=UTC)


def test_it_drops_the_fraction_of_a_second_so_stored_and_shown_agree() -> None:
    parsed = parse_instant("end", "2027-05-08T10:00:00.75Z")
    assert parsed.microsecond == 0


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:00:00-05:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00+01:00",
        "2200-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
    ],
)
def test_it_refuses_an_instant_outside_the_years_it_works_with(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("end", text)
    assert caught.value.problem.rule == "time-range"
    assert caught.value.problem.field == "end"


@pytest.mark.parametrize("text", ["9999-12-31", "2200-01-01", "1969-12-31"])
def test_it_refuses_a_day_or_after_outside_the_bounds(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_day("date", text)
    assert caught.value.problem.rule == "time-range"
    with pytest.raises(TimeParseError) as after:
        parse_after("after", text)
    assert after.value.problem.rule == "time-range"


def test_it_reads_the_last_day_in_bounds() -> None:
    assert parse_day("date", "2199-12-31") == date(2199, 12, 31)


@pytest.mark.parametrize("text", ["99999999999w", "3000000d", "401d", "9" * 40 + "s", "57w2d"])
def test_it_refuses_a_duration_longer_than_the_longest_window(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_duration("duration", text)
    assert caught.value.problem.rule == "max-window"


def test_it_reads_a_duration_of_exactly_the_longest_window() -> None:
    assert parse_duration("duration", f"{bounds.MAX_WINDOW.days}d") == bounds.MAX_WINDOW


# 200 cases: any instant in bounds, written with any separator of the grammar, reads back whole.
@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
    ),
    sep=st.sampled_from("Tt "),
)
def test_any_instant_in_bounds_reads_back_to_the_second(moment: datetime, sep: str) -> None:
    text = moment.isoformat(sep=sep).replace("+00:00", "Z")
    assert parse_instant("start", text) == moment.replace(microsecond=0)
    assert parse_instant("start", text) - moment <= timedelta(0)


def test_it_refuses_a_duration_too_long_to_read_without_reading_it() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_duration("duration", "9" * 5000 + "s")
    assert caught.value.problem.rule == "duration-format"
