"""The overdue reminder of an action item: its owner told once, by the worker, never twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from maintctl.config import parse_config
from maintctl.services import accounts, actions
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.channels.sinks import smtp_sink
from tests.conftest import Clock
from tests.services.test_lifecycle import ROOT, START, TOM, move, scheduled


def test_an_overdue_action_reminds_its_owner_once_and_a_done_one_not_at_all(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with smtp_sink() as (port, mails):
        config = parse_config(
            f"people:\n  email: {{smtp: 'smtp://127.0.0.1:{port}', from: maint@example.com}}\n",
            "m.yaml",
            tmp_path,
        )
        deps = Deps.build(db, config, clock=clock, local=LocalIdentity("root"))
        with db.write() as session:
            for name, role in (("rita", "requester"), ("tom", "team-lead"), ("otto", "requester")):
                accounts.add_user(session, ROOT, name, role, f"{name}@example.com", clock())
        wid = scheduled(deps)
        clock.now = START
        move(deps, "start", wid, TOM)
        clock.now = START + timedelta(hours=2)
        move(deps, "complete", wid, TOM)
        worker = Worker(deps, name="w")
        worker.run_once()
        mails.clear()
        with db.write() as session:
            late = actions.add(deps, session, wid, TOM, "Automate <failover>", "otto", "2026-12-08")
            kept = actions.add(deps, session, wid, TOM, "Update runbook", "tom", "2026-12-08")
        worker.run_once()
        assert mails == []  # not due yet
        with db.write() as session:
            actions.done(deps, session, kept.id, TOM)
        clock.now = late.due_at + timedelta(minutes=5)
        for _ in range(3):  # three worker passes, one reminder: keyed by the item
            worker.run_once()
        clock.now += timedelta(days=2)
        worker.run_once()
    # The lead also hears of the post-maintenance lists in these days: only the action's mails.
    about = [m for m in mails if f"A-{late.id}" in m.content.decode()]
    assert [m.rcpt_tos for m in about] == [["otto@example.com"]]
    text = about[0].content.decode()
    assert f"A-{late.id}" in text and "Automate" in text
