"""Claiming in batches, by lane, and keeping a long job's claim: the clock moves by hand, both
databases. The test kind `test.lane` runs in lanes named by payload["channel"]: "slow" holds at
most 2 at once, any other 4."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as store
from tests.conftest import NOW, Clock

LEASE = timedelta(seconds=60)
TUNING = jobs.Tuning(lease=LEASE, max_attempts=3)
KIND = "test.lane"


def limit(_deps: Deps, value: str) -> int:
    return 2 if value == "slow" else 4


def noop(_deps: Deps, _payload: dict[str, Any]) -> str:
    return "ok"


@pytest.fixture(autouse=True)
def _kind() -> None:
    jobs.register(KIND, noop, jobs.Lane("channel", limit))


def plan(deps: Deps, channel: str, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        due = NOW + timedelta(milliseconds=n)  # in this order
        assert jobs.enqueue(deps, KIND, {"channel": channel}, due, f"{channel}-{n:03d}")


def keys(claimed: list[store.Job]) -> list[str]:
    return [j.key for j in claimed]


def test_a_batch_claims_up_to_its_limit_in_due_order(deps: Deps, clock: Clock) -> None:
    plan(deps, "fast", 6)
    clock.now = NOW + timedelta(seconds=1)
    first = jobs.claim_batch(deps, "w", TUNING, limit=3)
    second = jobs.claim_batch(deps, "w", TUNING, limit=10, running={(KIND, "fast"): 3})
    assert keys(first) == ["fast-000", "fast-001", "fast-002"]
    assert keys(second) == ["fast-003"]  # the lane holds 4: one more
    assert all(j.status == "running" and j.claimed_by == "w" for j in first + second)


def test_a_lane_filling_within_a_claim_leaves_its_slots_to_other_lanes(
    deps: Deps, clock: Clock
) -> None:
    plan(deps, "slow", 5)
    plan(deps, "fast", 3, start=5)  # due after every slow job
    clock.now = NOW + timedelta(seconds=1)
    claimed = jobs.claim_batch(deps, "w", TUNING, limit=5)
    assert keys(claimed) == ["slow-000", "slow-001", "fast-005", "fast-006", "fast-007"]


def test_a_full_lane_with_a_long_backlog_never_hides_another_lanes_jobs(
    deps: Deps, clock: Clock
) -> None:
    plan(deps, "slow", 100)  # 100 due first: more than a claim looks ahead
    plan(deps, "fast", 2, start=100)
    clock.now = NOW + timedelta(seconds=1)
    claimed = jobs.claim_batch(deps, "w", TUNING, limit=8, running={(KIND, "slow"): 2})
    assert keys(claimed) == ["fast-100", "fast-101"]


def test_a_kind_without_a_lane_is_bounded_only_by_the_batch(deps: Deps, clock: Clock) -> None:
    jobs.register(KIND, noop)  # no lane now
    plan(deps, "slow", 5)
    clock.now = NOW + timedelta(seconds=1)
    assert len(jobs.claim_batch(deps, "w", TUNING, limit=5)) == 5
    assert jobs.lane_of(KIND, {"channel": "slow"}) is None


def test_keeping_a_claim_stops_another_worker_taking_a_long_job(deps: Deps, clock: Clock) -> None:
    plan(deps, "fast", 1)
    clock.now = NOW + timedelta(seconds=1)
    (job,) = jobs.claim_batch(deps, "w1", TUNING)
    for _ in range(5):  # five renewals: the job runs for 4.5 leases
        clock.now += LEASE * 0.9
        assert jobs.keep(deps, "w1", TUNING, [job.id])
        assert jobs.claim_batch(deps, "w2", TUNING) == []
    assert jobs.run(deps, job, "w1", TUNING) == "done"


def test_a_claim_not_kept_runs_out_and_the_job_runs_again(deps: Deps, clock: Clock) -> None:
    plan(deps, "fast", 1)
    clock.now = NOW + timedelta(seconds=1)
    (job,) = jobs.claim_batch(deps, "w1", TUNING)
    clock.now += LEASE + timedelta(seconds=1)  # w1 was killed
    (again,) = jobs.claim_batch(deps, "w2", TUNING)
    assert again.key == job.key and again.attempts == 2
    jobs.keep(deps, "w1", TUNING, [job.id])  # w1's renewal does not take it back
    with deps.db.read() as session:
        held = store.get(session, job.key)
    assert held is not None and held.claimed_by == "w2"
    assert jobs.run(deps, job, "w1", TUNING) == "lost"  # w1's late outcome does not count
