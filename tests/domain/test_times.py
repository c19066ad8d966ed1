from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain.times import (
    TimeParseError,
    ceil_minute,
    day_bounds,
    format_duration,
    format_instant,
    parse_day,
    parse_duration,
    parse_instant,
)

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    "text", ["2024-12-29T02:00:00", "2024-12-29 02:00", "2024-12-29", " 2024-12-29T02:00:00 "]
)
def test_it_refuses_a_naive_time(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("start", text)
    problem = caught.value.problem
    assert problem.rule == "time-zone-required"
    assert problem.field == "start"
    assert "Z" in problem.fix


def test_it_suggests_adding_z_to_a_naive_time() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("start", "2024-12-29T02:00:00")
    assert "2024-12-29T02:00:00Z" in caught.value.problem.fix


@pytest.mark.parametrize("text", ["tomorrow", "2024-13-01T00:00:00Z", "", "02:00Z"])
def test_it_refuses_text_that_is_not_iso_8601(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_instant("start", text)
    assert caught.value.problem.rule == "time-format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-29T02:00:00Z", datetime(2024, 12, 29, 2, tzinfo=UTC)),
        ("2024-12-29T02:00:00z", datetime(2024, 12, 29, 2, tzinfo=UTC)),
        ("2024-12-29T03:00:00+01:00", datetime(2024, 12, 29, 2, tzinfo=UTC)),
        ("2024-12-28T21:00:00-05:00", datetime(2024, 12, 29, 2, tzinfo=UTC)),
        ("2024-12-29T07:45:00+05:45", datetime(2024, 12, 29, 2, tzinfo=UTC)),
        ("2024-12-29T02:00:00+00:00", datetime(2024, 12, 29, 2, tzinfo=UTC)),
    ],
)
def test_it_converts_an_offset_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_instant("start", text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(moment=instants, zone=offsets)
def test_it_reads_back_any_instant_written_with_any_offset(
    moment: datetime, zone: timezone
) -> None:
    parsed = parse_instant("start", moment.astimezone(zone).isoformat())
    assert parsed == moment.replace(microsecond=0)  # kept to the whole second
    assert parsed.utcoffset() == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(moment=instants)
def test_it_reads_back_what_format_instant_prints(moment: datetime) -> None:
    text = format_instant(moment)
    assert text.endswith("Z")
    assert parse_instant("start", text) == moment.replace(microsecond=0)


def test_it_reads_a_day_and_refuses_a_bad_one() -> None:
    assert parse_day("day", "2024-12-29") == date(2024, 12, 29)
    with pytest.raises(TimeParseError) as caught:
        parse_day("day", "29/12/2024")
    assert caught.value.problem.rule == "date-format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
        ("2H", timedelta(hours=2)),
        ("0m", timedelta(0)),
    ],
)
def test_it_reads_a_duration(text: str, expected: timedelta) -> None:
    assert parse_duration("duration", text) == expected


@pytest.mark.parametrize("text", ["", "5", "h", "2 hours", "1h and 5m", "-5m", "1.5h"])
def test_it_refuses_a_duration_it_cannot_read(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_duration("duration", text)
    assert caught.value.problem.rule == "duration-format"
    assert caught.value.problem.field == "duration"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(hours=24), "24h"),
        (timedelta(hours=48), "48h"),
        (timedelta(days=2, hours=23, minutes=59), "71h59m"),
        (timedelta(days=3), "3d"),
        (timedelta(days=7), "7d"),
        (timedelta(days=14, seconds=1), "14d1s"),
    ],
)
def test_it_prints_a_duration_largest_unit_first_in_hours_below_three_days(
    value: timedelta, text: str
) -> None:
    assert format_duration(value) == text


@settings(max_examples=200, deadline=None)
@given(seconds=st.integers(min_value=0, max_value=400 * 86400))
def test_parse_duration_reads_back_what_format_duration_prints(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration("duration", format_duration(value)) == value


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=11), st.sampled_from("wdhms")),
        min_size=1,
        max_size=5,
    )
)
def test_format_duration_is_a_fixed_point_after_one_round_trip(
    parts: list[tuple[int, str]],
) -> None:
    text = "".join(f"{n}{unit}" for n, unit in parts)
    printed = format_duration(parse_duration("duration", text))
    assert format_duration(parse_duration("duration", printed)) == printed


def test_ceil_minute_leaves_a_whole_minute_alone() -> None:
    whole = datetime(2024, 12, 29, 2, 0, tzinfo=UTC)
    assert ceil_minute(whole) == whole


def test_ceil_minute_rounds_a_part_minute_up() -> None:
    assert ceil_minute(datetime(2024, 12, 29, 2, 0, 0, 1, tzinfo=UTC)) == datetime(
        2024, 12, 29, 2, 1, tzinfo=UTC
    )
    assert ceil_minute(datetime(2024, 12, 31, 23, 59, 30, tzinfo=UTC)) == datetime(
        2025, 1, 1, tzinfo=UTC
    )


@settings(max_examples=200, deadline=None)
@given(moment=instants)
def test_ceil_minute_gives_the_first_whole_minute_at_or_after_the_instant(
    moment: datetime,
) -> None:
    up = ceil_minute(moment)
    assert up.second == 0
    assert up.microsecond == 0
    assert moment <= up < moment + timedelta(minutes=1)
    assert ceil_minute(up) == up


def test_day_bounds_are_utc_midnights() -> None:
    assert day_bounds(date(2024, 12, 31)) == (
        datetime(2024, 12, 31, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_a_lower_bound_may_be_a_date_meaning_its_utc_start() -> None:
    from maintctl.domain.times import parse_after

    assert parse_after("after", "2030-01-01").isoformat() == "2030-01-01T00:00:00+00:00"
    assert parse_after("after", "2030-01-01T05:00:00+02:00").isoformat() == (
        "2030-01-01T03:00:00+00:00"
    )
