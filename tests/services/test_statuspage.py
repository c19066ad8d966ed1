"""Hosted Statuspage sync against a loopback fake of its management API, through the job table
and jobs.run: the window's public state goes out, once, in order, with retries, and no secret
in any job row, result or log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from maintctl.channels import statuspage as client
from maintctl.config import parse_config
from maintctl.services import jobs, statuspage, windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import jobs as job_store
from maintctl.store import statuspage as store
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.fakes.statuspage import FakeStatuspage, fake_statuspage
from tests.services.test_lifecycle import EMMA, RITA, START, TOM, VICTOR, move, scheduled

TUNING = jobs.Tuning(max_attempts=3)
DESCRIPTION = "Database upgrade"  # internal: never sent


@pytest.fixture(autouse=True)
def fast_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh limiter per test, fast enough that the tests do not wait on it."""
    monkeypatch.setattr(client, "_limiters", {})
    monkeypatch.setattr(client, "RATE_PER_S", 1000.0)


@pytest.fixture
def fake() -> Iterator[FakeStatuspage]:
    with fake_statuspage() as found:
        yield found


def deps_for(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    fake: FakeStatuspage,
    key: str | None = None,
    extra: str = "",
) -> Deps:
    (tmp_path / "sp.key").write_text(key or fake.api_key, "utf-8")
    config = parse_config(
        "components:\n"
        "  - {id: database, name: Database, systems: [db]}\n"
        "  - {id: web, name: Website, systems: [web]}\n"
        "channels:\n"
        "  - name: hosted\n"
        "    audience: customers-all\n"
        "    statuspage:\n"
        f"      page_id: {fake.page_id}\n"
        "      api_key_file: sp.key\n"
        f"      api_url: {fake.url}\n"
        "      components: {database: dbcmp1}\n" + extra,
        "m.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


@pytest.fixture
def deps(db: Database, clock: Clock, tmp_path: Path, fake: FakeStatuspage) -> Deps:
    return deps_for(db, clock, tmp_path, fake)


def drain(deps: Deps) -> list[str]:
    """Run every due job (at most 20 rounds); their outcomes."""
    found = []
    for _ in range(20):
        job = jobs.claim(deps, "w", TUNING)
        if job is None:
            break
        found.append(jobs.run(deps, job, "w", TUNING))
    return found


def sync_jobs(deps: Deps) -> list[job_store.Job]:
    with deps.db.read() as session:
        return [j for j in job_store.page(session, 100, None, None) if j.kind == statuspage.KIND]


def test_scheduling_creates_the_maintenance_with_its_public_fields_and_the_oauth_key(
    deps: Deps, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    assert drain(deps) == ["done"]
    [create] = fake.writes()
    assert (create.method, create.path) == ("POST", f"/v1/pages/{fake.page_id}/incidents")
    assert create.headers["authorization"] == f"OAuth {fake.api_key}"
    assert create.headers["content-type"] == "application/json"
    assert create.body is not None
    sent = create.body["incident"]
    assert sent["name"] == "Scheduled maintenance"
    assert sent["status"] == "scheduled"
    assert (sent["scheduled_for"], sent["scheduled_until"]) == (
        "2026-12-06T02:00:00Z",
        "2026-12-06T04:00:00Z",
    )
    assert sent["component_ids"] == ["dbcmp1"]
    assert sent["metadata"] == {"maintctl": {"window": wid}}
    assert sent["scheduled_auto_completed"] is False
    assert "5 minutes to 2 hours" in sent["body"]
    assert DESCRIPTION not in json.dumps(create.body)
    [job] = sync_jobs(deps)
    assert job.payload == {"channel": "hosted", "window": wid, "action": "schedule"}
    [incident] = fake.incidents.values()
    assert job.result == f"created {incident['id']}"


def test_a_reapproved_move_moves_the_maintenance_with_an_update(
    deps: Deps, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    drain(deps)
    new = {"start": "2026-12-13T02:00:00Z", "end": "2026-12-13T04:00:00Z"}
    with deps.db.write() as session:
        windows.modify(deps, session, wid, new, RITA)
    assert drain(deps) == []  # awaiting approval: the page keeps the times last approved
    with deps.db.write() as session:
        for signer in (TOM, EMMA, VICTOR):
            workflow.approve(deps, session, wid, signer)
    assert drain(deps) == ["done"]
    patch = fake.writes()[-1]
    assert patch.method == "PATCH" and patch.body is not None
    sent = patch.body["incident"]
    assert (sent["scheduled_for"], sent["scheduled_until"]) == (
        "2026-12-13T02:00:00Z",
        "2026-12-13T04:00:00Z",
    )
    assert "Rescheduled: now 2026-12-13 02:00:00 - 2026-12-13 04:00:00 UTC." in sent["body"]
    assert "status" not in sent and len(fake.incidents) == 1


def test_a_public_rewording_updates_the_name_and_posts_the_new_message(
    deps: Deps, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    drain(deps)
    change = {"public_title": "Database upgrade", "public_message": "The API is read-only."}
    with deps.db.write() as session:
        windows.modify(deps, session, wid, change, RITA)
    assert drain(deps) == ["done"]
    sent = fake.writes()[-1].body
    assert sent == {"incident": {"name": "Database upgrade", "body": "The API is read-only."}}


def test_start_public_progress_and_completion_follow_the_window(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    drain(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    drain(deps)
    move(deps, "progress", wid, RITA, step=1, of=3, task="internal only")
    assert drain(deps) == []  # no public text: nothing for the page
    move(deps, "progress", wid, RITA, step=2, of=3, task="copy", public="Half way there.")
    drain(deps)
    move(deps, "complete", wid, RITA)
    drain(deps)
    sent = [r.body["incident"] for r in fake.writes()[1:] if r.body]
    assert sent == [
        {"status": "in_progress", "body": statuspage.SAYS["in_progress"]},
        {"body": "Half way there."},
        {"status": "completed", "body": statuspage.SAYS["completed"]},
    ]
    [incident] = fake.incidents.values()
    assert incident["status"] == "completed"
    assert [u["body"] for u in incident["incident_updates"]][:2] == [
        statuspage.SAYS["completed"],
        "Half way there.",
    ]


def test_a_cancelled_window_completes_the_maintenance_saying_it_was_cancelled(
    deps: Deps, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    drain(deps)
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "vendor slipped", RITA)
    drain(deps)
    sent = fake.writes()[-1].body
    assert sent == {"incident": {"status": "completed", "body": statuspage.CANCELLED}}
    assert "vendor slipped" not in json.dumps([r.body for r in fake.requests])


def test_an_aborted_window_completes_the_maintenance_saying_it_was_cancelled(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    clock.now = START
    move(deps, "start", wid, RITA)
    drain(deps)  # created already in progress: both jobs ran after the start
    move(deps, "abort", wid, RITA, "wrong window")
    drain(deps)
    assert [r.method for r in fake.writes()] == ["POST", "PATCH"]
    assert fake.writes()[0].body["incident"]["status"] == "in_progress"  # type: ignore[index]
    assert fake.writes()[-1].body == {
        "incident": {"status": "completed", "body": statuspage.CANCELLED}
    }


def test_a_window_cancelled_before_its_first_sync_never_reaches_the_page(
    deps: Deps, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "vendor slipped", RITA)
    assert drain(deps) == ["done", "done"]
    assert fake.requests == []


def test_a_5xx_is_retried_after_a_backoff_and_creates_one_maintenance(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    scheduled(deps)
    fake.fail = [(500, {})]
    assert drain(deps) == ["pending"]
    [job] = sync_jobs(deps)
    assert job.result is not None and "answered 500" in job.result
    clock.now = job.next_try_at
    assert drain(deps) == ["done"]
    assert len(fake.incidents) == 1


def test_a_429_closes_the_key_until_its_retry_after_and_is_retried(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    scheduled(deps)
    fake.fail = [(429, {"Retry-After": "30"})]
    assert drain(deps) == ["pending"]
    clock.now = sync_jobs(deps)[0].next_try_at
    seen = len(fake.requests)
    assert drain(deps) == ["pending"]  # within Retry-After: no request goes out
    assert len(fake.requests) == seen
    assert "rate limited" in (sync_jobs(deps)[0].result or "")
    client._limiters.clear()  # 30 s later
    clock.now = sync_jobs(deps)[0].next_try_at
    assert drain(deps) == ["done"]
    assert len(fake.incidents) == 1


def test_a_refused_key_is_dead_at_once_with_no_key_in_the_job_or_the_logs(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    fake: FakeStatuspage,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "sp-wrong-key-77aa01"
    deps = deps_for(db, clock, tmp_path, fake, key=wrong)
    scheduled(deps)
    assert drain(deps) == ["dead"]
    [job] = sync_jobs(deps)
    assert job.result == "channel hosted: Statuspage answered 401 to POST"
    assert wrong not in json.dumps(job.payload) and wrong not in caplog.text
    assert fake.requests[0].headers["authorization"] == f"OAuth {wrong}"


def test_a_create_whose_answer_was_lost_is_found_again_not_made_twice(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    fake.lose_next_create_answer = True  # as a worker killed between the POST and its record
    assert drain(deps) == ["pending"]
    with deps.db.read() as session:
        after_crash = store.get(session, "hosted", wid)
    assert after_crash is not None
    assert (after_crash.create_sent, after_crash.incident_id) == (True, None)
    clock.now = sync_jobs(deps)[0].next_try_at
    assert drain(deps) == ["done"]
    [incident] = fake.incidents.values()
    assert [r.method for r in fake.requests] == ["POST", "GET"]  # found in step: no PATCH
    with deps.db.read() as session:
        found = store.get(session, "hosted", wid)
    assert found is not None and found.incident_id == incident["id"]


def test_a_repeated_job_changes_nothing(deps: Deps, fake: FakeStatuspage) -> None:
    wid = scheduled(deps)
    drain(deps)
    payload = {"channel": "hosted", "window": wid, "action": "schedule"}
    assert statuspage.sync_job(deps, payload) == "up to date"
    assert len(fake.writes()) == 1


def test_a_sync_of_a_window_already_being_synced_waits_for_a_retry(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        store.hold(session, "hosted", wid, "other", clock.now, statuspage.LEASE)
    assert drain(deps) == ["pending"]
    assert fake.requests == []
    clock.now += statuspage.LEASE + timedelta(minutes=5)  # the other holder's lease ran out
    assert drain(deps) == ["done"]


def test_a_window_on_no_component_of_a_filtered_channel_plans_nothing(
    db: Database, clock: Clock, tmp_path: Path, fake: FakeStatuspage
) -> None:
    deps = deps_for(db, clock, tmp_path, fake)
    channel = deps.config.channels[0].model_copy(update={"components": ["web"]})
    deps.config = replace(deps.config, channels=[channel])
    scheduled(deps)
    assert sync_jobs(deps) == []


def test_a_window_that_is_not_customer_impacting_stays_off_the_page(
    deps: Deps, fake: FakeStatuspage
) -> None:
    quiet = {
        "type": "zero-downtime",
        "start": "2026-12-01T02:00:00Z",
        "end": "2026-12-01T03:00:00Z",
        "systems": ["db"],
        "description": DESCRIPTION,
    }
    with deps.db.write() as session:
        wid = windows.create(deps, session, quiet, RITA).id
        workflow.submit(deps, session, wid, RITA)
        assert workflow.approve(deps, session, wid, TOM).status.value == "scheduled"
    assert sync_jobs(deps) == [] and fake.requests == []


def test_the_page_may_show_it_in_progress_at_its_start_but_never_completes_it(
    db: Database, clock: Clock, tmp_path: Path, fake: FakeStatuspage
) -> None:
    deps = deps_for(db, clock, tmp_path, fake, extra="status_page: {auto_in_progress: true}\n")
    scheduled(deps)
    drain(deps)
    [incident] = fake.incidents.values()
    assert incident["scheduled_auto_in_progress"] is True
    assert incident["scheduled_auto_completed"] is False


def test_a_worker_dying_after_the_create_but_before_its_record_creates_once(
    deps: Deps, clock: Clock, fake: FakeStatuspage, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = scheduled(deps)
    real = statuspage._record

    def die_on_the_id(*args: object, **values: object) -> None:
        if "incident_id" in values:
            raise RuntimeError("killed")  # the POST was answered; nothing recorded it
        real(*args, **values)  # type: ignore[arg-type]

    monkeypatch.setattr(statuspage, "_record", die_on_the_id)
    assert drain(deps) == ["pending"]
    monkeypatch.setattr(statuspage, "_record", real)
    clock.now = sync_jobs(deps)[0].next_try_at
    assert drain(deps) == ["done"]
    assert [r.method for r in fake.requests] == ["POST", "GET"]  # found in step: no PATCH
    assert len(fake.incidents) == 1
    with deps.db.read() as session:
        found = store.get(session, "hosted", wid)
    assert found is not None and found.incident_id in fake.incidents
    assert statuspage.sync_job(deps, sync_jobs(deps)[0].payload) == "up to date"


def test_a_window_moved_on_while_its_create_was_lost_is_brought_in_step_once_found(
    deps: Deps, clock: Clock, fake: FakeStatuspage
) -> None:
    wid = scheduled(deps)
    fake.lose_next_create_answer = True
    assert drain(deps) == ["pending"]
    clock.now = START
    move(deps, "start", wid, RITA)
    clock.now = max(clock.now, sync_jobs(deps)[-1].next_try_at)
    assert drain(deps) == ["done", "done"]
    assert [r.method for r in fake.requests] == ["POST", "GET", "PATCH"]
    assert fake.requests[-1].body == {
        "incident": {"status": "in_progress", "body": statuspage.SAYS["in_progress"]}
    }
    assert len(fake.incidents) == 1
