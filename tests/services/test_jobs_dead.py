"""A dead job alerts internal-engineering once: a notify.send to each automated channel of that
audience, naming the job's kind, id and last error; never for a dead alert. Both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from maintctl.config import parse_config
from maintctl.services import jobs
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.services.notify import SEND_KIND
from maintctl.store import jobs as store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow
from tests.conftest import NOW, Clock

TUNING = jobs.Tuning(lease=timedelta(seconds=60), max_attempts=2)
KIND = "test.doomed"


def doomed(_deps: Deps, payload: dict[str, Any]) -> str:
    raise jobs.JobError(str(payload.get("error", "the far end answered 503")), payload["permanent"])


@pytest.fixture(autouse=True)
def _kind() -> None:
    jobs.register(KIND, doomed)


@pytest.fixture
def team(db: Database, clock: Clock, tmp_path: Path) -> Deps:
    """Two automated engineering channels, a manual one, and one for customers."""
    (tmp_path / "k").write_text("key", "utf-8")
    hook = "webhook: {url: 'http://127.0.0.1:9/h', secret_file: k}"
    config = parse_config(
        "channels:\n"
        f"  - {{name: eng-a, audience: internal-engineering, {hook}}}\n"
        f"  - {{name: eng-b, audience: internal-engineering, {hook}}}\n"
        f"  - {{name: eng-manual, audience: internal-engineering, manual: true, {hook}}}\n"
        f"  - {{name: customers, audience: customers-all, {hook}}}\n",
        "team.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def sends(deps: Deps) -> list[store.Job]:
    with deps.db.read() as session:
        keys = session.scalars(
            select(JobRow.idempotency_key).where(JobRow.kind == SEND_KIND).order_by(JobRow.id)
        )
        found = [store.get(session, key) for key in keys]
    return [j for j in found if j is not None]


def run_due(deps: Deps) -> list[str]:
    statuses = []
    while (job := jobs.claim(deps, "w", TUNING)) is not None:
        statuses.append(jobs.run(deps, job, "w", TUNING))
    return statuses


def test_a_permanent_failure_alerts_each_automated_engineering_channel_once(team: Deps) -> None:
    jobs.enqueue(team, KIND, {"permanent": True, "error": "refused for good"}, NOW, "k1")
    (job,) = [j for j in [jobs.claim(team, "w", TUNING)] if j is not None]

    assert jobs.run(team, job, "w", TUNING) == "dead"

    alerts = sends(team)
    assert [a.payload["channel"] for a in alerts] == ["eng-a", "eng-b"]
    message = alerts[0].payload["message"]
    assert message["event"] == "job.dead"
    assert f"job {job.id} ({KIND})" in message["subject"]
    assert "refused for good" in message["text"] and KIND in message["text"]
    assert all(a.due_at == NOW and a.key.startswith(jobs.DEAD_ALERT_PREFIX) for a in alerts)


def test_a_job_out_of_tries_alerts_and_a_repeat_of_its_death_alerts_no_more(
    team: Deps, clock: Clock
) -> None:
    jobs.enqueue(team, KIND, {"permanent": False}, NOW, "k2")
    for _ in range(TUNING.max_attempts):  # 2 tries, then dead
        job = jobs.claim(team, "w", TUNING)
        assert job is not None
        status = jobs.run(team, job, "w", TUNING)
        clock.now += timedelta(hours=2)
    assert status == "dead" and len(sends(team)) == 2
    with team.db.write() as session:
        dead = store.get(session, "k2")
        assert dead is not None
        assert jobs.alert_dead(team, session, dead) == 0  # keyed by the job: told once
    assert len(sends(team)) == 2


def test_a_job_that_kept_killing_its_worker_alerts_when_marked_dead(
    team: Deps, clock: Clock
) -> None:
    jobs.enqueue(team, KIND, {"permanent": False}, NOW, "poison")
    for _ in range(TUNING.max_attempts):  # each worker "dies" holding it
        assert jobs.claim(team, "w", TUNING) is not None
        clock.now += TUNING.lease + timedelta(seconds=1)
    assert jobs.claim(team, "w", TUNING) is None  # marked dead instead of run a third time
    alerts = sends(team)
    assert len(alerts) == 2 and "worker stopped 2 times" in alerts[0].payload["message"]["text"]


def test_a_dead_alert_is_never_alerted(team: Deps, clock: Clock) -> None:
    jobs.enqueue(team, KIND, {"permanent": True}, NOW, "k3")
    # the alerts go to a closed port: each fails, is retried, and dies
    for _ in range(10):  # bounded: 1 job, 2 alerts x 2 tries
        run_due(team)
        clock.now += timedelta(hours=2)
    with team.db.read() as session:
        statuses = {j.key: j.status for j in store.page(session, 100, None, None)}
    assert len(statuses) == 3 and set(statuses.values()) == {"dead"}
    assert len(sends(team)) == 2  # no alert about a dead alert


def test_with_no_automated_engineering_channel_a_death_plans_nothing(deps: Deps) -> None:
    jobs.enqueue(deps, KIND, {"permanent": True}, NOW, "k4")
    assert run_due(deps) == ["dead"]
    assert sends(deps) == []
