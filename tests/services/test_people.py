"""Messages for one person alone, through the worker stepped in-process to a real SMTP server on
loopback and an Apprise json:// sink: who hears a signature waiting, approved and rejected."""

from __future__ import annotations

import email
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from maintctl.config import parse_config
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts, events, people, windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.services.render import Notice
from maintctl.store import jobs as job_store
from maintctl.store.db import Database
from maintctl.store.tables import JobRow
from maintctl.worker import Worker
from tests.channels.sinks import HttpSink, http_sink, smtp_sink
from tests.conftest import Clock
from tests.services.test_lifecycle import EMMA, PLANNED, RITA, TOM, VICTOR

ROOT = Principal("root", Role.ADMIN)
TOKEN = "victor-token-5be1f0"  # a made-up token the test looks for everywhere


@dataclass
class Town:
    """The deps, the SMTP server's envelopes and the Apprise sink everyone's messages reach."""

    deps: Deps
    mails: list[Any]
    push: HttpSink

    def drain(self) -> int:
        """Run every job due now, as `maintctl worker --once` does."""
        return Worker(self.deps, name="w").run_once()

    def inboxes(self) -> list[tuple[str, str]]:
        """(recipient, the message's event) of each email received, in order."""
        found = []
        for envelope in self.mails:
            parsed = email.message_from_bytes(envelope.content)
            found += [(to, str(parsed["Subject"])) for to in envelope.rcpt_tos]
        return found

    def recipients(self) -> list[str]:
        return sorted(to for to, _ in self.inboxes())


@contextmanager
def town(db: Database, clock: Clock, tmp_path: Path) -> Iterator[Town]:
    """Accounts of every kind: reachable by email, by Apprise, by nothing, disabled, a viewer."""
    with smtp_sink() as (port, mails), http_sink() as push:
        config = parse_config(
            f"people:\n  email: {{smtp: 'smtp://127.0.0.1:{port}', from: maint@example.com}}\n",
            "m.yaml",
            tmp_path,
        )
        deps = Deps.build(db, config, clock=clock, local=LocalIdentity("root"))
        victor_url = push.url.replace("http://", "json://") + f"/{TOKEN}"
        with db.write() as session:
            now = clock()
            for name, role, mail, url in (
                ("rita", "requester", "rita@example.com", ""),
                ("tom", "team-lead", "tom@example.com", ""),
                ("tam", "team-lead", "tam@example.com", ""),
                ("emma", "engineering-manager", "emma@example.com", ""),
                ("victor", "vp-engineering", "", victor_url),
                ("carl", "cto", "", ""),  # no way to reach him: skipped
                ("dan", "team-lead", "dan@example.com", ""),  # disabled below
                ("vera", "viewer", "vera@example.com", ""),
            ):
                accounts.add_user(session, ROOT, name, role, mail, now, url)
            accounts.disable_user(session, ROOT, "dan", now)
        yield Town(deps, mails, push)


def submitted(deps: Deps) -> str:
    with deps.db.write() as session:
        wid = windows.create(deps, session, PLANNED, RITA).id
        workflow.submit(deps, session, wid, RITA)
    return wid


def sign(deps: Deps, wid: str, who: Principal) -> None:
    with deps.db.write() as session:
        workflow.approve(deps, session, wid, who)


def people_jobs(deps: Deps) -> list[JobRow]:
    with deps.db.read() as session:
        rows = session.query(JobRow).filter(JobRow.kind == people.SEND_KIND).all()
        session.expunge_all()
    return sorted(rows, key=lambda r: r.id)


