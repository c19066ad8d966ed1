"""Steps on the server: what was signed, who may run them, results, the bounded log, rollback."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from maintctl.domain import bounds
from maintctl.domain.errors import RuleViolation, StateError
from maintctl.domain.model import Status
from maintctl.domain.roles import Forbidden
from maintctl.domain.steps import Step
from maintctl.services import events, lifecycle, steps, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import audit
from maintctl.store import windows as window_store
from tests.conftest import Clock
from tests.services.test_lifecycle import (
    EMMA,
    OTTO,
    PLANNED,
    RITA,
    START,
    TOM,
    VERA,
    VICTOR,
    move,
)

STEPS = [{"text": "Stop the app", "command": "systemctl stop app", "timeout": "30s"}]
ROLLBACK = [{"text": "Start the old app", "command": "systemctl start app-old"}]


def scheduled(deps: Deps, **fields: Any) -> str:
    """A planned outage with steps, requested by rita and signed by its three levels."""
    with deps.db.write() as session:
        wid = windows.create(deps, session, {**PLANNED, "steps": STEPS, **fields}, RITA).id
        workflow.submit(deps, session, wid, RITA)
        for signer in (TOM, EMMA, VICTOR):
            workflow.approve(deps, session, wid, signer)
    return wid


def started(deps: Deps, clock: Clock, **fields: Any) -> str:
    wid = scheduled(deps, **fields)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    return wid


def call(deps: Deps, action: str, *args: Any, **kw: Any) -> Any:
    with deps.db.write() as session:
        return getattr(steps, action)(deps, session, *args, **kw)


def test_the_final_signature_stores_the_hash_of_the_signed_fields(deps: Deps) -> None:
    wid = scheduled(deps)
    with deps.db.read() as session:
        window = windows.require(session, wid)
    assert window.signed_hash is not None and len(window.signed_hash) == 64
    assert [s.text for s in window.spec.steps] == ["Stop the app"]
    assert window.spec.steps[0].timeout == timedelta(seconds=30)
    assert window.spec.rollback_steps == []


def test_changing_steps_after_a_signature_sends_the_window_back_to_approval(deps: Deps) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        changed = windows.modify(deps, session, wid, {"steps": [*STEPS, {"text": "Migrate"}]}, RITA)
    assert changed.status == Status.PENDING_APPROVAL and changed.signatures == []
    with deps.db.write() as session:
        for signer in (TOM, EMMA, VICTOR):
            signed = workflow.approve(deps, session, wid, signer)
    assert signed.status == Status.SCHEDULED and signed.signed_hash is not None


def test_rewording_the_description_keeps_the_signatures_and_the_hash(deps: Deps) -> None:
    wid = scheduled(deps)
    with deps.db.write() as session:
        before = windows.require(session, wid)
        changed = windows.modify(deps, session, wid, {"description": "Upgrade, reworded"}, RITA)
    assert changed.status == Status.SCHEDULED and changed.signed_hash == before.signed_hash


def test_a_step_begins_only_on_a_window_in_progress_whose_signed_fields_match(
    deps: Deps, clock: Clock
) -> None:
    wid = scheduled(deps)
    with pytest.raises(StateError, match="running its run steps needs"):
        call(deps, "begin", wid, RITA, "run", 1)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    # A change that bypassed approval (a hand edit of the row): the hash no longer matches.
    with deps.db.write() as session:
        window = windows.require(session, wid)
        window.spec.steps[0] = Step("Stop", "rm -rf /")
        window_store.save(session, replace(window, version=window.version + 1))
    with pytest.raises(RuleViolation) as refused:
        call(deps, "begin", wid, RITA, "run", 1)
    assert refused.value.problems[0].rule == "signed-fields-changed"


def test_who_may_run_steps_and_read_the_log(deps: Deps, clock: Clock) -> None:
    wid = started(deps, clock)
    for outsider in (VERA, OTTO):
        with pytest.raises(Forbidden):
            call(deps, "begin", wid, outsider, "run", 1)
        with pytest.raises(Forbidden):
            call(deps, "append_log", wid, outsider, ["x"])
    began = call(deps, "begin", wid, TOM, "run", 1)
    done = call(deps, "finish", wid, TOM, began.id, "passed", 0)
    assert done.state == "passed" and done.duration_ms == 0 and done.by == "tom"
    with deps.db.read() as session:
        assert steps.summary(session, wid)["phases"]["run"]["resume_at"] == 2


def test_a_new_attempt_fails_one_left_running_and_finish_needs_a_running_one(
    deps: Deps, clock: Clock
) -> None:
    wid = started(deps, clock)
    first = call(deps, "begin", wid, RITA, "run", 1)
    call(deps, "begin", wid, RITA, "run", 1)  # the first runner died (SIGKILL)
    with pytest.raises(StateError, match="is not running"):
        call(deps, "finish", wid, RITA, first.id, "passed")
    with pytest.raises(RuleViolation):
        call(deps, "begin", wid, RITA, "run", 2)  # no step 2
    with pytest.raises(RuleViolation):
        call(deps, "begin", wid, RITA, "sideways", 1)
    with deps.db.read() as session:
        summary = steps.summary(session, wid)
    assert summary["signed_fields_match"] is True
    assert summary["phases"]["run"]["steps"][0]["last"]["state"] == "running"


def test_the_log_keeps_the_oldest_lines_and_says_once_where_it_filled(
    deps: Deps, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "LOG_LINES_MAX", 5)
    wid = started(deps, clock)
    first = call(deps, "append_log", wid, RITA, ["a", "b", "c"], phase="run", step=1)
    assert (first.kept, first.full) == (3, False)
    second = call(deps, "append_log", wid, RITA, ["d", "e", "f", "g"])
    assert (second.kept, second.full) == (2, True)
    third = call(deps, "append_log", wid, RITA, ["h"])
    assert (third.kept, third.full) == (0, True)
    with deps.db.read() as session:
        page = steps.log_page(session, wid, limit=4)
        rest = steps.log_page(session, wid, after=page.next, limit=4)
    assert [x["line"] for x in page.lines] == ["a", "b", "c", "d"] and page.next == 4
    assert rest.lines[0]["line"] == "e" and "log is full" in rest.lines[1]["line"]
    assert rest.next is None and len(rest.lines) == 2


def test_the_log_is_bounded_in_characters_and_each_line_is_cut(
    deps: Deps, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "LOG_BYTES_MAX", 6_000)
    wid = started(deps, clock)
    # NUL and a lone surrogate (which PostgreSQL refuses) are not kept as such.
    assert call(deps, "append_log", wid, RITA, ["\x00z\ud800"]).kept == 1
    done = call(deps, "append_log", wid, RITA, ["x" * 9_000, "y" * 9_000])
    assert (done.kept, done.full) == (1, True)
    with deps.db.read() as session:
        lines = [x["line"] for x in steps.log_page(session, wid).lines]
    assert lines[0] == "z?" and lines[1] == "x" * bounds.LOG_LINE_MAX_CHARS
    assert "log is full" in lines[2] and len(lines) == 3
    with pytest.raises(RuleViolation):
        call(deps, "append_log", wid, RITA, ["x"] * (bounds.LOG_BATCH_MAX + 1))


def test_rollback_ends_the_window_rolled_back_and_announces_it(
    deps: Deps, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[tuple[str, str]] = []
    monkeypatch.setattr(
        events,
        "_listeners",
        [*events.listeners(), lambda d, s, e: heard.append((e.name, e.window.status.value))],
    )
    wid = started(deps, clock, rollback_steps=ROLLBACK)
    clock.now = START + timedelta(minutes=40)
    with pytest.raises(Forbidden):
        move(deps, "rollback", wid, VERA, "no")
    moved = move(deps, "rollback", wid, RITA, "latency doubled")
    assert moved.status == Status.ROLLED_BACK and moved.actual_end == clock.now
    assert heard[-1] == (events.ROLLED_BACK, "rolled_back")
    assert lifecycle.actual_duration(moved) == "45m"
    with deps.db.read() as session:
        last = audit.history(session, wid)[-1]
    assert (last.action, last.from_status, last.to_status) == (
        "rollback",
        "in_progress",
        "rolled_back",
    )
    assert "latency doubled" in str(last.detail)
    with pytest.raises(StateError):
        move(deps, "rollback", wid, RITA)
    with pytest.raises(StateError):
        call(deps, "begin", wid, RITA, "rollback", 1)


def test_steps_are_checked_as_they_are_given(deps: Deps) -> None:
    bad = [
        {"text": ""},
        {"text": "x", "timeout": "0s"},
        {"text": "x", "timeout": "2d"},
        {"text": "x", "command": 5},
        {"text": "x", "sudo": True},
        "a plain text is a manual step",
    ]
    with deps.db.write() as session, pytest.raises(RuleViolation) as refused:
        windows.create(deps, session, {**PLANNED, "steps": bad}, RITA)
    rules = [(p.field, p.rule) for p in refused.value.problems]
    assert rules == [
        ("steps[1].text", "required"),
        ("steps[2].timeout", "step-timeout"),
        ("steps[3].timeout", "step-timeout"),
        ("steps[4].command", "command"),
        ("steps[5].sudo", "unknown-field"),
    ]
    too_many = [{"text": "x"}] * (bounds.MAX_STEPS + 1)
    with deps.db.write() as session, pytest.raises(RuleViolation, match="at most"):
        windows.create(deps, session, {**PLANNED, "rollback_steps": too_many}, RITA)
