"""Readiness: the precheck's judged items read the records; attested ones are each person's ack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from maintctl.config import parse_config
from maintctl.domain import bounds
from maintctl.domain.errors import RuleViolation, StateError
from maintctl.domain.roles import Forbidden, Principal, Role
from maintctl.services import accounts, precheck, statuspage, windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.services.precheck import Finding
from maintctl.store import audit, notifications
from maintctl.store import statuspage as synced
from maintctl.store.db import Database
from tests.conftest import ALICE, PLANNED_OUTAGE, Clock

ROOT = Principal("root", Role.ADMIN)
REQUESTER = Principal("rita", Role.REQUESTER)
DEV, OPS = Principal("dev", Role.REQUESTER), Principal("ops", Role.REQUESTER)
OUTSIDER = Principal("olga", Role.REQUESTER)
SIGNERS = [
    Principal("tom", Role.TEAM_LEAD),
    Principal("emma", Role.ENGINEERING_MANAGER),
    Principal("victor", Role.VP_ENGINEERING),
]
HOOK = (
    "  - {name: eng-hook, audience: internal-engineering,\n"
    "     webhook: {url: 'http://127.0.0.1:9/h', secret_file: sp.key}}\n"
)
HOSTED = (
    "  - name: hosted\n"
    "    audience: customers-all\n"
    "    statuspage: {page_id: p1, api_key_file: sp.key, api_url: 'http://127.0.0.1:9'}\n"
)
BASELINE = "precheck.baseline-captured"


def deps_with(db: Database, clock: Clock, tmp_path: Path, channels: str = "") -> Deps:
    (tmp_path / "sp.key").write_text("k", "utf-8")
    text = ("channels:\n" + channels) if channels else "{}\n"
    config = parse_config(text, "m.yaml", tmp_path)
    made = Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))
    with db.write() as session:
        for who in (REQUESTER, DEV, OPS, OUTSIDER, *SIGNERS):
            accounts.add_user(session, ROOT, who.name, who.role.value, "", clock())
    return made


@pytest.fixture
def deps(db: Database, clock: Clock, tmp_path: Path) -> Deps:
    return deps_with(db, clock, tmp_path, HOOK)


@contextmanager
def judged_by(judge: precheck.Judge) -> Iterator[None]:
    """The baseline item judged by `judge` for a while, then by the built-in judge again."""
    from maintctl.services import judges

    precheck.register_judge(BASELINE, judge)
    try:
        yield
    finally:
        precheck.register_judge(BASELINE, judges.baseline)


@pytest.fixture
def baseline_judge() -> Iterator[None]:
    """The baseline judged captured, whatever the runs say (the runs' own tests judge them)."""
    with judged_by(lambda j: Finding(True, "12 checks")):
        yield


def filed(deps: Deps, *, team: list[str] | None = None, signed: bool = False) -> str:
    raw = {
        **PLANNED_OUTAGE,
        "systems": ["db"],
        "team": team if team is not None else ["dev", "ops"],
    }
    with deps.db.write() as session:
        made = windows.create(deps, session, raw, REQUESTER)
        if signed:
            workflow.submit(deps, session, made.id, REQUESTER)
            for signer in SIGNERS:
                workflow.approve(deps, session, made.id, signer)
    return made.id


def lines(deps: Deps, wid: str) -> dict[str, str]:
    report = precheck.precheck(deps, wid, REQUESTER)
    return {line.name.split(".")[1]: line.text() for line in report.lines}


def ack(deps: Deps, wid: str, item: str, who: Principal, undo: bool = False) -> None:
    with deps.db.write() as session:
        precheck.ack(deps, session, wid, f"precheck.{item}", who, undo)


def send_everything_due(deps: Deps, wid: str) -> None:
    with deps.db.write() as session:
        ids = [r.id for r in notifications.of_window(session, wid)]
        notifications.move(session, ids, notifications.SENT, notifications.WAITING)


def test_a_draft_is_not_ready_and_each_line_says_what_is_missing(deps: Deps) -> None:
    wid = filed(deps)
    report = precheck.precheck(deps, wid, REQUESTER)
    assert not report.ready
    found = {line.name: line for line in report.lines}
    assert found["precheck.approvals-verified"].text() == (
        "[FAIL] Approvals verified (a draft, never submitted)"
    )
    assert found["precheck.approvals-verified"].fix == f"maintctl window submit {wid}"
    assert found["precheck.team-available"].text() == "[FAIL] Team available (0/2)"
    assert "dev, ops: maintctl ack" in found["precheck.team-available"].fix
    assert found["precheck.on-call-briefed"].text() == "[FAIL] On-call aware (not acknowledged)"
    # With no checks configured there is no baseline to capture: it says so, and never passes.
    assert found[BASELINE].text() == (
        "[FAIL] Baseline captured (not judged: no checks are configured, so there is no baseline"
        " to capture)"
    )
    assert found["precheck.status-page-updated"].ok is False
    assert found["precheck.channel-established"].text() == (
        "[OK] Communication channel established (eng-hook)"
    )


def test_a_scheduled_window_with_every_item_settled_is_ready(
    deps: Deps, baseline_judge: None
) -> None:
    wid = filed(deps, signed=True)
    send_everything_due(deps, wid)
    for who in (DEV, OPS):
        ack(deps, wid, "team-available", who)
    for item in ("on-call-briefed", "runbook-reviewed", "rollback-plan-confirmed"):
        ack(deps, wid, item, REQUESTER)
    report = precheck.precheck(deps, wid, REQUESTER)
    assert [line.text() for line in report.lines] == [
        "[OK] Approvals verified (3/3 signed)",
        "[OK] Notifications sent (1/1 due so far)",
        "[OK] Status page updated (public)",
        "[OK] On-call aware (by rita)",
        "[OK] Team available (2/2)",
        "[OK] Runbook reviewed (by rita)",
        "[OK] Rollback plan confirmed (by rita)",
        "[OK] Communication channel established (eng-hook)",
        "[OK] Baseline captured (12 checks)",
    ]
    assert report.ready


def test_a_due_draft_not_sent_is_missing_and_named_with_the_command_to_send_it(
    deps: Deps, clock: Clock
) -> None:
    wid = filed(deps, signed=True)
    send_everything_due(deps, wid)  # the initial notice to engineering, due at once
    now = clock()
    with deps.db.write() as session:
        draft = notifications.plan(
            session, wid, "initial", "customers-enterprise", "mail", manual=True,
            due_at=now, status=notifications.DRAFT, now=now,
        )  # fmt: skip
        later = notifications.plan(
            session, wid, "reminder-24h", "customers-all", "mail", manual=True,
            due_at=now.replace(year=2027), status=notifications.DRAFT, now=now,
        )  # fmt: skip
    report = precheck.precheck(deps, wid, REQUESTER)
    line = next(x for x in report.lines if x.name == "precheck.notifications-sent")
    assert not line.ok
    assert f"N-{draft} initial to customers-enterprise (draft)" in line.detail
    assert f"N-{later}" not in line.detail  # not due yet
    assert line.fix == f"send the drafts: maintctl notify send N-{draft}"
    with deps.db.write() as session:
        notifications.move(session, draft, notifications.SENT, notifications.WAITING)
    line = next(x for x in precheck.precheck(deps, wid, REQUESTER).lines if "notif" in x.name)
    assert line.ok and line.detail == "2/2 due so far"


def test_ack_refuses_judged_and_unknown_items_naming_why(deps: Deps) -> None:
    wid = filed(deps)
    with pytest.raises(RuleViolation) as judged:
        ack(deps, wid, "approvals-verified", REQUESTER)
    assert "judged from the records, never acknowledged" in judged.value.problems[0].message
    with pytest.raises(RuleViolation) as unknown:
        ack(deps, wid, "coffee-made", REQUESTER)
    assert "precheck.on-call-briefed" in unknown.value.problems[0].fix


def test_each_team_member_acks_for_themself_and_an_undo_is_in_the_audit_trail(
    deps: Deps,
) -> None:
    wid = filed(deps)
    with pytest.raises(Forbidden):
        ack(deps, wid, "team-available", SIGNERS[0])  # an approver, but not on the team
    ack(deps, wid, "team-available", DEV)
    ack(deps, wid, "team-available", DEV)  # twice is once
    assert lines(deps, wid)["team-available"] == "[FAIL] Team available (1/2)"
    ack(deps, wid, "team-available", DEV, undo=True)
    assert lines(deps, wid)["team-available"] == "[FAIL] Team available (0/2)"
    with pytest.raises(RuleViolation) as never:
        ack(deps, wid, "team-available", OPS, undo=True)
    assert "you have not acknowledged" in never.value.problems[0].message
    with deps.db.read() as session:
        trail = [(r.actor, r.action, r.detail.get("item")) for r in audit.history(session, wid)]
    assert trail[1:] == [
        ("dev", "ack", "precheck.team-available"),
        ("dev", "ack-undo", "precheck.team-available"),
    ]


def test_an_outsider_may_not_ack_and_a_cancelled_window_takes_no_ack(deps: Deps) -> None:
    wid = filed(deps)
    with pytest.raises(Forbidden):
        ack(deps, wid, "on-call-briefed", OUTSIDER)
    ack(deps, wid, "on-call-briefed", DEV)  # on the team
    with deps.db.write() as session:
        windows.cancel(deps, session, wid, "not needed", REQUESTER)
    with pytest.raises(StateError):
        ack(deps, wid, "on-call-briefed", REQUESTER)


def test_an_empty_team_never_passes(deps: Deps) -> None:
    wid = filed(deps, team=[])
    found = lines(deps, wid)
    assert found["team-available"] == "[FAIL] Team available (no team named)"


def test_a_viewer_may_not_run_the_precheck(deps: Deps) -> None:
    wid = filed(deps)
    with pytest.raises(Forbidden):
        precheck.precheck(deps, wid, Principal("vic", Role.VIEWER))


def test_the_team_must_be_existing_enabled_accounts(deps: Deps) -> None:
    with pytest.raises(RuleViolation) as refused:
        filed(deps, team=["dev", "ghost"])
    assert [p.message for p in refused.value.problems] == ["ghost is no account"]
    wid = filed(deps, team=["dev"])
    with deps.db.write() as session:
        changed = windows.modify(deps, session, wid, {"team": "dev,ops"}, REQUESTER)
    assert changed.spec.team == ["dev", "ops"]
    with pytest.raises(RuleViolation):
        filed(deps, team=["Not A Name"])


def test_a_hosted_statuspage_not_yet_synced_fails_until_it_is(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = deps_with(db, clock, tmp_path, HOOK + HOSTED)
    wid = filed(deps, signed=True)
    assert lines(deps, wid)["status-page-updated"] == (
        "[FAIL] Status page updated (Statuspage not in step: hosted)"
    )
    channel = deps.config.channel("hosted")
    assert channel is not None
    with deps.db.write() as session:
        window = windows.require(session, wid)
        state = statuspage.wanted(
            window, deps.config.policy.types["planned-outage"], deps.config, channel
        )
        assert state is not None
        synced.hold(session, "hosted", wid, "t", clock(), statuspage.LEASE)
        synced.record(session, "hosted", wid, "t", clock(), incident_id="inc1", synced=state)
    assert lines(deps, wid)["status-page-updated"] == (
        "[OK] Status page updated (public; Statuspage hosted synced)"
    )


def test_no_engineering_chat_or_a_failed_last_send_fails_the_channel_item(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    bare = deps_with(db, clock, tmp_path)
    wid = filed(bare)
    assert lines(bare, wid)["channel-established"] == (
        "[FAIL] Communication channel established "
        "(no chat or webhook channel for internal-engineering is configured)"
    )
    deps = Deps.build(db, parse_config("channels:\n" + HOOK, "m.yaml", tmp_path), clock=clock)
    now = clock()
    with deps.db.write() as session:
        made = notifications.plan(
            session, wid, "initial", "internal-engineering", "eng-hook", manual=False,
            due_at=now, status=notifications.FAILED, now=now,
        )  # fmt: skip
        assert made is not None
        notifications.attempt(session, made, now, False, "HTTP 500 from the hook")
    assert lines(deps, wid)["channel-established"] == (
        "[FAIL] Communication channel established "
        "(the last send to eng-hook failed: HTTP 500 from the hook)"
    )
    with deps.db.write() as session:
        notifications.attempt(session, made, now, True, "HTTP 200")
    assert lines(deps, wid)["channel-established"] == (
        "[OK] Communication channel established (eng-hook; last send ok)"
    )


def test_a_judge_registered_for_an_item_decides_it(deps: Deps) -> None:
    wid = filed(deps)
    with judged_by(lambda j: Finding(False, "no baseline", "capture one")):
        line = next(x for x in precheck.precheck(deps, wid, ALICE).lines if x.name == BASELINE)
    assert line.text() == "[FAIL] Baseline captured (no baseline)" and line.fix == "capture one"


def test_the_on_call_item_names_the_contacts_for_the_windows_systems(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = deps_with(db, clock, tmp_path)
    config = parse_config(
        "contacts:\n"
        "  - {duty: maintenance-lead, name: Rotating, contact: '#maintenance'}\n"
        "  - {duty: database-admin, account: dev, contact: '@dba-oncall', systems: [db]}\n"
        "  - {duty: network-admin, name: Nadia, contact: '@network-oncall', systems: [lb]}\n",
        "m.yaml",
        tmp_path,
    )
    deps = Deps.build(db, config, clock=clock)
    wid = filed(deps)  # on db
    report = precheck.precheck(deps, wid, REQUESTER)
    assert [c.duty for c in report.contacts] == ["maintenance-lead", "database-admin"]
    oncall = next(x for x in report.lines if x.name == "precheck.on-call-briefed")
    assert oncall.fix == (
        "brief maintenance-lead #maintenance, database-admin @dba-oncall; "
        f"then maintctl ack {wid} precheck.on-call-briefed"
    )


def test_acks_and_undos_on_one_window_are_bounded(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "ACKS_PER_WINDOW_MAX", 3)
    wid = filed(deps)
    for _ in range(2):  # 2 rounds: ack, ack again (no change, no row), undo
        ack(deps, wid, "runbook-reviewed", DEV)
        ack(deps, wid, "runbook-reviewed", DEV)
        ack(deps, wid, "runbook-reviewed", DEV, undo=True)
    ack(deps, wid, "runbook-reviewed", DEV)  # the third row
    ack(deps, wid, "runbook-reviewed", DEV, undo=True)  # an undo adds no row
    with pytest.raises(RuleViolation) as full:
        ack(deps, wid, "runbook-reviewed", DEV)
    assert full.value.problems[0].rule == "too-many"


def test_the_baseline_item_is_judged_from_the_windows_baseline_runs(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    from maintctl.services import runs
    from maintctl.worker import Worker
    from tests.channels.sinks import free_port

    (tmp_path / "sp.key").write_text("k", "utf-8")
    text = (
        "checks:\n"
        f"  - {{name: queue, group: infrastructure, kind: tcp, host: 127.0.0.1,"
        f" port: {free_port()}, timeout: 1s}}\n"
    )
    made = Deps.build(db, parse_config(text, "m.yaml", tmp_path), clock=clock)
    with db.write() as session:
        accounts.add_user(session, ROOT, REQUESTER.name, REQUESTER.role.value, "", clock())
    wid = filed(made, team=[])
    found = {line.name: line for line in precheck.precheck(made, wid, REQUESTER).lines}
    assert found[BASELINE].text() == "[FAIL] Baseline captured (no baseline captured)"
    assert found[BASELINE].fix == f"maintctl validate --window {wid} --baseline capture"
    with db.write() as session:
        runs.start(made, session, REQUESTER, runs.Ask(window_id=wid, purpose="baseline"))
    Worker(made, name="test-worker").run_once()  # one run of one check (a closed port: fails)
    found = {line.name: line for line in precheck.precheck(made, wid, REQUESTER).lines}
    assert found[BASELINE].ok and found[BASELINE].text().startswith("[OK] Baseline captured")
