"""The worker records the outcomes of jobs ending together in one transaction: each thread gets
its own job's status, or the error of the write that held it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from maintctl.services import jobs
from maintctl.store import jobs as store
from maintctl.worker import Ended, _GroupCommit

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def job(number: int) -> store.Job:
    return store.Job(
        number, "k", {}, NOW, f"key-{number}", 1, NOW, "running", None, "w", NOW, None, NOW, None
    )


class Writes:
    """A write that holds its first batch until `release`, so the others pile up behind it."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.first = threading.Event()
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, ended: list[Ended]) -> list[str]:
        self.batches.append([j.id for j, _ in ended])
        if len(self.batches) == 1:
            self.first.set()
            self.release.wait(30)
        if self.fail:
            raise OSError("the database went away")
        return [f"done {j.id}" for j, _ in ended]


def record_all(writes: Writes, count: int) -> list[Any]:
    group = _GroupCommit(writes)
    with ThreadPoolExecutor(count) as pool:
        first = pool.submit(group.record, (job(0), jobs.Outcome("ok")))
        assert writes.first.wait(30)  # job 0's write is under way
        rest = [pool.submit(group.record, (job(n), jobs.Outcome("ok"))) for n in range(1, count)]
        deadline = time.monotonic() + 30
        while len(group._waiting) < count - 1:  # the others queue behind the write
            assert time.monotonic() < deadline
            time.sleep(0.01)
        writes.release.set()
        return [first, *rest]


def test_outcomes_ending_during_a_write_are_written_together_after_it() -> None:
    writes = Writes()
    futures = record_all(writes, 6)  # 6 jobs: one written alone, then the 5 that waited

    assert [f.result(30) for f in futures] == [f"done {n}" for n in range(6)]
    assert writes.batches[0] == [0]
    assert sorted(writes.batches[1]) == [1, 2, 3, 4, 5]  # one transaction for the five
    assert len(writes.batches) == 2


def test_a_failed_write_fails_every_outcome_it_held() -> None:
    writes = Writes(fail=True)
    futures = record_all(writes, 3)

    for future in futures:
        with pytest.raises(OSError, match="went away"):
            future.result(30)
