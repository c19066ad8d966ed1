"""A rolled-back window tells those who would hear its completion, with the actual duration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maintctl.domain.status import ROLLED_BACK_BODY
from maintctl.services import lifecycle, status
from maintctl.store.db import Database
from tests.channels.sinks import HttpSink, http_sink, smtp_sink
from tests.conftest import ALICE, Clock
from tests.services.notices_setup import (
    at,
    body,
    by_kind,
    drain,
    events_sent,
    file_window,
    notice_deps,
    sign,
)


@pytest.fixture
def sinks() -> Iterator[tuple[HttpSink, int, list[Any]]]:
    with http_sink() as sink, smtp_sink() as (port, envelopes):
        yield sink, port, envelopes


def test_a_rollback_sends_the_rolled_back_notice_and_the_status_page_says_so(
    db: Database, clock: Clock, tmp_path: Path, sinks: tuple[HttpSink, int, list[Any]]
) -> None:
    sink, port, _ = sinks
    deps = notice_deps(db, clock, tmp_path, sink, port)
    wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
    sign(deps, wid)
    clock.now = at("2026-12-06T02:00:00Z")
    with deps.db.write() as session:
        lifecycle.start(deps, session, wid, ALICE)
    drain(deps)
    clock.now = at("2026-12-06T02:50:00Z")
    with deps.db.write() as session:
        lifecycle.rollback(deps, session, wid, ALICE, "error rate doubled")
    drain(deps)
    assert events_sent(sink)[-1] == "rolled-back"
    text = body(sink, len(sink.hits) - 1)["text"]
    assert "ROLLED BACK (service restored to its previous version)" in text
    assert "Duration: 50 minutes" in text
    assert by_kind(deps, wid, "customer-mail")["rolled-back"] == "draft"
    assert by_kind(deps, wid, "eng-hook")["completion"] == "cancelled"
    summary = status.maintenances(status.current(deps), "every")
    shown = next(m for m in summary["scheduled_maintenances"] if m["status"] == "completed")
    assert ROLLED_BACK_BODY in [u["body"] for u in shown["incident_updates"]]
