"""A window's public face: its public title and message, and the times last approved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from maintctl.domain import public
from maintctl.domain.model import Status
from maintctl.services import events, windows, workflow
from maintctl.services.deps import Deps
from tests.services.test_lifecycle import EMMA, PLANNED, RITA, TOM, VICTOR, scheduled


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, Status]]]:
    """The events announced, as (name, window, status), with a listener the test adds."""
    found: list[tuple[str, str, Status]] = []
    monkeypatch.setattr(
        events,
        "_listeners",
        [lambda _d, _s, e: found.append((e.name, e.window.id, e.window.status))],
    )
    yield found


def test_a_window_becomes_public_at_its_final_signature_with_the_times_approved(
    deps: Deps, heard: list[tuple[str, str, Status]]
) -> None:
    with deps.db.write() as session:
        wid = windows.create(deps, session, PLANNED, RITA).id
        workflow.submit(deps, session, wid, RITA)
        for signer in (TOM, EMMA):
            assert workflow.approve(deps, session, wid, signer).published_start is None
        done = workflow.approve(deps, session, wid, VICTOR)
    assert (done.published_start, done.published_end) == (done.spec.start, done.spec.end)
    assert heard == [
        (events.SUBMITTED, wid, Status.PENDING_APPROVAL),
        (events.SIGNED, wid, Status.PENDING_APPROVAL),
        (events.SIGNED, wid, Status.PENDING_APPROVAL),
        (events.SCHEDULED, wid, Status.SCHEDULED),
    ]


def test_a_moved_window_keeps_its_last_approved_times_public_while_it_awaits_approval(
    deps: Deps, heard: list[tuple[str, str, Status]]
) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        moved = windows.modify(
            deps,
            session,
            wid,
            {"start": "2026-12-13T02:00:00Z", "end": "2026-12-13T04:00:00Z"},
            RITA,
        )
    assert moved.status == Status.PENDING_APPROVAL
    assert public.shown_times(moved) == (moved.published_start, moved.published_end)
    assert moved.published_start is not None and moved.published_start.day == 6
    assert heard[-1] == (events.UNSCHEDULED, wid, Status.PENDING_APPROVAL)


def test_rewording_the_public_message_keeps_the_signatures_and_is_announced(
    deps: Deps, heard: list[tuple[str, str, Status]]
) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        changed = windows.modify(
            deps,
            session,
            wid,
            {"public_title": "Database upgrade", "public_message": "Read-only"},
            RITA,
        )
    assert changed.status == Status.SCHEDULED and len(changed.signatures) == 3
    assert (changed.spec.public_title, changed.spec.public_message) == (
        "Database upgrade",
        "Read-only",
    )
    assert heard[-1] == (events.CHANGED, wid, Status.SCHEDULED)


def test_a_cancelled_window_is_announced(deps: Deps, heard: list[tuple[str, str, Status]]) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "vendor slipped", RITA)
    assert heard[-1] == (events.CANCELLED, wid, Status.CANCELLED)


def test_the_public_wording_defaults_to_the_type_and_never_shows_the_description(
    deps: Deps,
) -> None:
    wid = scheduled(deps)
    with deps.db.read() as session:
        window = windows.require(session, wid)
    rule = deps.config.policy.types["planned-outage"]
    assert public.title(window) == "Scheduled maintenance"
    text = public.message(window, rule)
    assert "Database upgrade" not in text and "5 minutes to 2 hours" in text


def test_a_public_title_longer_than_its_bound_is_refused_by_name(deps: Deps) -> None:
    from maintctl.domain.errors import RuleViolation

    with deps.db.write() as session, pytest.raises(RuleViolation) as caught:
        windows.create(deps, session, {**PLANNED, "public_title": "x" * 201}, RITA)
    assert [(p.field, p.rule) for p in caught.value.problems] == [("public_title", "too-long")]


def test_only_components_touched_by_a_windows_systems_are_its_components() -> None:
    api = public.Component("api", "API", ("api", "api-gateway"))
    db = public.Component("db", "Database", ("db",))
    assert public.components_of([api, db], ["api-gateway", "cache"]) == [api]
