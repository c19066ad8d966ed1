"""A recovery watch's arithmetic: how many rounds, when each begins (never overlapping, never
past the deadline), each check's latency trend, and the verdict naming the first failing round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain import bounds
from maintctl.domain.checks import Result, Status
from maintctl.domain.errors import RuleViolation
from maintctl.domain.recovery import Plan, Trend, Watch, parse_plan, trend

START = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def plans() -> st.SearchStrategy[Plan]:
    """Any plan the bounds allow: up to 24h, every from 1s, at most WATCH_ROUNDS_MAX rounds."""

    def build(seconds: int, fraction: float) -> Plan:
        least = max(1, -(-seconds // (bounds.WATCH_ROUNDS_MAX - 1)))
        every = least + round((seconds - least) * fraction)
        return Plan(START, timedelta(seconds=seconds), timedelta(seconds=every))

    watch_max = int(bounds.WATCH_MAX.total_seconds())
    return st.builds(build, st.integers(1, watch_max), st.floats(0, 1))


def simulate(plan: Plan, lengths: list[float]) -> list[tuple[datetime, datetime]]:
    """The rounds' (start, end), each lasting the next of `lengths` seconds (cycled)."""
    rounds = []
    due: datetime | None = plan.start
    while due is not None:
        end = due + timedelta(seconds=lengths[len(rounds) % len(lengths)])
        rounds.append((due, end))
        assert len(rounds) <= plan.rounds
        due = plan.next_start(due, end)
    return rounds


# 200 cases, each a watch of up to WATCH_ROUNDS_MAX rounds.
@settings(max_examples=200, deadline=None)
@given(plans(), st.lists(st.floats(0, 3 * 86400), min_size=1, max_size=5))
def test_rounds_never_overlap_never_pass_the_deadline_and_never_exceed_the_bound(
    plan: Plan, lengths: list[float]
) -> None:
    rounds = simulate(plan, lengths)
    assert 1 <= len(rounds) <= plan.rounds == plan.duration // plan.every + 1
    for (start, end), (following, _) in pairwise(rounds):
        assert following >= end
        assert following - start >= plan.every
    assert all(start <= plan.deadline for start, _ in rounds)


# 200 cases.
@settings(max_examples=200, deadline=None)
@given(plans())
def test_instant_rounds_run_exactly_one_at_the_start_and_one_per_whole_every(plan: Plan) -> None:
    rounds = simulate(plan, [0.0])
    assert len(rounds) == plan.rounds
    assert [s for s, _ in rounds] == [plan.start + i * plan.every for i in range(plan.rounds)]


# 200 cases.
@settings(max_examples=200)
@given(
    plans(),
    st.integers(-(10**6), 10**6).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 10**6).map(lambda s: timedelta(seconds=s)),
)
def test_a_wait_is_never_negative_nor_longer_than_every(
    plan: Plan, offset: timedelta, ahead: timedelta
) -> None:
    now = plan.start + offset
    assert 0 <= plan.wait(now, now + ahead) <= plan.every.total_seconds()
    assert plan.wait(now, now - ahead) == 0


def test_the_runbooks_5m_every_30s_is_11_rounds_and_every_defaults_to_30s() -> None:
    assert parse_plan(START, "5m", "30s").rounds == 11
    assert parse_plan(START, "5m").every == timedelta(seconds=30)
    assert parse_plan(START, "10s").every == timedelta(seconds=10)
    assert parse_plan(START, "24h", "30s").rounds == bounds.WATCH_ROUNDS_MAX


