from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain.intervals import Interval
from maintctl.domain.policy import WEEKDAYS, AllowedWindow, CalendarNote, Freeze
from maintctl.domain.recurrence import freeze_occurrences, note_occurrences, window_occurrences

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC")
YEAR_END = Freeze.model_validate(
    {"name": "year-end", "from": "12-15 00:00", "until": "01-01 00:00", "zone": "UTC"}
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def span(start: datetime, end: datetime) -> Interval:
    return Interval(start, end)


def window(
    days: list[str], start: str, end: str, zone: str = "UTC", **extra: object
) -> AllowedWindow:
    return AllowedWindow.model_validate(
        {"days": days, "start": start, "end": end, "zone": zone, **extra}
    )


def exists(day: date, clock: time, tz: ZoneInfo) -> bool:
    """Whether a wall-clock time happens on that day (it does not inside a spring-forward gap)."""
    naive = datetime.combine(day, clock)
    back = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == naive


def nth_weekdays(year: int, month: int, weekday: int) -> list[date]:
    """Every date in a month that falls on `weekday` (0 is Monday), in order."""
    return [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]


def is_nth(day: date, nth: int) -> bool:
    same = nth_weekdays(day.year, day.month, day.weekday())
    if nth == -1:
        return same[-1] == day
    return len(same) >= nth and same[nth - 1] == day


@cache
def transitions(zone: str, year: int) -> tuple[datetime, ...]:
    """Noon-UTC instants of the days on which a zone's UTC offset changes in a year."""
    tz = ZoneInfo(zone)
    found = []
    moment = utc(year, 1, 1, 12)
    while moment.year == year:
        following = moment + timedelta(days=1)
        if moment.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            found.append(moment)
        moment = following
    return tuple(found) or (utc(year, 6, 1, 12),)


clocks = st.builds(
    time,
    hour=st.one_of(st.integers(0, 4), st.integers(0, 23)),
    minute=st.one_of(st.sampled_from([0, 30]), st.integers(0, 59)),
)
weekday_lists = st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
nths = st.sampled_from([None, None, 1, 2, 3, 4, 5, -1])


@st.composite
def rules(draw: st.DrawFn) -> AllowedWindow:
    return AllowedWindow.model_validate(
        {
            "days": draw(weekday_lists),
            "start": draw(clocks),
            "end": draw(clocks),
            "nth": draw(nths),
            "zone": draw(st.sampled_from(ZONES)),
        }
    )


@st.composite
def spans_near_dst(draw: st.DrawFn, zone: str) -> Interval:
    """Spans that mostly straddle one of the zone's offset changes, from minutes to months long."""
    year = draw(st.integers(2025, 2030))
    anchor = draw(
        st.one_of(
            st.sampled_from(transitions(zone, year)),
            st.just(utc(year, 1, 1)),
        )
    )
    start = anchor + timedelta(minutes=draw(st.integers(-40 * 1440, 40 * 1440)))
    length = timedelta(minutes=draw(st.integers(1, 70 * 1440)))
    return Interval(start, start + length)


def expected_days(rule: AllowedWindow, query: Interval) -> list[date]:
    """Local start days the rule selects, found from the calendar rather than from the code."""
    tz = rule.tz
    wanted = {WEEKDAYS.index(d) for d in rule.days}
    day = query.start.astimezone(tz).date() - timedelta(days=3)
    last = query.end.astimezone(tz).date() + timedelta(days=1)
    found = []
    while day <= last:
        if day.weekday() in wanted and (rule.nth is None or is_nth(day, rule.nth)):
            found.append(day)
        day += timedelta(days=1)
    return found


def interval_on(rule: AllowedWindow, day: date) -> Interval:
    tz = rule.tz
    end_day = day + timedelta(days=1) if rule.end <= rule.start else day
    return Interval(
        datetime.combine(day, rule.start, tzinfo=tz).astimezone(UTC),
        datetime.combine(end_day, rule.end, tzinfo=tz).astimezone(UTC),
    )


@settings(max_examples=200, deadline=None)
@given(data=st.data(), rule=rules())
def test_every_window_occurrence_keeps_its_wall_clock_and_overlaps_the_span(
    data: st.DataObject, rule: AllowedWindow
) -> None:
    query = data.draw(spans_near_dst(rule.zone))
    tz = rule.tz
    found = list(window_occurrences(rule, query))
    starts = [occ.start for occ in found]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    for occ in found:
        assert occ.overlaps(query)
        local_start = occ.start.astimezone(tz)
        local_end = occ.end.astimezone(tz)
        day = local_start.date()
        if exists(day, rule.start, tz):
            assert local_start.time() == rule.start
        else:
            # Skipped by spring forward: read with the offset before the change, so it moves later.
            assert local_start.replace(tzinfo=None) > datetime.combine(day, rule.start)
        assert WEEKDAYS[day.weekday()] in rule.days
        end_day = day + timedelta(days=1) if rule.end <= rule.start else day
        if exists(end_day, rule.end, tz):
            assert local_end.replace(tzinfo=None) == datetime.combine(end_day, rule.end)
        # Whatever the clocks do, an occurrence lasts its wall-clock length give or take an hour.
        wall = datetime.combine(end_day, rule.end) - datetime.combine(day, rule.start)
        assert abs(occ.duration - wall) <= timedelta(hours=1)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), rule=rules())
