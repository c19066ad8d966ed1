"""PagerDuty maintenance windows against a loopback fake of its documented API: made at the
start, extended a step at a time while the window overruns, ended early when it ends; the
token never in a job, a row or a log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from maintctl.services import suppression
from maintctl.services.deps import Deps
from maintctl.store import silences
from maintctl.store.db import Database
from maintctl.store.tables import JobRow, SilenceRow
from tests.conftest import Clock
from tests.fakes.pagerduty import ACCEPT, FakePagerDuty, fake_pagerduty
from tests.services.test_lifecycle import RITA, START, move, started
from tests.suppression.conftest import SENDER, config_for, deps_for, work

END = START + timedelta(hours=2)
GRACE = timedelta(minutes=30)


@pytest.fixture
def fake() -> Iterator[FakePagerDuty]:
    with fake_pagerduty() as found:
        yield found


@pytest.fixture
def deps(db: Database, clock: Clock, tmp_path: Path, fake: FakePagerDuty) -> Deps:
    return deps_for(db, clock, config_for(tmp_path, pagerduty=fake.url, token=fake.token))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _row(deps: Deps, wid: str) -> silences.Silence:
    with deps.db.read() as session:
        [row] = silences.of_window(session, wid)
    return row


def test_start_opens_a_maintenance_window_on_the_mapped_services_and_complete_ends_it(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    [create] = fake.writes()
    assert (create.method, create.path) == ("POST", "/maintenance_windows")
    assert create.headers["authorization"] == f"Token token={fake.token}"
    assert (create.headers["accept"], create.headers["from"]) == (ACCEPT, SENDER)
    assert create.body is not None
    sent = create.body["maintenance_window"]
    assert sent["type"] == "maintenance_window"
    assert sent["services"] == [{"id": "PIJ90N7", "type": "service_reference"}]
    assert _instant(sent["start_time"]) == clock.now
    assert _instant(sent["end_time"]) == END + GRACE
    assert wid in sent["description"]
    [made] = fake.windows.values()
    assert _row(deps, wid).external_id == made["id"]
    move(deps, "complete", wid, RITA)
    work(deps)
    ended = fake.writes()[-1]
    assert (ended.method, ended.path) == ("DELETE", f"/maintenance_windows/{made['id']}")
    assert made["deleted"] and _row(deps, wid).state == silences.ENDED


def test_an_overrun_is_extended_a_step_at_a_time_never_more_than_a_grace_ahead(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    [made] = fake.windows.values()
    clock.now = END + timedelta(minutes=10)  # past the end, before the first step (15m)
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST"]
    for minutes in (15, 30, 45):  # three steps of 15 minutes: three extensions
        clock.now = END + timedelta(minutes=minutes)
        work(deps)
        put = fake.writes()[-1]
        assert (put.method, put.path) == ("PUT", f"/maintenance_windows/{made['id']}")
        assert put.body is not None
        assert _instant(put.body["maintenance_window"]["end_time"]) == clock.now + GRACE
        assert _row(deps, wid).ends_at == clock.now + GRACE
    assert len(fake.writes()) == 4
    move(deps, "complete", wid, RITA)
    clock.now = END + timedelta(hours=1)  # the next extend is due: it finds the window ended
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST", "PUT", "PUT", "PUT", "DELETE"]


def test_an_abort_ends_the_maintenance_window_too(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    move(deps, "abort", wid, RITA, "called off")
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST", "DELETE"]


def test_a_lost_end_job_is_planned_again_by_the_sweep(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    move(deps, "complete", wid, RITA)
    with deps.db.write() as session:
        session.execute(delete(JobRow).where(JobRow.kind == suppression.END_KIND))
    assert suppression.sweep(deps) == 1
    assert suppression.sweep(deps) == 0  # planned once an hour, not once a sweep
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST", "DELETE"]
    assert _row(deps, wid).state == silences.ENDED


def test_a_silence_past_its_own_end_is_marked_ended_without_a_call(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    move(deps, "complete", wid, RITA)
    with deps.db.write() as session:
        session.execute(delete(JobRow).where(JobRow.kind == suppression.END_KIND))
    clock.now = END + GRACE + timedelta(seconds=1)
    assert suppression.sweep(deps) == 0
    assert _row(deps, wid).state == silences.ENDED
    assert [r.method for r in fake.writes()] == ["POST"]


def test_a_lost_extend_job_is_planned_again_by_the_sweep(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    with deps.db.write() as session:
        session.execute(delete(JobRow).where(JobRow.kind == suppression.EXTEND_KIND))
    assert suppression.sweep(deps) == 1
    assert suppression.sweep(deps) == 0
    clock.now = END + timedelta(minutes=15)
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST", "PUT"]
    assert _row(deps, wid).ends_at == clock.now + GRACE


def test_a_create_whose_answer_was_lost_is_found_again_not_made_twice(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    with deps.db.write() as session:  # a create went out, its answer never recorded
        session.execute(
            SilenceRow.__table__.update().where(SilenceRow.window_id == wid).values(sent=True)
        )
    work(deps)  # nothing found: made once
    with deps.db.write() as session:
        session.execute(
            SilenceRow.__table__.update()
            .where(SilenceRow.window_id == wid)
            .values(state=silences.PENDING, external_id=None)
        )
        session.execute(
            JobRow.__table__.update()
            .where(JobRow.kind == suppression.BEGIN_KIND)
            .values(status="pending", attempts=0, next_try_at=clock.now)
        )
    work(deps)  # found by its description: not made again
    assert [r.method for r in fake.writes()] == ["POST"]
    [made] = fake.windows.values()
    assert _row(deps, wid).external_id == made["id"]


def test_a_refused_token_is_shown_and_never_written_anywhere(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    fake: FakePagerDuty,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "pd-wrong-token-31c"
    deps = deps_for(db, clock, config_for(tmp_path, pagerduty=fake.url, token=wrong))
    wid = started(deps, clock)
    work(deps)
    row = _row(deps, wid)
    assert row.state == silences.FAILED  # a 401 is for good: dead at once, the failure shown
    with deps.db.read() as session:
        [line] = suppression.summary(session, deps.config, wid, clock.now)
        stored = json.dumps(
            [list(r) for r in session.execute(select(JobRow.payload, JobRow.result))], default=str
        ) + json.dumps(
            [list(r) for r in session.execute(select(SilenceRow.__table__))], default=str
        )
    assert line.startswith("alerts for db are NOT silenced in PagerDuty (services PIJ90N7):")
    assert "401" in line
    assert wrong not in stored and wrong not in caplog.text and wrong not in line
    assert fake.token not in stored


def test_an_extend_run_before_it_is_needed_looks_again_a_step_later(
    deps: Deps, clock: Clock, fake: FakePagerDuty
) -> None:
    wid = started(deps, clock)
    work(deps)
    with deps.db.write() as session:  # the chain's first extend, run 15 minutes early
        session.execute(
            JobRow.__table__.update()
            .where(JobRow.kind == suppression.EXTEND_KIND)
            .values(next_try_at=END)
        )
    clock.now = END
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST"]  # nothing to extend yet
    clock.now = END + timedelta(minutes=15)
    work(deps)
    assert [r.method for r in fake.writes()] == ["POST", "PUT"]
    assert _row(deps, wid).ends_at == clock.now + GRACE
