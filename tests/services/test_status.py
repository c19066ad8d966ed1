"""The status page's public rules: what it shows of a window, and when (services/status.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from maintctl.config import load_config
from maintctl.domain import status as domain
from maintctl.domain.model import Status
from maintctl.services import status, windows, workflow
from maintctl.services.deps import Deps
from tests.conftest import Clock
from tests.services.test_lifecycle import EMMA, PLANNED, RITA, START, TOM, VICTOR, move

CONFIG = """\
components:
  - {id: database, name: Customer Database, systems: [db]}
  - {id: website, name: Website, systems: [web]}
status_page: {title: "Example Status", url: "https://status.example.com"%s}
"""


def page_deps(deps: Deps, tmp_path: Path, extra: str = "") -> Deps:
    """`deps` with two components (database on `db`, website on `web`) and a status page."""
    path = tmp_path / "maintctl.yaml"
    path.write_text(CONFIG % extra, "utf-8")
    return Deps.build(deps.db, load_config(path), clock=deps.clock, local=deps.local)


def schedule(deps: Deps, **fields: Any) -> str:
    """A planned outage on `db` (unless told otherwise), signed by its three levels."""
    with deps.db.write() as session:
        wid = windows.create(deps, session, {**PLANNED, **fields}, RITA).id
        workflow.submit(deps, session, wid, RITA)
        for signer in (TOM, EMMA, VICTOR):
            workflow.approve(deps, session, wid, signer)
    return wid


def shown(deps: Deps) -> domain.Document:
    return status.current(deps).doc


def everything(deps: Deps) -> str:
    """Every form the page has, as text: the six JSON paths, the HTML and the Atom feed."""
    from maintctl import web

    built = status.current(deps)
    forms: list[Callable[[status.Built], Any]] = [
        status.summary,
        status.status,
        status.components,
        *(
            lambda b, w=which: status.maintenances(b, w)
            for which in ("every", "upcoming", "active")
        ),
    ]
    texts = [json.dumps(f(built)) for f in forms]
    texts += [
        web.status_html(built.doc, built.links).decode(),
        web.history_atom(built.doc, built.links).decode(),
    ]
    return "\n".join(texts)


def test_a_scheduled_window_shows_its_public_face_and_nothing_private(
    deps: Deps, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(
        deps,
        description="Rotate the SECRET-DESCRIPTION keys",
        impact="PRIVATE-IMPACT",
        owner="PRIVATE-OWNER",
        public_title="Database upgrade",
        public_message="The API is read-only for up to two hours.",
    )
    doc = shown(deps)
    assert [m.id for m in doc.upcoming] == [wid] and not doc.active and not doc.history
    m = doc.upcoming[0]
    assert (m.name, m.status, m.updates[0].body) == (
        "Database upgrade",
        "scheduled",
        "The API is read-only for up to two hours.",
    )
    assert [c.id for c in m.components] == ["database"]
    text = everything(deps)
    for private in ("SECRET-DESCRIPTION", "PRIVATE-IMPACT", "PRIVATE-OWNER", "rita", "victor"):
        assert private not in text
    assert '"db"' not in text and ">db<" not in text  # the system's name, never shown


def test_drafts_and_requests_never_show(deps: Deps, tmp_path: Path) -> None:
    deps = page_deps(deps, tmp_path)
    with deps.db.write() as session:
        draft = windows.create(deps, session, PLANNED, RITA).id
        asked = windows.create(deps, session, {**PLANNED, "systems": ["web"]}, RITA).id
        workflow.submit(deps, session, asked, RITA)
        workflow.approve(deps, session, asked, TOM)
    text = everything(deps)
    assert draft not in text and asked not in text
    assert shown(deps).indicator == "none"


def test_a_window_moved_while_it_awaits_approval_shows_its_last_approved_times(
    deps: Deps, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(deps)
    with deps.db.write() as session:
        moved = windows.modify(
            deps,
            session,
            wid,
            {"start": "2026-12-13T02:00:00Z", "end": "2026-12-13T04:00:00Z"},
            RITA,
        )
    assert moved.status == Status.PENDING_APPROVAL
    (m,) = shown(deps).upcoming
    assert (m.status, m.scheduled_for, m.scheduled_until) == (
        "scheduled",
        START,
        START + timedelta(hours=2),
    )
    assert "2026-12-13" not in everything(deps)


def test_a_cancelled_window_stays_and_is_shown_completed_with_a_cancellation_update(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(deps)
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "PRIVATE-REASON vendor slipped", RITA)
    doc = shown(deps)
    assert not doc.upcoming and not doc.history and [m.id for m in doc.called_off] == [wid]
    assert [m.id for m in doc.every] == [wid]
    m = doc.called_off[0]
    assert (m.status, m.cancelled, m.resolved_at) == ("completed", True, deps.clock())
    assert (m.updates[0].status, m.updates[0].body) == ("completed", domain.CANCELLED_BODY)
    text = everything(deps)
    assert "PRIVATE-REASON" not in text and "Cancelled" in text
    clock.now = START + timedelta(days=1)  # once its time has passed, it is history
    assert [m.id for m in shown(deps).history] == [wid] and not shown(deps).called_off


def test_a_zero_downtime_window_stays_off_the_page_unless_asked(deps: Deps, tmp_path: Path) -> None:
    quiet = {
        "type": "zero-downtime",
        "start": "2026-12-01T02:00:00Z",
        "end": "2026-12-01T03:00:00Z",
        "systems": ["web"],
        "description": "Rolling restart",
    }
    plain = page_deps(deps, tmp_path)
    with plain.db.write() as session:
        wid = windows.create(plain, session, quiet, RITA).id
        workflow.submit(plain, session, wid, RITA)
        workflow.approve(plain, session, wid, TOM)
    assert wid not in everything(plain)
    asked = page_deps(deps, tmp_path, ", show_not_impacting: true")
    assert [m.id for m in shown(asked).upcoming] == [wid]


def test_a_window_in_progress_puts_its_components_under_maintenance(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    doc = shown(deps)
    assert [m.id for m in doc.active] == [wid] and not doc.upcoming
    states = {s.component.id: s.status for s in doc.components}
    assert states == {"database": "under_maintenance", "website": "operational"}
    assert (doc.indicator, doc.description) == ("maintenance", "Service Under Maintenance")
    clock.now = START + timedelta(minutes=50)
    move(deps, "complete", wid, RITA)
    doc = shown(deps)
    assert [m.id for m in doc.history] == [wid] and doc.history[0].status == "completed"
    assert {s.status for s in doc.components} == {"operational"}
    assert doc.indicator == "none"


def test_updates_come_from_the_moves_and_public_progress_newest_first(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(deps, public_message="Read-only for two hours.")
    clock.now = START
    move(deps, "start", wid, RITA)
    clock.now = START + timedelta(minutes=10)
    move(deps, "progress", wid, RITA, step=1, of=3, task="PRIVATE-TASK backup")
    clock.now = START + timedelta(minutes=20)
    move(deps, "progress", wid, RITA, step=2, of=3, task="migrate", public="Halfway there.")
    clock.now = START + timedelta(minutes=40)
    move(deps, "complete", wid, RITA)
    (m,) = shown(deps).history
    assert [(u.status, u.body) for u in m.updates] == [
        ("completed", domain.BODIES[domain.COMPLETED]),
        ("verifying", domain.BODIES[domain.VERIFYING]),
        ("in_progress", "Halfway there."),
        ("in_progress", domain.BODIES[domain.IN_PROGRESS]),
        ("scheduled", "Read-only for two hours."),
    ]
    assert [u.at for u in m.updates] == sorted((u.at for u in m.updates), reverse=True)
    assert len({u.id for u in m.updates}) == 5
    assert "PRIVATE-TASK" not in everything(deps)


def test_auto_in_progress_shows_a_scheduled_window_in_progress_between_its_times_only(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path, ", auto_in_progress: true")
    wid = schedule(deps)
    clock.now = START + timedelta(minutes=1)
    doc = shown(deps)
    assert [m.id for m in doc.active] == [wid] and doc.indicator == "maintenance"
    assert doc.active[0].updates[0].status == "in_progress"
    with deps.db.read() as session:
        assert windows.require(session, wid).status == Status.SCHEDULED  # display only
    clock.now = START + timedelta(hours=3)
    assert [m.id for m in shown(deps).upcoming] == [wid]
    plain = page_deps(deps, tmp_path)
    clock.now = START + timedelta(minutes=1)
    assert [m.id for m in shown(plain).upcoming] == [wid]


def test_history_keeps_the_last_90_days_only(deps: Deps, clock: Clock, tmp_path: Path) -> None:
    deps = page_deps(deps, tmp_path)
    wid = schedule(deps)
    clock.now = START
    move(deps, "start", wid, RITA)
    clock.now = START + timedelta(hours=1)
    move(deps, "complete", wid, RITA)
    clock.now = START + timedelta(days=89)
    assert [m.id for m in shown(deps).history] == [wid]
    clock.now = START + timedelta(days=91)
    assert not shown(deps).history


def test_the_lists_hold_at_most_the_cap(
    deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "LIMIT", 2)
    deps = page_deps(deps, tmp_path)
    ids = [schedule(deps, systems=[name]) for name in ("db", "web", "cache")]  # 3 cases
    doc = shown(deps)
    assert [m.id for m in doc.upcoming] == ids[:2] and len(doc.every) == 2


def test_a_move_is_seen_at_once_and_nothing_is_rebuilt_while_nothing_moved(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    first = status.current(deps)
    assert status.current(deps) is first
    wid = schedule(deps)
    second = status.current(deps)
    assert second is not first and [m.id for m in second.doc.upcoming] == [wid]
    clock.now += status.FRESH
    assert status.current(deps) is not second  # time moves the page too


def test_a_private_page_refuses_a_reader_without_a_token(deps: Deps, tmp_path: Path) -> None:
    from maintctl.domain.roles import Unauthenticated

    private = page_deps(deps, tmp_path, ", public: false")
    with pytest.raises(Unauthenticated):
        status.check_reader(private, None)
    status.check_reader(private, RITA)
    status.check_reader(page_deps(deps, tmp_path), None)


def test_a_request_while_nothing_moved_costs_one_query_and_a_build_a_fixed_number(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    from sqlalchemy import event

    deps = page_deps(deps, tmp_path)
    seen: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            seen.append(args[2])

    def statements_of_a_build() -> int:
        clock.now += status.FRESH  # kept no longer: the next request builds
        seen.clear()
        status.current(deps)
        return len(seen)

    event.listen(deps.db.engine, "before_cursor_execute", count)
    try:
        schedule(deps)
        few = statements_of_a_build()
        for name in ("web", "cache", "queue"):  # 4 windows instead of 1: no query per window
            schedule(deps, systems=[name])
        assert statements_of_a_build() == few
        seen.clear()
        status.current(deps)
        assert len(seen) == 1 and "audit" in seen[0]
    finally:
        event.remove(deps.db.engine, "before_cursor_execute", count)
