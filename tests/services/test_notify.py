"""The `notify.send` job through jobs.run: one delivery when the channel answers, retries with
backoff when it fails, and no secret in the job row, its result, the logs or any error."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from maintctl.config import parse_config
from maintctl.services import jobs, notify
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import jobs as store
from maintctl.store.db import Database
from tests.channels.sinks import http_sink
from tests.conftest import Clock

SECRET = "hook-secret-9c1e55"
TUNING = jobs.Tuning(max_attempts=3)
MESSAGE = {
    "subject": "[Scheduled Maintenance] DB",
    "text": "DB upgrade at 02:00 UTC",
    "html": "<p>DB upgrade</p>",
    "event": "initial",
    "window": {"id": "MW-1"},
}


def deps_for(db: Database, clock: Clock, tmp_path: Path, url: str) -> Deps:
    (tmp_path / "hook.key").write_text(SECRET, "utf-8")
    config = parse_config(
        "channels:\n"
        "  - {name: hook, audience: internal-engineering,\n"
        f"     webhook: {{url: '{url}/m', secret_file: hook.key}}}}\n",
        "m.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def job(deps: Deps, key: str) -> store.Job:
    with deps.db.read() as session:
        found = store.get(session, key)
    assert found is not None
    return found


def test_a_queued_message_is_delivered_once_with_the_jobs_key(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with http_sink() as sink:
        deps = deps_for(db, clock, tmp_path, sink.url)
        assert notify.plan_send(deps, "hook", MESSAGE, "n:MW-1:initial:hook")
        assert not notify.plan_send(deps, "hook", MESSAGE, "n:MW-1:initial:hook")
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        assert jobs.run(deps, claimed, "w", TUNING) == "done"
        assert jobs.claim(deps, "w", TUNING) is None
    [hit] = sink.hits
    assert hit.headers["idempotency-key"] == "n:MW-1:initial:hook"
    assert job(deps, "n:MW-1:initial:hook").result == "sent to hook"


def test_a_failing_channel_leaves_the_job_retrying_with_backoff_and_no_secret_anywhere(
    db: Database, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with http_sink() as sink:
        sink.status = 500
        deps = deps_for(db, clock, tmp_path, sink.url)
        notify.plan_send(deps, "hook", MESSAGE, "k")
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        assert jobs.run(deps, claimed, "w", TUNING) == "pending"
        after = job(deps, "k")
        assert after.next_try_at - clock.now >= jobs.RETRY_BASE
        assert "answered 500" in after.result
        sink.status = 400  # refused for good: no retry helps
        clock.now = after.next_try_at
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        assert jobs.run(deps, claimed, "w", TUNING) == "dead"
    row = job(deps, "k")
    seen = json.dumps(row.payload) + row.result + caplog.text
    assert SECRET not in seen and len(sink.hits) == 2


def test_an_unknown_channel_or_a_malformed_message_fails_for_good(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = deps_for(db, clock, tmp_path, "http://127.0.0.1:9")
    jobs.enqueue(deps, notify.SEND_KIND, {"channel": "gone", "message": MESSAGE}, clock.now, "a")
    jobs.enqueue(deps, notify.SEND_KIND, {"channel": "hook", "message": {"x": 1}}, clock.now, "b")
    for _ in range(2):  # two jobs
        claimed = jobs.claim(deps, "w", TUNING)
        assert claimed is not None
        assert jobs.run(deps, claimed, "w", TUNING) == "dead"
    assert "no channel named 'gone'" in job(deps, "a").result
    assert "malformed" in job(deps, "b").result
