"""The review from the records, its written parts, action items and close, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from maintctl.config import parse_config
from maintctl.domain.checks import Result
from maintctl.domain.checks import Status as CheckStatus
from maintctl.domain.errors import NotFound, RuleViolation, StaleError, StateError
from maintctl.domain.model import Status
from maintctl.domain.review import Written
from maintctl.domain.roles import Forbidden
from maintctl.services import accounts, actions, closing, precheck, windows
from maintctl.services import review as service
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import audit, notifications
from maintctl.store import validation as runs
from maintctl.store import windows as window_store
from maintctl.store.db import Database
from maintctl.store.tables import ActionItemRow, JobRow
from tests.conftest import Clock
from tests.services.test_lifecycle import (
    EMMA,
    OTTO,
    RITA,
    ROOT,
    START,
    TOM,
    VERA,
    move,
    scheduled,
)

END = START + timedelta(hours=2)
MIN = timedelta(minutes=1)
POST_LISTS = (
    "policy:\n  checklists:\n"
    "    post-immediate:\n"
    "      - {item: team-debriefed, title: Team debriefed, kind: attested}\n"
    "    post-short-term:\n"
    "      - {item: error-logs-reviewed, title: Review error logs, kind: attested}\n"
    "      - {item: close-ticket, title: Close maintenance ticket, kind: judged}\n"
    "    post-long-term:\n"
    "      - {item: review-conducted, title: Conduct maintenance review, kind: judged}\n"
)


@pytest.fixture
def site(db: Database, clock: Clock) -> Deps:
    """rita requests, tom (team-lead) leads, otto owns actions; the post lists declared."""
    deps = Deps.build(
        db, parse_config(POST_LISTS, "m.yaml"), clock=clock, local=LocalIdentity("root")
    )
    with db.write() as session:
        for name, role in (("rita", "requester"), ("tom", "team-lead"), ("otto", "requester")):
            accounts.add_user(session, ROOT, name, role, f"{name}@example.com", clock())
        accounts.add_user(session, ROOT, "gone", "requester", "", clock())
        accounts.disable_user(session, ROOT, "gone", clock())
    return deps


def ran(deps: Deps, clock: Clock, overrun: timedelta = timedelta(0)) -> str:
    """A planned outage on db (02:00-04:00) started at 02:00 by tom and completed `overrun` late."""
    wid = scheduled(deps)
    clock.now = START
    move(deps, "start", wid, TOM)
    clock.now = END + overrun
    move(deps, "complete", wid, TOM)
    return wid


def metric(deps: Deps, wid: str, name: str) -> tuple[str, str]:
    found = service.show(deps, wid, VERA)
    m = next(m for m in found.metrics if m.name == name)
    return m.actual, m.status


def test_an_overrun_of_20_minutes_reads_exceeded_by_20m(site: Deps, clock: Clock) -> None:
    wid = ran(site, clock, 20 * MIN)
    found = service.show(site, wid, VERA)
    assert (found.summary.planned, found.summary.actual) == (2 * 60 * MIN, 140 * MIN)
    assert (found.summary.type, found.summary.lead) == ("planned-outage", "tom")
    assert metric(site, wid, "Duration") == ("2h20m", "Exceeded by 20m")
    assert "- **Duration:** Planned 2h / Actual 2h20m" in found.markdown()


def test_a_review_of_a_window_that_never_ran_is_refused_by_name(site: Deps) -> None:
    wid = scheduled(site)
    with pytest.raises(RuleViolation) as refused:
        service.show(site, wid, VERA)
    assert refused.value.problems[0].rule == "never-ran"
    with pytest.raises(RuleViolation), site.db.write() as session:
        service.edit(site, session, wid, TOM, Written(lessons="x"))


def test_a_customer_notice_sent_3_minutes_late_makes_3_of_4_on_time(
    site: Deps, clock: Clock
) -> None:
    wid = ran(site, clock)
    due = START - timedelta(days=1)
    sent = [due, due + 30 * timedelta(seconds=1), due - MIN, due + 3 * MIN]
    with site.db.write() as session:
        for n, at in enumerate(sent):
            nid = notifications.plan(
                session, wid, f"test-{n}", "customers-all", f"c{n}", manual=False,
                due_at=due, status=notifications.PLANNED, now=due,
            )  # fmt: skip
            assert nid is not None
            notifications.move(
                session, nid, notifications.SENT, (notifications.PLANNED,), sent_at=at
            )
    actual, status = metric(site, wid, "Customer Notifications")
    assert (actual, status) == ("75% (3/4)", "Missed")


def test_a_final_validation_run_with_1_of_8_failing_is_87_5_percent(
    site: Deps, clock: Clock
) -> None:
    wid = ran(site, clock)
    with site.db.write() as session:
        older = runs.create(
            session, window_id=wid, mode="quick", groups=[], purpose="check",
            started_by="tom", now=clock(), config_hash=None,
        )  # fmt: skip
        runs.finish(session, older.id, runs.FAILED, clock())
        final = runs.create(
            session, window_id=wid, mode="quick", groups=[], purpose="compare",
            started_by="tom", now=clock(), config_hash=None,
        )  # fmt: skip
        for n in range(8):
            status = CheckStatus.FAIL if n == 3 else CheckStatus.PASS
            result = Result(f"check-{n}", "core", "http", status, 200, "", 5, "ok")
            runs.put_result(session, final.id, result, clock())
        runs.finish(session, final.id, runs.FAILED, clock())
        baseline = runs.create(
            session, window_id=wid, mode="quick", groups=[], purpose="baseline",
            started_by="tom", now=clock(), config_hash=None,
        )  # fmt: skip
        runs.finish(session, baseline.id, runs.PASSED, clock())
    assert metric(site, wid, "Validation Checks") == (f"87.5% (7/8, V-{final.id})", "Missed")


def _emergency(deps: Deps, wid: str, new_id: str, systems: list[str], start_offset: int) -> None:
    """An emergency copied from the window, on `systems`, run 30 minutes from 02:00 + offset.

    Aborted (cancelled after it started), so that PostgreSQL's no-double-booking constraint lets
    it overlap the window on this branch (issue 9 leaves emergencies out of it): it still ran.
    """
    with deps.db.write() as session:
        base = windows.require(session, wid)
        began = START + start_offset * MIN
        spec = replace(base.spec, type="emergency", systems=systems, start=began, end=began + MIN)
        found = replace(
            base,
            id=new_id,
            spec=spec,
            actual_start=began,
            actual_end=began + 30 * MIN,
            status=Status.CANCELLED,
            version=1,
        )
        window_store.add(session, found, None)


def test_an_emergency_on_the_same_system_inside_the_window_counts_one_elsewhere_not(
    site: Deps, clock: Clock
) -> None:
    wid = ran(site, clock)
    _emergency(site, wid, "MNT-2026-0901", ["db"], 40)  # inside, same system: counted
    _emergency(site, wid, "MNT-2026-0902", ["api"], 40)  # inside, another system: not
    _emergency(site, wid, "MNT-2026-0903", ["db"], 130)  # same system, after the end: not
    _emergency(site, wid, "MNT-2026-0904", ["db", "api"], -20)  # began before, ran into it
    found = service.show(site, wid, VERA)
    incidents = next(m for m in found.metrics if m.name == "Incidents During")
    assert incidents.value["emergencies"] == ["MNT-2026-0901", "MNT-2026-0904"]
    with site.db.write() as session:
        service.edit(site, session, wid, TOM, Written(incidents=("pager storm",)))
    assert metric(site, wid, "Incidents During") == ("3", "Missed")


def test_the_lead_writes_the_review_with_versions_and_an_audit_row(
    site: Deps, clock: Clock
) -> None:
    wid = ran(site, clock)
    texts = Written("Rollback rehearsed", "More notice", "Test on staging first")
    with site.db.write() as session:
        saved = service.edit(site, session, wid, TOM, texts, expected_version=0)
    assert (saved.version, saved.texts) == (1, texts)
    with pytest.raises(StaleError), site.db.write() as session:
        service.edit(site, session, wid, TOM, Written(lessons="late"), expected_version=0)
    with pytest.raises(Forbidden), site.db.write() as session:
        service.edit(site, session, wid, VERA, Written(lessons="x"))
    with pytest.raises(RuleViolation), site.db.write() as session:
        service.edit(site, session, wid, TOM, Written(lessons="x" * 10_001))
    with site.db.write() as session:
        again = service.edit(site, session, wid, RITA, Written(lessons="v2"), expected_version=1)
        rows = [r for r in audit.history(session, wid) if r.action == "review"]
    assert again.version == 2 and len(rows) == 2
    assert rows[0].detail["sections"] == ["went_well", "could_improve", "lessons"]


def test_action_items_are_added_listed_and_done(site: Deps, clock: Clock) -> None:
    wid = ran(site, clock)
    with site.db.write() as session:
        first = actions.add(site, session, wid, TOM, "Automate the failover", "otto", "2026-12-20")
        second = actions.add(
            site, session, wid, RITA, "Update runbook", "tom", "2026-12-10T12:00:00+01:00"
        )
    assert first.due_at.isoformat() == "2026-12-20T23:59:59+00:00"
    assert second.due_at.isoformat() == "2026-12-10T11:00:00+00:00"
    page = actions.listing(site, VERA, limit=1)
    assert [a.id for a in page.items] == [first.id] and page.next == first.id
    assert [a.id for a in actions.listing(site, VERA, after=page.next).items] == [second.id]
    assert [a.what for a in actions.listing(site, VERA, owner="otto").items] == [first.what]
    with pytest.raises(Forbidden), site.db.write() as session:
        actions.done(site, session, second.id, OTTO)
    with site.db.write() as session:
        done, changed = actions.done(site, session, first.id, OTTO)  # its owner
        _, again = actions.done(site, session, first.id, TOM)
    assert (changed, again, done.done_by) == (True, False, "otto")
    assert [a.id for a in actions.listing(site, VERA, open_only=True).items] == [second.id]
    lines = service.show(site, wid, VERA).lines
    assert [(a.what, a.done) for a in lines] == [(first.what, True), (second.what, False)]


@pytest.mark.parametrize(
    ("window", "owner", "due", "rule"),
    [
        ("MNT-2026-0999", "otto", "2026-12-20", "not-found"),
        (None, "nobody", "2026-12-20", "unknown-account"),
        (None, "gone", "2026-12-20", "unknown-account"),
        (None, "otto", "2026-12-20T10:00:00", "time-zone-required"),
    ],
)
def test_a_bad_action_is_refused_by_name_and_nothing_is_written(
    site: Deps, clock: Clock, window: str | None, owner: str, due: str, rule: str
) -> None:
    wid = ran(site, clock)
    with pytest.raises((NotFound, RuleViolation)) as refused, site.db.write() as session:
        actions.add(site, session, window or wid, TOM, "Do it", owner, due)
    assert refused.value.problems[0].rule == rule
    with site.db.read() as session:
        assert session.query(ActionItemRow).count() == 0
        kinds = [j.kind for j in session.query(JobRow)]
    assert actions.OVERDUE_KIND not in kinds


def test_close_names_what_is_missing_then_closes_once_done(site: Deps, clock: Clock) -> None:
    wid = ran(site, clock)
    with pytest.raises(RuleViolation) as refused, site.db.write() as session:
        closing.close(site, session, wid, TOM)
    missing = [(p.field, p.rule) for p in refused.value.problems]
    assert missing == [
        ("post-immediate.team-debriefed", "not-ready-to-close"),
        ("post-short-term.error-logs-reviewed", "not-ready-to-close"),
        ("review", "not-ready-to-close"),
    ]
    with site.db.read() as session:
        assert windows.require(session, wid).status == Status.COMPLETED
        before = precheck.judge_list(site, session, windows.require(session, wid), "post-long-term")
    assert [line.ok for line in before] == [False]
    with site.db.write() as session:
        precheck.ack(site, session, wid, "post-immediate.team-debriefed", TOM)
        precheck.ack(site, session, wid, "post-short-term.error-logs-reviewed", TOM)
        service.edit(site, session, wid, TOM, Written(lessons="Rehearse"))
    with pytest.raises(Forbidden), site.db.write() as session:
        closing.close(site, session, wid, RITA)  # a requester may not close
    with site.db.write() as session:
        closed = closing.close(site, session, wid, EMMA)
        row = audit.history(session, wid)[-1]
        ticket = precheck.judge_list(site, session, closed, "post-short-term")[-1]
        conducted = precheck.judge_list(site, session, closed, "post-long-term")[0]
    assert closed.status == Status.CLOSED
    assert (row.action, row.from_status, row.to_status) == ("close", "completed", "closed")
    assert ticket.ok and conducted.ok
    with pytest.raises(StateError), site.db.write() as session:
        closing.close(site, session, wid, EMMA)


def test_a_forced_close_is_an_admins_with_a_reason_kept_in_the_audit(
    site: Deps, clock: Clock
) -> None:
    wid = ran(site, clock)
    with pytest.raises(Forbidden), site.db.write() as session:
        closing.close(site, session, wid, TOM, force=True, reason="ticket tracked elsewhere")
    with pytest.raises(RuleViolation) as no_reason, site.db.write() as session:
        closing.close(site, session, wid, ROOT, force=True)
    assert no_reason.value.problems[0].field == "reason"
    with pytest.raises(Forbidden), site.db.write() as session:
        closing.close(site, session, wid, ROOT)  # an admin closes only by force
    with site.db.write() as session:
        closed = closing.close(site, session, wid, ROOT, force=True, reason="tracked in JIRA-1")
        row = audit.history(session, wid)[-1]
    assert closed.status == Status.CLOSED
    assert row.detail["comment"] == "tracked in JIRA-1" and row.detail["forced"] is True
    assert row.detail["missing"] == [
        "post-immediate.team-debriefed",
        "post-short-term.error-logs-reviewed",
        "review",
    ]


def test_a_window_in_progress_cannot_close(site: Deps, clock: Clock) -> None:
    wid = scheduled(site)
    clock.now = START
    move(site, "start", wid, TOM)
    with pytest.raises(StateError), site.db.write() as session:
        closing.close(site, session, wid, ROOT, force=True, reason="no")


def test_two_first_writes_of_a_review_one_wins_the_other_is_told(site: Deps, clock: Clock) -> None:
    from maintctl.store import reviews

    wid = ran(site, clock)
    with site.db.write() as session:
        assert reviews.put(session, wid, Written(lessons="a"), 0, "tom", clock()) == 1
        assert reviews.put(session, wid, Written(lessons="b"), 0, "rita", clock()) == 0
        assert reviews.put(session, wid, Written(lessons="c"), 1, "rita", clock()) == 2
        assert reviews.put(session, wid, Written(lessons="d"), 1, "tom", clock()) == 0
        assert reviews.get(session, wid) == (Written(lessons="c"), 2)