def test_window_occurrences_are_exactly_the_selected_days_that_overlap_the_span(
    data: st.DataObject, rule: AllowedWindow
) -> None:
    query = data.draw(spans_near_dst(rule.zone))
    expected = [
        interval_on(rule, day)
        for day in expected_days(rule, query)
        if interval_on(rule, day).overlaps(query)
    ]
    assert list(window_occurrences(rule, query)) == expected


@settings(max_examples=200, deadline=None)
@given(
    weekday=st.sampled_from(WEEKDAYS),
    nth=st.sampled_from([1, 2, 3, 4, 5, -1]),
    year=st.integers(2025, 2030),
    month=st.integers(1, 12),
    zone=st.sampled_from(ZONES),
)
def test_nth_picks_that_weekday_of_the_month(
    weekday: str, nth: int, year: int, month: int, zone: str
) -> None:
    rule = window([weekday], "10:00", "11:00", zone, nth=nth)
    tz = rule.tz
    first = datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
    after = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz).astimezone(UTC)
    found = [
        occ.start.astimezone(tz).date() for occ in window_occurrences(rule, span(first, after))
    ]
    days = nth_weekdays(year, month, WEEKDAYS.index(weekday))
    if nth == 5 and len(days) < 5:
        assert found == []
    else:
        assert found == [days[nth - 1 if nth > 0 else -1]]


def test_the_last_sunday_is_the_fifth_when_there_are_five() -> None:
    rule = window(["sun"], "02:00", "06:00", nth=-1)
    found = list(window_occurrences(rule, span(utc(2026, 3, 1), utc(2026, 4, 1))))
    assert found == [Interval(utc(2026, 3, 29, 2), utc(2026, 3, 29, 6))]


def test_the_first_sunday_window_skips_the_other_sundays() -> None:
    rule = window(["sun"], "02:00", "08:00", nth=1)
    found = list(window_occurrences(rule, span(utc(2026, 3, 1), utc(2026, 5, 1))))
    assert found == [
        Interval(utc(2026, 3, 1, 2), utc(2026, 3, 1, 8)),
        Interval(utc(2026, 4, 5, 2), utc(2026, 4, 5, 8)),
    ]


def test_a_berlin_window_keeps_its_hours_across_spring_forward() -> None:
    rule = window(["sun"], "01:00", "06:00", "Europe/Berlin")
    found = list(window_occurrences(rule, span(utc(2026, 3, 20), utc(2026, 4, 6))))
    assert found == [
        Interval(utc(2026, 3, 22, 0), utc(2026, 3, 22, 5)),
        Interval(utc(2026, 3, 29, 0), utc(2026, 3, 29, 4)),
        Interval(utc(2026, 4, 4, 23), utc(2026, 4, 5, 4)),
    ]


def test_a_start_skipped_by_spring_forward_moves_later_by_the_gap() -> None:
    rule = window(["sun"], "02:30", "06:00", "Europe/Berlin")
    (occ,) = window_occurrences(rule, span(utc(2026, 3, 29), utc(2026, 3, 30)))
    assert occ.start.astimezone(rule.tz).strftime("%H:%M %z") == "03:30 +0200"
    assert occ == Interval(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 4))


