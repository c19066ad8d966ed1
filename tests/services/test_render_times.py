"""Times in notices: UTC as the runbook writes them, whatever zone the instants came in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.config import parse_config
from maintctl.services.notice_context import human_duration, notice_context
from maintctl.services.render import Notice
from tests.services.test_render import window

CONFIG = parse_config("{}", "m.yaml")
UNITS = {"day": 86400, "hour": 3600, "minute": 60}
starts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
lengths = st.integers(min_value=60, max_value=30 * 86400).map(lambda s: timedelta(seconds=s))
zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@settings(max_examples=200, deadline=None)  # 200 cases
@given(start=starts, length=lengths, zone=zones)
def test_the_shown_times_are_the_utc_ones_whatever_zone_they_came_in(
    start: datetime, length: timedelta, zone: timezone
) -> None:
    local = window(start=start.astimezone(zone), end=(start + length).astimezone(zone))
    seen = notice_context(CONFIG, Notice(local, "initial", "customers-all"))
    end = start + length
    assert seen["date"] == start.strftime("%A, %Y-%m-%d") and seen["day"] == f"{start:%Y-%m-%d}"
    expected = f"{start:%H:%M} - {end:%H:%M} UTC"
    if end.date() != start.date():
        expected += f" (ends {end:%A, %Y-%m-%d})"
    assert seen["times"] == expected


@settings(max_examples=300, deadline=None)  # 300 cases
@given(length=st.integers(min_value=0, max_value=400 * 86400).map(lambda s: timedelta(seconds=s)))
def test_a_worded_duration_reads_back_to_its_whole_minutes(length: timedelta) -> None:
    words = human_duration(length)
    if length < timedelta(minutes=1):
        assert words in ("0 minutes", "less than a minute")
        return
    parts = re.findall(r"(\d+) (day|hour|minute)s?", words)
    assert " ".join(f"{n} {u}{'' if n == '1' else 's'}" for n, u in parts) == words
    total = sum(int(n) * UNITS[u] for n, u in parts)
    assert total == int(length.total_seconds()) // 60 * 60
