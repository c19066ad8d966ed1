"""The notification timeline: when each notice falls due, what a move changes, who hears it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.config import load_config
from maintctl.domain.policy import Notifications
from maintctl.domain.timeline import Notice, audiences_for, cancel, plan, replan

POLICY = load_config(None).policy
TYPES = sorted(POLICY.types)
T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def timeline(kind: str) -> Notifications:
    return POLICY.types[kind].notifications


def kinds(notices: list[Notice]) -> list[str]:
    return [n.kind for n in notices]


# Instants to the minute over ten years; leads from "already started" to 60 days ahead.
instants = st.integers(0, 10 * 365 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
leads = st.integers(-2 * 24 * 60, 60 * 24 * 60).map(lambda m: timedelta(minutes=m))
lengths = st.integers(1, 8 * 60).map(lambda m: timedelta(minutes=m))
type_names = st.sampled_from(TYPES)


def test_a_planned_outage_signed_5_days_ahead_tells_at_once_skips_7d_and_keeps_3d() -> None:
    # The hand-worked case: the initial notice goes at once, the 7-day reminder (the
    # initial notice's own time) has passed and is skipped, the 3-day one goes on time.
    start = T0 + 5 * DAY
    notices = plan(timeline("planned-outage"), start, start + 2 * HOUR, T0)
    assert [(n.kind, n.due_at) for n in notices] == [
        ("initial", T0),
        ("reminder-3d", start - 3 * DAY),
        ("reminder-24h", start - DAY),
        ("start", None),
        ("completion", None),
    ]
    assert [n.event for n in notices[-2:]] == ["start", "completion"]


def test_a_planned_outage_signed_20_days_ahead_hears_at_once_and_at_the_runbook_times() -> None:
    start = T0 + 20 * DAY
    notices = plan(timeline("planned-outage"), start, start + HOUR, T0)
    assert [(n.kind, n.due_at) for n in notices[:4]] == [
        ("initial", T0),
        ("reminder-7d", start - 7 * DAY),
        ("reminder-3d", start - 3 * DAY),
        ("reminder-24h", start - DAY),
    ]


def test_a_window_moved_from_20_days_out_to_10_re_plans_its_reminders_and_says_rescheduled() -> (
    None
):
    rule = timeline("planned-outage")
    old_start = T0 + 20 * DAY
    old = plan(rule, old_start, old_start + HOUR, T0)
    now = T0 + HOUR  # the initial notice went at scheduling; then the window moves
    new_start = now + 10 * DAY
    moved = replan(rule, old, ["initial"], new_start, new_start + HOUR, now)
    assert [(n.kind, n.due_at) for n in moved.add] == [
        ("reminder-7d", new_start - 7 * DAY),
        ("reminder-3d", new_start - 3 * DAY),
        ("reminder-24h", new_start - DAY),
        ("rescheduled-1", now),
    ]
    assert kinds(moved.cancel) == ["reminder-7d", "reminder-3d", "reminder-24h"]
    assert kinds(moved.keep) == ["start", "completion"]
    assert moved.add[-1].told_only
    # A second move says so again, under a new kind: a kind once sent is never sent again.
    again = replan(
        rule,
        moved.keep + moved.add,
        ["initial", "rescheduled-1"],
        new_start + DAY,
        new_start + DAY + HOUR,
        now + DAY,
    )
    assert "rescheduled-2" in kinds(again.add)


def test_a_move_before_anyone_was_told_sends_no_rescheduled_notice() -> None:
    rule = timeline("planned-outage")
    start = T0 + 30 * DAY
    old = [n for n in plan(rule, start, start + HOUR, T0) if n.kind != "initial"]
    moved = replan(rule, old, [], start + DAY, start + DAY + HOUR, T0 + HOUR)
    assert not [n for n in moved.add if n.told_only]
    assert "initial" in kinds(moved.add)  # never sent: it goes now, as at a scheduling


def test_a_pending_rescheduled_notice_is_kept_when_the_window_moves_again() -> None:
    rule = timeline("brief-interruption")
    start = T0 + 10 * DAY
    old = plan(rule, start, start + HOUR, T0)
    first = replan(rule, old, ["initial"], start + DAY, start + DAY + HOUR, T0 + HOUR)
    second = replan(
        rule, first.keep + first.add, ["initial"], start + 2 * DAY, start + 2 * DAY + HOUR, T0
    )
    assert "rescheduled-1" in kinds(second.keep)
    assert not [n for n in second.add if n.kind.startswith("rescheduled")]


def test_a_cancelled_window_drops_every_pending_notice_and_tells_only_those_told() -> None:
    rule = timeline("planned-outage")
    start = T0 + 20 * DAY
    old = plan(rule, start, start + HOUR, T0)
    told = cancel(old, ["initial"], T0 + DAY)
    assert kinds(told.cancel) == kinds(old)[1:]
    assert [(n.kind, n.due_at, n.told_only) for n in told.add] == [("cancelled", T0 + DAY, True)]
    assert cancel(old, [], T0 + DAY).add == []


def test_an_emergency_plans_only_its_start_and_completion() -> None:
    notices = plan(timeline("emergency"), T0 + HOUR, T0 + 2 * HOUR, T0)
    assert [(n.kind, n.due_at, n.event) for n in notices] == [
        ("start", None, "start"),
        ("completion", None, "completion"),
    ]


def test_zero_downtime_notices_are_optional_and_reach_only_audiences_that_want_them() -> None:
    notices = plan(timeline("zero-downtime"), T0 + 2 * DAY, T0 + 2 * DAY + HOUR, T0)
    assert [(n.kind, n.optional) for n in notices] == [
        ("initial", True),
        ("reminder-24h", True),
        ("completion", True),
    ]
    assert audiences_for(POLICY.audiences, notices[0]) == ["internal-engineering"]


def test_customer_audiences_hear_customer_notices_and_engineering_hears_progress() -> None:
    initial = Notice("initial", T0)
    assert audiences_for(POLICY.audiences, initial) == [
        "internal-engineering",
        "internal-all",
        "customers-enterprise",
        "customers-all",
        "partners",
    ]
    assert audiences_for(POLICY.audiences, Notice("progress", T0)) == ["internal-engineering"]
    assert audiences_for(POLICY.audiences, Notice("reminder-24h", T0)) == audiences_for(
        POLICY.audiences, initial
    )


def test_a_rescheduled_notice_reaches_only_audiences_already_told() -> None:
    notice = Notice("rescheduled-1", T0, told_only=True)
    assert audiences_for(POLICY.audiences, notice) == []
    told = ["partners", "internal-engineering"]
    assert audiences_for(POLICY.audiences, notice, told) == ["internal-engineering", "partners"]


def test_a_reminder_across_a_dst_change_is_exact_hours_before_in_utc() -> None:
    # Berlin springs forward on 28 March 2027: 03:00 local on the 28th is 24 real hours after
    # 02:00 local on the 27th, not after 03:00.
    start = datetime(2027, 3, 28, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    notices = plan(timeline("brief-interruption"), start, start + timedelta(minutes=5), T0)
    due = {n.kind: n.due_at for n in notices}
    assert due["reminder-24h"] == datetime(2027, 3, 27, 1, 0, tzinfo=UTC)
    assert all(d is None or d.tzinfo is UTC for d in due.values())


def test_an_instant_without_a_zone_or_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        plan(timeline("emergency"), datetime(2027, 1, 1), datetime(2027, 1, 2), T0)
    with pytest.raises(ValueError, match="not after"):
        plan(timeline("emergency"), T0, T0, T0)


# 300 cases for each property: enough to cover every type, late and early signatures, and
# windows already started, at a few seconds for the file.
@settings(max_examples=300, deadline=None)
@given(type_names, instants, leads, lengths)
def test_no_notice_falls_before_scheduling_or_after_the_start(
    kind: str, scheduled_at: datetime, lead: timedelta, length: timedelta
) -> None:
    start = scheduled_at + lead
    for notice in plan(timeline(kind), start, start + length, scheduled_at):
        if notice.event is not None:
            assert notice.due_at is None
            continue
        assert notice.due_at is not None
        assert scheduled_at <= notice.due_at < start
        if notice.kind.startswith("reminder-"):
            assert notice.due_at > scheduled_at


@settings(max_examples=300, deadline=None)
@given(type_names, instants, leads, lengths)
def test_notices_fall_due_in_the_policy_order_each_kind_once(
    kind: str, scheduled_at: datetime, lead: timedelta, length: timedelta
) -> None:
    rule = timeline(kind)
    start = scheduled_at + lead
    notices = plan(rule, start, start + length, scheduled_at)
    names = kinds(notices)
    assert len(set(names)) == len(names)
    timed = [n.due_at for n in notices if n.due_at is not None]
    assert timed == sorted(timed) and len(set(timed)) == len(timed)
    events = [n.kind for n in notices if n.event is not None]
    assert events == [e for e in ("start", "completion") if getattr(rule, e)]
    # Every event-driven notice comes after every timed one, as the policy lists them.
    assert names == kinds([n for n in notices if n.event is None]) + events


@settings(max_examples=300, deadline=None)
@given(
    type_names,
    instants,
    leads,
    lengths,
    st.integers(0, 30 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    leads,
    st.data(),
)
def test_a_replan_never_sends_again_a_kind_already_sent(
    kind: str,
    scheduled_at: datetime,
    lead: timedelta,
    length: timedelta,
    later: timedelta,
    new_lead: timedelta,
    data: st.DataObject,
) -> None:
    rule = timeline(kind)
    start = scheduled_at + lead
    old = plan(rule, start, start + length, scheduled_at)
    sent = data.draw(st.lists(st.sampled_from(kinds(old) or ["initial"]), unique=True))
    now = scheduled_at + later
    new_start = now + new_lead
    moved = replan(rule, old, sent, new_start, new_start + length, now)
    assert not set(kinds(moved.add)) & set(sent)
    assert not set(kinds(moved.keep)) & set(sent)
    assert all(n.kind not in sent for n in moved.cancel)
    # Whatever stays or is added is one plan: each kind once.
    after = kinds(moved.keep + moved.add)
    assert len(set(after)) == len(after)
    assert [n for n in moved.add if n.told_only] == (
        [] if not sent else [n for n in moved.add if n.kind.startswith("rescheduled-")]
    )


@settings(max_examples=300, deadline=None)
@given(type_names, instants, leads, lengths, st.sampled_from(["UTC", "Europe/Berlin"]))
def test_an_offset_is_an_exact_duration_whatever_the_zone_the_start_is_given_in(
    kind: str, scheduled_at: datetime, lead: timedelta, length: timedelta, zone: str
) -> None:
    start = scheduled_at + lead
    in_zone = plan(timeline(kind), start.astimezone(ZoneInfo(zone)), start + length, scheduled_at)
    assert in_zone == plan(timeline(kind), start, start + length, scheduled_at)
    for notice in in_zone:
        if notice.offset is not None:
            assert notice.due_at == start - notice.offset