def test_a_new_york_night_window_is_one_interval_across_fall_back() -> None:
    rule = window(["sat"], "22:00", "02:00", "America/New_York")
    (occ,) = window_occurrences(rule, span(utc(2026, 11, 1, 3), utc(2026, 11, 1, 4)))
    # Saturday 22:00 EDT to Sunday 02:00 EST: five hours, not four.
    assert occ == Interval(utc(2026, 11, 1, 2), utc(2026, 11, 1, 7))


def test_a_sydney_window_is_one_hour_longer_when_daylight_saving_ends() -> None:
    rule = window(["sun"], "01:00", "05:00", "Australia/Sydney")
    (occ,) = window_occurrences(rule, span(utc(2026, 4, 4, 15), utc(2026, 4, 4, 16)))
    assert occ == Interval(utc(2026, 4, 4, 14), utc(2026, 4, 4, 19))


def test_a_window_the_spring_forward_gap_swallows_is_never_a_reversed_interval() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29 and is read as 03:30 CEST, after the 03:15 end.
    rule = window(["sun"], "02:30", "03:15", "Europe/Berlin")
    found = list(window_occurrences(rule, span(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))))
    assert all(occ.start < occ.end for occ in found), found


def test_a_window_crossing_midnight_is_one_interval() -> None:
    rule = window(["fri"], "22:00", "03:00")
    found = list(window_occurrences(rule, span(utc(2026, 3, 7, 0), utc(2026, 3, 7, 1))))
    assert found == [Interval(utc(2026, 3, 6, 22), utc(2026, 3, 7, 3))]


def test_a_window_whose_end_equals_its_start_lasts_a_whole_day() -> None:
    rule = window(["mon"], "06:00", "06:00")
    found = list(window_occurrences(rule, span(utc(2026, 3, 2, 12), utc(2026, 3, 2, 13))))
    assert found == [Interval(utc(2026, 3, 2, 6), utc(2026, 3, 3, 6))]


def test_a_window_that_ends_as_the_span_starts_does_not_overlap_it() -> None:
    rule = window(["sun"], "02:00", "06:00")
    assert list(window_occurrences(rule, span(utc(2026, 3, 1, 6), utc(2026, 3, 1, 7)))) == []
    assert list(window_occurrences(rule, span(utc(2026, 3, 1, 1), utc(2026, 3, 1, 2)))) == []


@settings(max_examples=200, deadline=None)
@given(data=st.data(), rule=rules())
def test_a_window_crossing_midnight_ends_on_the_next_local_day(
    data: st.DataObject, rule: AllowedWindow
) -> None:
    rule = rule.model_copy(update={"end": min(rule.end, rule.start)})
    query = data.draw(spans_near_dst(rule.zone))
    for occ in window_occurrences(rule, query):
        start_day = occ.start.astimezone(rule.tz).date()
        assert occ.end.astimezone(rule.tz).date() == start_day + timedelta(days=1)
        assert timedelta(0) < occ.duration <= timedelta(hours=25)


def test_the_year_end_freeze_wraps_the_year() -> None:
    found = list(freeze_occurrences(YEAR_END, span(utc(2026, 12, 1), utc(2027, 2, 1))))
    assert found == [Interval(utc(2026, 12, 15), utc(2027, 1, 1))]


def test_the_year_end_freeze_of_last_year_covers_new_years_eve() -> None:
    found = list(freeze_occurrences(YEAR_END, span(utc(2026, 12, 31, 23), utc(2027, 1, 1, 1))))
    assert found == [Interval(utc(2026, 12, 15), utc(2027, 1, 1))]


def test_the_year_end_freeze_is_over_at_midnight_on_new_years_day() -> None:
    assert list(freeze_occurrences(YEAR_END, span(utc(2027, 1, 1), utc(2027, 12, 15)))) == []


