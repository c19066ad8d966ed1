"""The job table on both databases: idempotent enqueue, claims and leases, backoff, dead jobs,
pruning, the SQLite lease and the claimed-job wrapper. The clock moves by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as store
from maintctl.store.tables import JobRow
from maintctl.worker import Worker
from tests.conftest import NOW, Clock

LEASE = timedelta(seconds=60)
TUNING = jobs.Tuning(lease=LEASE, max_attempts=3)
KIND = "test.echo"
calls: list[dict[str, Any]] = []


def echo(deps: Deps, payload: dict[str, Any]) -> str:
    calls.append(payload)
    if payload.get("fail") == "transient":
        raise jobs.JobError("the far end answered 503")
    if payload.get("fail") == "permanent":
        raise jobs.JobError("the far end refused the address for good", permanent=True)
    if payload.get("fail") == "bug":
        raise KeyError("oops")
    return f"echoed {jobs.current_key()}"


@pytest.fixture(autouse=True)
def _kind() -> None:
    jobs.register(KIND, echo)
    calls.clear()


def plan(deps: Deps, key: str, due: timedelta = timedelta(0), **payload: Any) -> None:
    assert jobs.enqueue(deps, KIND, payload, NOW + due, key)


def job(deps: Deps, key: str) -> store.Job:
    with deps.db.read() as session:
        found = store.get(session, key)
    assert found is not None
    return found


def test_enqueue_is_idempotent_on_its_key(deps: Deps) -> None:
    plan(deps, "k1")
    assert not jobs.enqueue(deps, KIND, {"other": 1}, NOW, "k1")
    with deps.db.read() as session:
        assert session.scalar(select(func.count()).select_from(JobRow)) == 1
    assert job(deps, "k1").payload == {}


def test_it_refuses_a_payload_past_its_bound(deps: Deps) -> None:
    with pytest.raises(ValueError, match="payload"):
        jobs.enqueue(deps, KIND, {"x": "y" * 20_000}, NOW, "big")


def test_a_job_is_claimed_once_when_due_and_again_only_after_its_lease(
    deps: Deps, clock: Clock
) -> None:
    plan(deps, "later", timedelta(minutes=5))
    assert jobs.claim(deps, "w1", TUNING) is None  # not due yet
    clock.now = NOW + timedelta(minutes=5)
    first = jobs.claim(deps, "w1", TUNING)
    assert first is not None and first.key == "later" and first.attempts == 1
    assert job(deps, "later").status == "running"
    assert jobs.claim(deps, "w2", TUNING) is None  # held
    clock.now += LEASE + timedelta(seconds=1)  # w1 was killed: its claim runs out
    second = jobs.claim(deps, "w2", TUNING)
    assert second is not None and second.key == "later" and second.attempts == 2
    with deps.db.write() as session:  # w1 wakes up late: its outcome no longer counts
        assert not store.finish(session, first.id, "w1", "late", clock.now)
    assert jobs.run(deps, second, "w2", TUNING) == "done"
    assert job(deps, "later").result == "echoed later"


def test_jobs_are_claimed_in_the_order_they_fall_due(deps: Deps, clock: Clock) -> None:
    for minute in (3, 1, 2):
        plan(deps, f"m{minute}", timedelta(minutes=minute))
    clock.now = NOW + timedelta(minutes=10)
    keys = [jobs.claim(deps, "w", TUNING) for _ in range(4)]
    assert [k.key if k else None for k in keys] == ["m1", "m2", "m3", None]


def test_a_failed_job_backs_off_exponentially_then_dies(deps: Deps, clock: Clock) -> None:
    plan(deps, "flaky", fail="transient")
    waits = []
    for _ in range(TUNING.max_attempts):  # 3 tries
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        status = jobs.run(deps, claimed, "w", TUNING)
        after = job(deps, "flaky")
        if status == "dead":
            break
        assert after.status == "pending" and after.result == "the far end answered 503"
        waits.append(after.next_try_at - clock.now)
        clock.now = after.next_try_at
    assert status == "dead" and job(deps, "flaky").finished_at == clock.now
    base = jobs.RETRY_BASE
    assert base <= waits[0] <= base * 1.25
    assert base * 2 <= waits[1] <= base * 2.5
    assert len(calls) == 3


def test_backoff_doubles_and_stays_under_its_cap_with_jitter() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    for attempts in range(1, 101):  # 100 tries, past any real max_attempts
        wait = store.backoff(attempts, base, cap)
        expected = min(base * 2 ** min(attempts - 1, 30), cap)
        assert expected <= wait <= expected * 1.25


def test_a_permanent_error_or_an_unknown_kind_is_dead_at_once(deps: Deps) -> None:
    plan(deps, "refused", fail="permanent")
    jobs.enqueue(deps, "no.such.kind", {}, NOW, "orphan")
    for _ in range(2):
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        assert jobs.run(deps, claimed, "w", TUNING) == "dead"
    assert "for good" in (job(deps, "refused").result or "")
    assert "no handler" in (job(deps, "orphan").result or "")


def test_a_handler_bug_is_retried_not_fatal(deps: Deps) -> None:
    plan(deps, "buggy", fail="bug")
    claimed = jobs.claim(deps, "w", TUNING)
    assert claimed is not None
    assert jobs.run(deps, claimed, "w", TUNING) == "pending"
    assert job(deps, "buggy").result == "KeyError: 'oops'"


def test_a_job_that_keeps_killing_its_worker_is_marked_dead(deps: Deps, clock: Clock) -> None:
    plan(deps, "poison")
    for _ in range(TUNING.max_attempts):  # each claim's worker "dies": the lease runs out
        assert jobs.claim(deps, "w", TUNING) is not None
        clock.now += LEASE + timedelta(seconds=1)
    assert jobs.claim(deps, "w", TUNING) is None
    assert job(deps, "poison").status == "dead"


def test_prune_removes_only_finished_jobs_past_the_retention(deps: Deps, clock: Clock) -> None:
    for key in ("old", "recent", "waiting"):
        plan(deps, key, timedelta(days=400) if key == "waiting" else timedelta(0))
    for _ in ("old", "recent"):  # finished 2 days apart
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        jobs.run(deps, claimed, "w", TUNING)
        clock.now += timedelta(days=2)
    clock.now = NOW + timedelta(days=31, hours=1)
    assert jobs.prune(deps, timedelta(days=30)) == 1
    with deps.db.read() as session:
        assert sorted(session.scalars(select(JobRow.idempotency_key))) == ["recent", "waiting"]


def test_a_page_of_jobs_is_newest_first_and_keyset_paged(deps: Deps) -> None:
    for number in range(5):
        plan(deps, f"p{number}")
    with deps.db.read() as session:
        first = store.page(session, 2, None, None)
        second = store.page(session, 2, first[-1].id, None)
        pending = store.page(session, 10, None, "pending")
    assert [j.key for j in first + second] == ["p4", "p3", "p2", "p1"]
    assert len(pending) == 5


def test_on_sqlite_one_worker_at_a_time_holds_the_lease(deps: Deps, clock: Clock) -> None:
    if deps.db.dialect != "sqlite":
        pytest.skip("PostgreSQL workers share the work without a lease")
    plan(deps, "a")
    plan(deps, "b")
    one = Worker(deps, TUNING, name="one", concurrency=1)  # one job a step
    two = Worker(deps, TUNING, name="two", concurrency=1)
    assert one.step() and not two.step()
    clock.now += LEASE + timedelta(seconds=1)  # "one" was killed: its lease runs out
    assert two.step() and not one.step()
    two.close()  # a clean stop hands the lease over at once
    assert not one.step()  # nothing left, but it may look
    assert [job(deps, k).status for k in ("a", "b")] == ["done", "done"]


def test_a_worker_step_records_its_heartbeat_with_the_config_hash(deps: Deps) -> None:
    worker = Worker(deps, TUNING, name="beater")
    assert not worker.step()
    with deps.db.read() as session:
        beat = store.last_beat(session)
    assert beat is not None and beat.worker == "beater"
    assert beat.config_hash == deps.config.hash and len(beat.config_hash) == 64
