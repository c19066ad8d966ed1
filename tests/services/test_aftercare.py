"""Post-maintenance checklists: judged items from the records, acks after the work, the lists'
deadlines, and the lead reminded once of an overdue list. Both databases."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from maintctl.config import ConfigError, parse_config
from maintctl.domain.checks import Result
from maintctl.domain.checks import Status as CheckStatus
from maintctl.domain.errors import StateError
from maintctl.domain.model import Status
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts, aftercare, precheck
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.services.windows import save
from maintctl.store import notifications, windows
from maintctl.store import validation as runs_store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow
from maintctl.worker import Worker
from tests.channels.sinks import smtp_sink
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, START, move, scheduled

ROOT = Principal("root", Role.ADMIN)
VERA = Principal("vera", Role.VIEWER)
IMMEDIATE, SHORT, LONG = "post-immediate", "post-short-term", "post-long-term"
CHECKS = "checks:\n  - {name: api-up, group: services, kind: http, url: 'http://127.0.0.1:9/up'}\n"


def deps_with(db: Database, clock: Clock, tmp_path: Path, smtp_port: int = 9) -> Deps:
    config = parse_config(
        f"people:\n  email: {{smtp: 'smtp://127.0.0.1:{smtp_port}', from: m@example.com}}\n"
        + CHECKS,
        "m.yaml",
        tmp_path,
    )
    made = Deps.build(db, config, clock=clock, local=LocalIdentity("root"))
    with db.write() as session:
        for name, role in (("rita", "requester"), ("vera", "viewer"), ("olga", "requester")):
            accounts.add_user(session, ROOT, name, role, f"{name}@example.com", clock())
    return made


@pytest.fixture
def deps(db: Database, clock: Clock, tmp_path: Path) -> Deps:
    return deps_with(db, clock, tmp_path)


def ran(deps: Deps, clock: Clock) -> str:
    """A planned outage started at 01:55 and completed at 03:30 (completion: its actual end)."""
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    clock.now = START + timedelta(hours=1, minutes=30)
    move(deps, "complete", wid, RITA)
    return wid


def validated(deps: Deps, wid: str, *statuses: CheckStatus) -> int:
    """A finished check run on the window with one result per status given."""
    now = deps.clock()
    with deps.db.write() as session:
        run = runs_store.create(
            session,
            window_id=wid,
            mode="quick",
            groups=[],
            purpose="check",
            started_by="rita",
            now=now,
            config_hash=None,
        )
        for n, status in enumerate(statuses):
            found = Result(f"c{n}", "services", "http", status, 1, "ms", 5, "")
            runs_store.put_result(session, run.id, found, now)
        ok = all(s == CheckStatus.PASS for s in statuses)
        runs_store.finish(session, run.id, "passed" if ok else "failed", now)
    return run.id


def set_status(deps: Deps, wid: str, status: Status, **changes: Any) -> None:
    """Move the stored window as a move not on this branch would (verifying, close)."""
    with deps.db.write() as session:
        window = windows.get(session, wid)
        assert window is not None
        save(session, replace(window, status=status, version=window.version + 1, **changes))


def line(deps: Deps, wid: str, name: str) -> Any:
    lists = aftercare.checklists(deps, wid, VERA).lists
    return next(e for found in lists for e in found.entries if e.line.name == name)


def ack(deps: Deps, wid: str, name: str, who: Principal = RITA) -> None:
    with deps.db.write() as session:
        precheck.ack(deps, session, wid, name, who)


def test_the_default_policy_declares_the_runbooks_three_lists_with_their_deadlines(
    deps: Deps,
) -> None:
    assert aftercare.post_lists(deps) == [
        (IMMEDIATE, timedelta(hours=1)),
        (SHORT, timedelta(hours=24)),
        (LONG, timedelta(days=7)),
    ]
    policy = deps.config.policy.checklists
    assert [len(policy[n]) for n in (IMMEDIATE, SHORT, LONG)] == [5, 5, 5]
    assert "close-ticket" in [i.item for i in policy[SHORT]]
    assert "review-conducted" in [i.item for i in policy[LONG]]


def test_a_deadline_for_a_list_the_policy_does_not_declare_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'post-later' is not a checklist"):
        parse_config("policy:\n  checklist_due: {post-later: 2d}\n", "m.yaml", tmp_path)


def test_a_team_can_move_a_deadline_and_keep_the_others(tmp_path: Path) -> None:
    config = parse_config("policy:\n  checklist_due: {post-immediate: 2h}\n", "m.yaml", tmp_path)
    assert config.policy.checklist_due[IMMEDIATE] == timedelta(hours=2)
    assert config.policy.checklist_due[LONG] == timedelta(days=7)


def test_each_list_is_due_its_deadline_after_the_actual_end(deps: Deps, clock: Clock) -> None:
    wid = ran(deps, clock)
    report = aftercare.checklists(deps, wid, VERA)
    end = START + timedelta(hours=1, minutes=30)
    assert report.completed_at == end
    assert [(x.name, x.due) for x in report.lists] == [
        (IMMEDIATE, end + timedelta(hours=1)),
        (SHORT, end + timedelta(hours=24)),
        (LONG, end + timedelta(days=7)),
    ]
    assert not any(x.overdue(report.now) for x in report.lists)
    clock.now = end + timedelta(hours=1)
    later = aftercare.checklists(deps, wid, VERA)
    assert [x.overdue(later.now) for x in later.lists] == [True, False, False]


def test_a_window_that_never_ran_has_no_checklist(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    with pytest.raises(StateError) as caught:
        aftercare.checklists(deps, wid, VERA)
    assert caught.value.problems[0].rule == "never-ran"


def test_validation_passed_reads_the_last_run_since_the_work_began(
    deps: Deps, clock: Clock
) -> None:
    wid = ran(deps, clock)
    name = f"{IMMEDIATE}.validation-passed"
    missing = line(deps, wid, name).line
    assert not missing.ok and missing.detail == "no validation run since the work began"
    assert missing.fix == f"maintctl validate --window {wid}"
    failed = validated(deps, wid, CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.TIMEOUT)
    found = line(deps, wid, name).line
    assert (found.ok, found.detail) == (False, f"V-{failed} failed: c1, c2")
    passed = validated(deps, wid, CheckStatus.PASS)
    assert (
        line(deps, wid, name).line.text()
        == f"[OK] All validation checks passed (V-{passed} passed)"
    )


def test_validation_before_the_work_does_not_count(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START - timedelta(hours=1)
    validated(deps, wid, CheckStatus.PASS)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    move(deps, "complete", wid, RITA)
    assert not line(deps, wid, f"{IMMEDIATE}.validation-passed").line.ok


def test_validation_is_not_judged_without_checks(db: Database, clock: Clock) -> None:
    deps = Deps.build(db, parse_config("{}\n", "m.yaml"), clock=clock, local=LocalIdentity("r"))
    wid = ran(deps, clock)
    found = line(deps, wid, f"{IMMEDIATE}.validation-passed").line
    assert not found.ok and found.detail.startswith("not judged: no checks are configured")


def test_completion_notices_sent_counts_the_planned_completion_notices(
    deps: Deps, clock: Clock
) -> None:
    wid = ran(deps, clock)
    name = f"{IMMEDIATE}.completion-notices-sent"
    assert line(deps, wid, name).line.detail == "none planned"
    with deps.db.write() as session:
        plan = {"manual": False, "due_at": clock(), "now": clock()}
        sent = notifications.plan(
            session, wid, "completion", "customers-all", "page", status="sent", **plan
        )
        notifications.plan(
            session, wid, "completion", "internal-all", "mail", status="queued", **plan
        )
        notifications.plan(session, wid, "completion", "partners", "mail", status="skipped", **plan)
        notifications.plan(session, wid, "start", "partners", "mail", status="failed", **plan)
    assert sent is not None
    found = line(deps, wid, name).line
    assert not found.ok
    assert found.detail == "1/2 sent; missing to internal-all by mail (queued)"
    with deps.db.write() as session:
        ids = [r.id for r in notifications.of_window(session, wid) if r.status == "queued"]
        notifications.move(session, ids, notifications.SENT, notifications.WAITING)
    assert line(deps, wid, name).line.text() == "[OK] Completion notifications sent (2/2 sent)"


def test_the_status_page_is_operational_once_the_window_completed(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    name = f"{IMMEDIATE}.status-page-operational"
    # Verifying: the work ended, the page does not show it completed yet.
    set_status(deps, wid, Status.VERIFYING, actual_end=clock())
    found = line(deps, wid, name).line
    assert (found.ok, found.detail) == (False, "it shows the window verifying")
    set_status(deps, wid, Status.COMPLETED)
    done = line(deps, wid, name).line
    assert done.ok and done.detail.startswith("shows it completed")


def test_close_ticket_is_judged_from_the_windows_status(deps: Deps, clock: Clock) -> None:
    wid = ran(deps, clock)
    name = f"{SHORT}.close-ticket"
    assert line(deps, wid, name).line.fix == f"maintctl close {wid}"
    set_status(deps, wid, Status.CLOSED)
    assert line(deps, wid, name).line.text() == "[OK] Close maintenance ticket (closed)"


def test_the_review_item_is_judged_from_the_written_review(deps: Deps, clock: Clock) -> None:
    from maintctl.domain.review import Written
    from maintctl.services import review

    wid = ran(deps, clock)
    found = line(deps, wid, f"{LONG}.review-conducted").line
    assert (found.ok, found.detail) == (False, "no review written")
    with deps.db.write() as session:
        review.edit(deps, session, wid, RITA, Written(lessons="Rehearse the failover"))
    assert line(deps, wid, f"{LONG}.review-conducted").line.ok


def test_a_post_item_is_acked_after_the_work_with_who_and_when(deps: Deps, clock: Clock) -> None:
    wid = scheduled(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    name = f"{IMMEDIATE}.team-debriefed"
    with pytest.raises(StateError) as caught:
        ack(deps, wid, name)
    assert caught.value.problems[0].rule == "not-ended"
    move(deps, "complete", wid, RITA)
    clock.now += timedelta(minutes=20)
    ack(deps, wid, name)
    entry = line(deps, wid, name)
    assert entry.line.ok and entry.line.detail == "by rita"
    assert [(a.account, a.at) for a in entry.acks] == [("rita", clock.now)]


def test_a_long_term_item_may_still_be_acked_once_the_window_is_closed(
    deps: Deps, clock: Clock
) -> None:
    wid = ran(deps, clock)
    set_status(deps, wid, Status.CLOSED)
    ack(deps, wid, f"{LONG}.lessons-learned")
    assert line(deps, wid, f"{LONG}.lessons-learned").line.ok
    with pytest.raises(StateError):
        ack(deps, wid, "precheck.runbook-reviewed")


def test_a_judged_post_item_is_never_acknowledged(deps: Deps, clock: Clock) -> None:
    from maintctl.domain.errors import RuleViolation

    wid = ran(deps, clock)
    with pytest.raises(RuleViolation) as caught:
        ack(deps, wid, f"{IMMEDIATE}.validation-passed")
    assert caught.value.problems[0].rule == "judged-item"
    with pytest.raises(RuleViolation) as unknown:
        ack(deps, wid, f"{IMMEDIATE}.coffee-drunk")
    assert unknown.value.problems[0].rule == "unknown-item"


def overdue_jobs(deps: Deps, wid: str) -> list[tuple[str, Any]]:
    with deps.db.read() as session:
        rows = session.scalars(select(JobRow).where(JobRow.kind == aftercare.OVERDUE_KIND))
        return sorted((r.payload["list"], r.due_at) for r in rows if r.payload["window"] == wid)


def test_completion_plans_one_reminder_at_each_lists_deadline(deps: Deps, clock: Clock) -> None:
    wid = ran(deps, clock)
    end = START + timedelta(hours=1, minutes=30)
    assert overdue_jobs(deps, wid) == [
        (IMMEDIATE, end + timedelta(hours=1)),
        (LONG, end + timedelta(days=7)),
        (SHORT, end + timedelta(hours=24)),
    ]


@dataclass
class Inbox:
    mails: list[Any]

    def subjects(self) -> list[tuple[str, str]]:
        """(recipient, subject) of each checklist reminder received (not the approvals)."""
        found = []
        for envelope in self.mails:
            parsed = email.message_from_bytes(envelope.content)
            subject = " ".join(str(parsed["Subject"]).split())  # unfolded
            if subject.startswith("[Checklist Overdue]"):
                found += [(to, subject) for to in envelope.rcpt_tos]
        return found

    def texts(self) -> list[str]:
        """The plain-text part of each email received."""
        found = []
        for envelope in self.mails:
            for part in email.message_from_bytes(envelope.content).walk():
                if part.get_content_type() == "text/plain":
                    found.append(part.get_payload(decode=True).decode())
        return found


@pytest.fixture
def mailed(db: Database, clock: Clock, tmp_path: Path) -> Iterator[tuple[Deps, Inbox]]:
    with smtp_sink() as (port, mails):
        yield deps_with(db, clock, tmp_path, port), Inbox(mails)


def test_the_lead_is_reminded_once_of_an_overdue_list_run_twice(
    mailed: tuple[Deps, Inbox], clock: Clock
) -> None:
    deps, inbox = mailed
    wid = ran(deps, clock)
    clock.now += timedelta(hours=1)
    payload = {"window": wid, "list": IMMEDIATE}
    first = aftercare.overdue_job(deps, payload)
    assert first.startswith("reminded rita of 3 items (1 sends)")
    # The job run again (a killed worker's retry) plans nothing more.
    assert aftercare.overdue_job(deps, payload) == "rita was reminded already or cannot be reached"
    Worker(deps, name="w").run_once()
    assert inbox.subjects() == [
        ("rita@example.com", f"[Checklist Overdue] Scheduled maintenance ({wid}): {IMMEDIATE}")
    ]
    assert any(f"{IMMEDIATE}.team-debriefed" in text for text in inbox.texts())


def test_a_done_list_sends_no_reminder(deps: Deps, clock: Clock) -> None:
    wid = ran(deps, clock)
    for item in (
        "delayed-issues-monitored",
        "error-logs-reviewed",
        "customer-feedback-checked",
        "records-updated",
    ):
        ack(deps, wid, f"{SHORT}.{item}")
    set_status(deps, wid, Status.CLOSED)
    assert (
        aftercare.overdue_job(deps, {"window": wid, "list": SHORT})
        == f"{SHORT} is done: no reminder"
    )


def test_the_worker_sends_the_reminder_at_the_deadline_through_its_own_job(
    mailed: tuple[Deps, Inbox], clock: Clock
) -> None:
    deps, inbox = mailed
    ran(deps, clock)
    Worker(deps, name="w").run_once()
    assert inbox.subjects() == []  # nothing is due before the first deadline
    clock.now += timedelta(hours=1)
    Worker(deps, name="w").run_once()
    Worker(deps, name="w").run_once()
    assert [s for _, s in inbox.subjects()] == [inbox.subjects()[0][1]]
    assert IMMEDIATE in inbox.subjects()[0][1]