def test_the_year_end_freeze_recurs_every_year_in_order() -> None:
    found = list(freeze_occurrences(YEAR_END, span(utc(2025, 6, 1), utc(2028, 6, 1))))
    assert found == [
        Interval(utc(2025, 12, 15), utc(2026, 1, 1)),
        Interval(utc(2026, 12, 15), utc(2027, 1, 1)),
        Interval(utc(2027, 12, 15), utc(2028, 1, 1)),
    ]


def test_an_annual_freeze_in_berlin_starts_at_local_midnight() -> None:
    freeze = YEAR_END.model_copy(update={"zone": "Europe/Berlin"})
    found = list(freeze_occurrences(freeze, span(utc(2026, 12, 14), utc(2026, 12, 16))))
    assert found == [Interval(utc(2026, 12, 14, 23), utc(2026, 12, 31, 23))]


def test_a_one_off_freeze_is_read_from_its_instants() -> None:
    freeze = Freeze.model_validate(
        {"name": "launch", "from": "2026-07-01T00:00:00Z", "until": "2026-07-03T02:00:00+02:00"}
    )
    assert not freeze.annual
    inside = span(utc(2026, 7, 2), utc(2026, 7, 2, 1))
    assert list(freeze_occurrences(freeze, inside)) == [Interval(utc(2026, 7, 1), utc(2026, 7, 3))]
    assert list(freeze_occurrences(freeze, span(utc(2026, 7, 3), utc(2026, 7, 4)))) == []


def test_an_annual_freeze_on_29_february_only_happens_in_leap_years() -> None:
    freeze = Freeze.model_validate({"name": "leap", "from": "02-29 00:00", "until": "03-01 00:00"})
    found = list(freeze_occurrences(freeze, span(utc(2025, 1, 1), utc(2030, 1, 1))))
    assert found == [Interval(utc(2028, 2, 29), utc(2028, 3, 1))]


def test_a_freeze_ending_on_29_february_ends_on_1_march_in_other_years() -> None:
    freeze = Freeze.model_validate({"name": "f", "from": "02-20 00:00", "until": "02-29 00:00"})
    found = list(freeze_occurrences(freeze, span(utc(2027, 1, 1), utc(2029, 1, 1))))
    assert found == [
        Interval(utc(2027, 2, 20), utc(2027, 3, 1)),
        Interval(utc(2028, 2, 20), utc(2028, 2, 29)),
    ]


def test_a_freeze_starting_on_29_february_starts_on_1_march_in_other_years() -> None:
    freeze = Freeze.model_validate({"name": "f", "from": "02-29 06:00", "until": "03-10 00:00"})
    found = list(freeze_occurrences(freeze, span(utc(2027, 1, 1), utc(2029, 1, 1))))
    assert found == [
        Interval(utc(2027, 3, 1, 6), utc(2027, 3, 10)),
        Interval(utc(2028, 2, 29, 6), utc(2028, 3, 10)),
    ]


def test_a_freeze_from_1_march_to_29_february_is_unbroken_outside_leap_years() -> None:
    freeze = Freeze.model_validate({"name": "f", "from": "03-01 00:00", "until": "02-29 00:00"})
    found = list(freeze_occurrences(freeze, span(utc(2027, 1, 1), utc(2029, 6, 1))))
    assert found == [
        Interval(utc(2026, 3, 1), utc(2027, 3, 1)),
        Interval(utc(2027, 3, 1), utc(2028, 2, 29)),
        Interval(utc(2028, 3, 1), utc(2029, 3, 1)),
        Interval(utc(2029, 3, 1), utc(2030, 3, 1)),
    ]