@pytest.mark.parametrize(
    ("watch", "every", "field", "says"),
    [
        ("soon", None, "--watch", "is not a duration"),
        ("25h", None, "--watch", "at most 24h"),
        ("0s", None, "--watch", "more than 0s"),
        ("5m", "0s", "--every", "between 1s and the watch's 5m"),
        ("5m", "6m", "--every", "between 1s and the watch's 5m"),
        ("5m", "often", "--every", "is not a duration"),
        ("24h", "1s", "--every", "run every 30s or less often"),
    ],
)
def test_a_watch_out_of_bounds_is_refused_with_one_problem_naming_its_field(
    watch: str, every: str | None, field: str, says: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        parse_plan(START, watch, every)
    [problem] = caught.value.problems
    assert problem.field == field
    assert says in problem.line()


def test_a_check_slower_each_round_is_rising_and_faster_each_round_is_falling() -> None:
    assert trend([40, 90, 150, 200]) is Trend.RISING
    assert trend([200, 150, 90, 40]) is Trend.FALLING
    assert trend([45, 47, 44, 46, 45]) is Trend.STEADY
    assert trend([45]) is Trend.NEW


# 300 cases.
@settings(max_examples=300)
@given(st.lists(st.floats(0, 600_000), min_size=2, max_size=bounds.WATCH_TREND_ROUNDS))
def test_a_trend_read_backwards_turns_round_and_a_flat_one_is_steady(
    latencies: list[float],
) -> None:
    forwards, backwards = trend(latencies), trend(latencies[::-1])
    turned = {Trend.RISING: Trend.FALLING, Trend.FALLING: Trend.RISING, Trend.STEADY: Trend.STEADY}
    assert backwards is turned[forwards]
    assert trend([latencies[0]] * len(latencies)) is Trend.STEADY


# 300 cases.
@settings(max_examples=300)
@given(
    st.floats(0, 10_000),
    st.floats(1, 10_000),
    st.integers(2, bounds.WATCH_TREND_ROUNDS),
)
def test_each_round_slower_by_more_than_the_threshold_is_rising(
    first: float, step: float, n: int
) -> None:
    latencies = [first + i * step for i in range(n)]
    change = step * (n - 1)
    mean = first + change / 2
    if change > max(10.0, 0.2 * mean) * 1.000001:
        assert trend(latencies) is Trend.RISING
    elif change < max(10.0, 0.2 * mean) * 0.999999:
        assert trend(latencies) is Trend.STEADY


def result(name: str, status: Status = Status.PASS, ms: int = 10) -> Result:
    return Result(name, "services", "http", status, 200, "", ms, f"{status.value} ({ms}ms)")


def test_a_check_failing_in_round_2_of_4_fails_the_watch_naming_round_2s_time() -> None:
    plan = parse_plan(START, "90s", "30s")
    watch = Watch(plan)
    for i in range(4):
        at = START + i * plan.every
        bad = Status.FAIL if i == 1 else Status.PASS
        watch.record(at, at + timedelta(seconds=1), (result("api", bad), result("db")))
    verdict = watch.verdict()
    assert not verdict.passed and not verdict.ok
    assert [r.number for r in verdict.failed_rounds] == [2]
    assert verdict.line() == (
        "Recovery failed: 1 of 4 rounds failed; first in round 2 at 2026-11-28T06:00:30Z: "
        "api (fail)"
    )
    assert verdict.as_dict()["first_failure"] == {
        "round": 2,
        "at": "2026-11-28T06:00:30Z",
        "checks": ["api"],
    }
    states = watch.checks()
    assert states["api"].last.passed and states["api"].failures == 1


def test_a_watch_stopped_early_is_not_confirmed_but_keeps_its_verdict_so_far() -> None:
    watch = Watch(parse_plan(START, "5m", "30s"))
    watch.record(START, START, (result("api"),))
    verdict = watch.verdict(stopped=True)
    assert verdict.passed and verdict.stopped and not verdict.ok
    assert (
        verdict.line()
        == "Recovery not confirmed (stopped after 1 of 11): every check passed so far"
    )


def test_a_watch_keeps_its_first_failures_and_counts_the_rest() -> None:
    plan = parse_plan(START, "1h", "2s")  # 1801 rounds
    watch = Watch(plan)
    many = tuple(result(f"c{i}", Status.TIMEOUT) for i in range(700))
    for i in range(3):
        watch.record(START + i * plan.every, START + i * plan.every, many)
    kept = [len(r.failures) for r in watch.rounds]
    assert kept == [700, bounds.WATCH_FAILURES_KEPT - 700, 0]
    assert [r.failed for r in watch.rounds] == [700, 700, 700]
    assert watch.verdict().line() == (
        "Recovery failed: 3 of 3 rounds failed; first in round 1 at 2026-11-28T06:00:00Z: "
        "c0 (timeout), c1 (timeout), c2 (timeout), c3 (timeout), c4 (timeout) and 695 more; "
        "last in round 3 at 2026-11-28T06:00:04Z"
    )


def test_a_watch_refuses_a_round_past_its_plan() -> None:
    watch = Watch(parse_plan(START, "1s", "1s"))
    watch.record(START, START, ())
    watch.record(START, START, ())
    with pytest.raises(ValueError, match="cannot record another"):
        watch.record(START, START, ())