def test_a_signature_waiting_reaches_only_the_enabled_accounts_that_may_sign_the_level(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        assert t.drain() == 4  # tom, tam, emma by email; victor by Apprise; carl unreachable
        assert t.recipients() == ["emma@example.com", "tam@example.com", "tom@example.com"]
        assert len(t.push.hits) == 1 and t.push.hits[0].path.endswith(TOKEN)
        t.mails.clear()
        sign(t.deps, wid, TOM)  # level 2 wants an engineering manager or higher, not tom again
        assert t.drain() == 2
        assert t.recipients() == ["emma@example.com"]
        assert len(t.push.hits) == 2
    assert {r.payload["kind"] for r in people_jobs(t.deps)} == {people.SIGNATURE_WAITING}


def test_the_requester_hears_approved_at_the_final_signature_only(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        for signer in (TOM, EMMA):
            sign(t.deps, wid, signer)
        t.drain()
        t.mails.clear()
        sign(t.deps, wid, VICTOR)
        assert t.drain() == 1
        assert t.recipients() == ["rita@example.com"]
    assert people_jobs(t.deps)[-1].payload["kind"] == people.APPROVED


def test_the_requester_hears_rejected_with_the_reason(
    db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Notice] = []
    real = people.render_notice
    monkeypatch.setattr(people, "render_notice", lambda d, n: seen.append(n) or real(d, n))
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        t.drain()
        t.mails.clear()
        with t.deps.db.write() as session:
            workflow.reject(t.deps, session, wid, TOM, "The rollback plan is missing")
        assert t.drain() == 1
        assert t.recipients() == ["rita@example.com"]
    assert (seen[-1].kind, seen[-1].extra["reason"]) == (
        people.REJECTED,
        "The rollback plan is missing",
    )


def test_an_event_heard_twice_plans_nothing_more(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        before = len(people_jobs(t.deps))
        with t.deps.db.write() as session:
            window = windows.require(session, wid)
            people.on_event(t.deps, session, events.Event(events.SUBMITTED, window))
        assert len(people_jobs(t.deps)) == before == 4
        t.drain()
        assert len(t.mails) == 3


def test_an_account_with_no_way_to_reach_it_is_skipped_and_logged(
    db: Database, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="maintctl.services.people")
    with town(db, clock, tmp_path) as t:
        submitted(t.deps)
    assert not [r for r in people_jobs(t.deps) if r.payload["account"] == "carl"]
    assert any("carl has no email or Apprise URL" in r.getMessage() for r in caplog.records)


def test_without_people_email_in_the_config_only_apprise_urls_are_used(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path):
        bare = Deps.build(db, parse_config("{}", "m.yaml"), clock=clock)
        submitted(bare)
        assert [r.payload["account"] for r in people_jobs(bare)] == ["victor"]


def test_no_apprise_url_or_address_is_kept_in_a_job_or_its_result_or_the_logs(
    db: Database, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        t.drain()
        t.push.status = 500  # a failure's error is kept too: it must not hold the URL
        sign(t.deps, wid, TOM)
        t.drain()
    with db.read() as session:
        rows = job_store.page(session, 100, None, None)
    failed = [r for r in rows if r.status == "pending" and r.attempts == 1]
    assert [r.payload["account"] for r in failed] == ["victor"]
    assert failed[0].result == "channel people: Apprise could not deliver the message"
    kept = " ".join(f"{r.payload} {r.result}" for r in rows) + caplog.text
    assert TOKEN not in kept and "json://" not in kept


def test_a_scheduled_window_sent_back_to_approval_asks_its_first_level_again(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        for signer in (TOM, EMMA, VICTOR):
            sign(t.deps, wid, signer)
        t.drain()
        t.mails.clear()
        with t.deps.db.write() as session:
            moved = {"start": "2026-12-13T02:00:00Z", "end": "2026-12-13T04:00:00Z"}
            windows.modify(t.deps, session, wid, moved, RITA)
        t.drain()
        assert t.recipients() == ["emma@example.com", "tam@example.com", "tom@example.com"]


def test_a_signature_request_sent_late_goes_only_to_those_the_window_still_waits_for(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = submitted(t.deps)
        sign(t.deps, wid, TOM)  # before the worker ran: level 1's requests are stale now
        t.drain()
        # Level 2's: emma by email and victor by Apprise, once each; tam and tom hear nothing.
        assert t.recipients() == ["emma@example.com"]
        assert len(t.push.hits) == 1
    results = sorted(r.result or "" for r in people_jobs(t.deps) if "skipped" in (r.result or ""))
    assert len(results) == 4 and all("no longer waits" in r for r in results)