@settings(max_examples=100, deadline=None)
@given(
    year=st.integers(1971, 2198),
    end=st.sampled_from(["02-29 00:00", "02-29 12:30", "02-28 23:59"]),
    zone=st.sampled_from(ZONES),
)
def test_a_freeze_ending_on_29_february_happens_every_year(year: int, end: str, zone: str) -> None:
    freeze = Freeze.model_validate({"name": "f", "from": "02-01 00:00", "until": end, "zone": zone})
    query = span(utc(year, 2, 10), utc(year, 2, 11))
    assert len(list(freeze_occurrences(freeze, query))) == 1


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    length=st.integers(1, 3 * 366 * 1440),
)
def test_an_instant_is_frozen_exactly_from_15_december_to_new_year_local_time(
    moment: datetime, zone: str, length: int
) -> None:
    freeze = YEAR_END.model_copy(update={"zone": zone})
    local = moment.astimezone(ZoneInfo(zone))
    hit = list(freeze_occurrences(freeze, span(moment, moment + timedelta(microseconds=1))))
    assert bool(hit) == (local.month == 12 and local.day >= 15)

    query = span(moment, moment + timedelta(minutes=length))
    found = list(freeze_occurrences(freeze, query))
    assert [f.start for f in found] == sorted(f.start for f in found)
    for occ in found:
        assert occ.overlaps(query)
        start, end = occ.start.astimezone(ZoneInfo(zone)), occ.end.astimezone(ZoneInfo(zone))
        assert (start.month, start.day, start.hour, start.minute) == (12, 15, 0, 0)
        assert (end.year, end.month, end.day, end.hour, end.minute) == (start.year + 1, 1, 1, 0, 0)


PATCHING = CalendarNote(name="patching", title="Patching week", week=2)
EXTENDED = CalendarNote(name="extended", week=4, months=[1, 3, 5, 7, 9, 11])


def test_the_patching_note_marks_the_second_week_of_the_month() -> None:
    found = list(note_occurrences(PATCHING, span(utc(2026, 3, 1), utc(2026, 4, 1))))
    assert found == [Interval(utc(2026, 3, 8), utc(2026, 3, 15))]


def test_a_note_limited_to_some_months_skips_the_others() -> None:
    assert list(note_occurrences(EXTENDED, span(utc(2026, 2, 1), utc(2026, 3, 1)))) == []
    found = list(note_occurrences(EXTENDED, span(utc(2026, 2, 1), utc(2026, 4, 1))))
    assert found == [Interval(utc(2026, 3, 22), utc(2026, 3, 29))]


def test_the_fifth_week_is_cut_at_the_end_of_the_month() -> None:
    note = CalendarNote(name="tail", week=5)
    found = list(note_occurrences(note, span(utc(2026, 4, 1), utc(2026, 5, 1))))
    assert found == [Interval(utc(2026, 4, 29), utc(2026, 5, 1))]


def test_the_fifth_week_of_a_leap_february_is_its_29th_day() -> None:
    note = CalendarNote(name="tail", week=5, months=[2])
    found = list(note_occurrences(note, span(utc(2028, 2, 1), utc(2028, 3, 1))))
    assert found == [Interval(utc(2028, 2, 29), utc(2028, 3, 1))]


def test_a_february_without_a_fifth_week_has_no_fifth_week_note() -> None:
    note = CalendarNote(name="tail", week=5)
    assert list(note_occurrences(note, span(utc(2025, 2, 1), utc(2025, 3, 1)))) == []


@settings(max_examples=200, deadline=None)
@given(
    week=st.integers(1, 4),
    months=st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)
    ),
    length=st.integers(1, 400 * 1440),
)
def test_note_weeks_are_whole_utc_days_of_the_chosen_months_overlapping_the_span(
    week: int, months: list[int], start: datetime, length: int
) -> None:
    note = CalendarNote.model_validate({"name": "n", "week": week, "months": months})
    query = span(start, start + timedelta(minutes=length))
    found = list(note_occurrences(note, query))
    assert [f.start for f in found] == sorted(f.start for f in found)
    for occ in found:
        assert occ.overlaps(query)
        assert occ.start.month in months
        assert occ.start.day == 7 * (week - 1) + 1
        assert occ.start.time() == time(0) == occ.end.time()
        assert occ.duration == timedelta(days=7)
    # Every chosen month the span touches on the note's days shows up exactly once.
    day = query.start.date()
    marked = set()
    while day <= query.end.date():
        first = date(day.year, day.month, 7 * (week - 1) + 1)
        week_span = Interval(
            datetime.combine(first, time(), tzinfo=UTC),
            datetime.combine(first + timedelta(days=7), time(), tzinfo=UTC),
        )
        if day.month in months and week_span.overlaps(query):
            marked.add(week_span)
        day += timedelta(days=1)
    assert set(found) == marked
    assert len(found) == len(marked)
