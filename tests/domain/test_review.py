"""The review's Success Metrics against hand-worked cases, its form, and its markdown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintctl.domain import review
from maintctl.domain.history import overrun
from maintctl.domain.model import Status, Window, WindowSpec
from maintctl.domain.review import NoticeRecord, Written
from maintctl.domain.times import TimeParseError

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def window(actual_start: datetime | None, actual_end: datetime | None) -> Window:
    spec = WindowSpec("planned-outage", T0, T0 + timedelta(hours=2), ["db"], "sre", "Upgrade")
    return Window(
        "MNT-2026-0001",
        Status.COMPLETED,
        spec,
        "rita",
        T0,
        T0,
        actual_start=actual_start,
        actual_end=actual_end,
    )


def test_an_overrun_of_20_minutes_is_exceeded_by_20m() -> None:
    w = window(T0, T0 + timedelta(hours=2, minutes=20))
    metric = review.duration_metric(timedelta(hours=2), timedelta(hours=2, minutes=20), overrun(w))
    assert (metric.target, metric.actual, metric.status) == ("2h", "2h20m", "Exceeded by 20m")
    assert metric.value["overrun_s"] == 1200


def test_a_window_ending_before_its_scheduled_end_met_its_duration() -> None:
    w = window(T0, T0 + timedelta(hours=1, minutes=45))
    assert overrun(w) == timedelta(0)
    metric = review.duration_metric(timedelta(hours=2), timedelta(hours=1, minutes=45), overrun(w))
    assert metric.status == "Met"


def test_a_late_start_that_ends_past_the_scheduled_end_counts_as_an_overrun() -> None:
    # Started 30 minutes late, ran its planned 2 hours: the end is 30 minutes past the schedule.
    w = window(T0 + 30 * MIN, T0 + timedelta(hours=2, minutes=30))
    assert overrun(w) == 30 * MIN


@given(
    st.integers(min_value=-600, max_value=600),
    st.integers(min_value=1, max_value=600),
)
def test_an_overrun_is_never_negative_and_is_the_time_past_the_end(
    end_offset: int, took: int
) -> None:
    """Hypothesis: 100 cases by default, ends 10 hours either side of the scheduled end."""
    end = T0 + timedelta(hours=2) + end_offset * MIN
    w = window(end - took * MIN, end)
    assert overrun(w) == max(end_offset * MIN, timedelta(0))
    assert overrun(replace(w, actual_end=None)) == timedelta(0)


def test_a_notice_sent_3_minutes_late_is_not_on_time_3_of_4_is_75_percent() -> None:
    due = T0 - timedelta(days=1)
    notices = [
        NoticeRecord("customers-all", due, due),
        NoticeRecord("customers-all", due + MIN, due + MIN + timedelta(seconds=20)),  # in grace
        NoticeRecord("customers-enterprise", due, due - MIN),  # sent early by hand
        NoticeRecord("customers-enterprise", due + 2 * MIN, due + 5 * MIN),  # 3 minutes late
        NoticeRecord("internal-engineering", due, None),  # not a customer notice: not counted
    ]
    metric = review.notices_metric(notices)
    assert metric.value == {"planned": 4, "on_time": 3, "percent": 75.0}
    assert (metric.actual, metric.status) == ("75% (3/4)", "Missed")


def test_a_customer_notice_never_sent_is_not_on_time_and_none_planned_is_no_data() -> None:
    assert not review.on_time(NoticeRecord("customers-all", T0, None))
    assert review.notices_metric([]).status == review.NO_DATA
    all_sent = review.notices_metric([NoticeRecord("customers-all", T0, T0)])
    assert (all_sent.actual, all_sent.status) == ("100% (1/1)", "Met")


def test_a_validation_run_with_1_of_8_failing_is_87_5_percent() -> None:
    metric = review.checks_metric(7, 8, run=12)
    assert (metric.actual, metric.status) == ("87.5% (7/8, V-12)", "Missed")
    assert metric.value["percent"] == 87.5
    assert review.checks_metric(8, 8, run=3).status == "Met"
    assert review.checks_metric(None, None).status == review.NO_DATA


def test_incidents_count_the_emergencies_found_and_those_added() -> None:
    assert review.incidents_metric([], []).status == "Met"
    metric = review.incidents_metric(["MNT-2026-0009"], ["pager storm at 02:40"])
    assert (metric.actual, metric.status) == ("2", "Missed")


def test_the_form_reads_back_only_the_known_headings_as_structure() -> None:
    texts = Written(
        "Rollback rehearsed\n# not a heading\n### What Went Well",
        "",
        "Keep the **runbook** close",
        ("pager storm", "db blip"),
    )
    text = review.form(texts, "MNT-2026-0001")
    assert review.parse_form(text) == texts
    edited = text.replace("## What Could Improve\n", "## What Could Improve\nMore notice\n")
    assert review.parse_form(edited).could_improve == "More notice"
    assert review.parse_form("no headings at all") == Written()
    assert review.parse_form("## incidents added\n- one\n\n- two\n").incidents == ("one", "two")


def test_typed_text_is_escaped_in_the_markdown_review() -> None:
    assert review.md("# title\n- item\n1. first <b>x</b> | *y*") == (
        "\\# title\n\\- item\n1\\. first \\<b\\>x\\</b\\> \\| \\*y\\*"
    )
    assert review.md_cell("a |\nb") == "a \\| b"
    summary = review.Summary("MNT-2026-0001", "2026-12-06", 2 * 60 * MIN, 140 * MIN, "x", "tom")
    metrics = [review.duration_metric(120 * MIN, 140 * MIN, 20 * MIN)]
    actions = [review.ActionLine(3, "Fix | the <alert>", "tom", "2026-12-20T23:59:59Z", False)]
    text = review.markdown(summary, metrics, Written(went_well="## sneaky"), actions)
    assert "| Duration | 2h | 2h20m | Exceeded by 20m |" in text
    assert "| A-3 Fix \\| the \\<alert\\> | tom | 2026-12-20T23:59:59Z |" in text
    assert "\\#\\# sneaky" in text and "\n## sneaky" not in text


def test_a_due_date_means_the_end_of_that_day_and_an_instant_needs_a_zone() -> None:
    assert review.parse_due("2026-12-20") == datetime(2026, 12, 20, 23, 59, 59, tzinfo=UTC)
    assert review.parse_due("2026-12-20T17:00:00+01:00") == datetime(2026, 12, 20, 16, tzinfo=UTC)
    with pytest.raises(TimeParseError):
        review.parse_due("2026-12-20T17:00:00")
    with pytest.raises(TimeParseError):
        review.parse_due("next friday")


def test_texts_past_their_bounds_and_too_many_incidents_are_named() -> None:
    long = "x" * 10_001
    problems = review.written_problems(Written(went_well=long, incidents=("a",) * 101))
    assert {(p.field, p.rule) for p in problems} == {
        ("went_well", "too-long"),
        ("incidents", "too-many"),
    }
    assert review.written_problems(Written(incidents=("two\nlines",)))[0].rule == (
        "control-character"
    )
