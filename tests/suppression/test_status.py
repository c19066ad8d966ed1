"""`maintctl suppress status ID` and GET /api/v1/windows/{id}/suppression: what is silenced
where, in plain words; a viewer may read it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from maintctl.api.handlers.suppression import window_suppression
from maintctl.config import load_config
from maintctl.domain.errors import NotFound
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from tests.cli.test_cli import local, run
from tests.conftest import Clock
from tests.fakes.alertmanager import free_port
from tests.services.test_lifecycle import VERA, started
from tests.suppression.conftest import work

__all__ = ["local"]


@pytest.fixture
def deps(local: Path, database_url: str, clock: Clock) -> Iterator[Deps]:
    """The CLI's config: an Alertmanager nobody listens at, db mapped to it."""
    local.write_text(
        f"alerting:\n  alertmanager: {{url: 'http://127.0.0.1:{free_port()}'}}\n"
        "systems:\n  db: {silence: {service: db}}\n",
        "utf-8",
    )
    db = Database(database_url)
    yield Deps.build(db, load_config(local), clock=clock, local=LocalIdentity("alice"))
    db.dispose()


def test_status_says_plainly_that_alerts_are_not_silenced_and_exits_1(
    deps: Deps, clock: Clock
) -> None:
    wid = started(deps, clock)
    work(deps)
    code, out, _ = run("suppress", "status", wid)
    assert code == 1
    assert out.startswith(
        "alerts for db are NOT silenced in Alertmanager: connection refused;"
        " retrying at 2026-12-06T"
    )
    code, out, _ = run("suppress", "status", wid, "--json")
    report = json.loads(out)
    assert code == 1 and (report["window"], report["status"]) == (wid, "in_progress")
    [silence] = report["silences"]
    assert silence["provider"] == "alertmanager" and silence["system"] == "db"
    assert silence["state"] == "pending" and silence["attempts"] == 1
    assert silence["last_error"] == "Alertmanager: connection refused"
    assert silence["retry_at"].startswith("2026-12-06T") and silence["retry_at"].endswith("Z")


def test_a_viewer_may_read_it_and_an_unknown_window_is_not_found(deps: Deps, clock: Clock) -> None:
    wid = started(deps, clock)
    reply = window_suppression(deps, VERA, wid)
    assert reply.status == 200
    [silence] = reply.body["silences"]
    assert silence["line"] == (
        "alerts for db are not silenced in Alertmanager yet: the worker has not made the silence"
    )
    with pytest.raises(NotFound):
        window_suppression(deps, VERA, "MNT-2026-9999")
    code, out, _ = run("suppress", "status", "MNT-2026-0001")
    assert code == 0 and out.startswith("alerts for db are not silenced in Alertmanager yet")


def test_a_window_with_no_mapped_system_says_nothing_is_silenced(
    deps: Deps, clock: Clock, local: Path
) -> None:
    local.write_text("{}\n", "utf-8")
    wid = started(Deps.build(deps.db, load_config(local), clock=clock), clock)
    code, out, _ = run("suppress", "status", wid)
    assert (code, out) == (0, f"No alerts silenced for {wid} (in_progress).\n")
