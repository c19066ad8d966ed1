"""The worker's timers during a window, with the service clock injected and the worker stepped
in-process: the no-update reminder to the lead (once per silence) and the overdue alert (once)."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintctl.config import parse_config
from maintctl.domain.model import Status
from maintctl.services import accounts, watch, windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from maintctl.store.tables import Base
from maintctl.worker import Worker
from tests.channels.sinks import HttpSink, http_sink, smtp_sink
from tests.conftest import NOW, Clock
from tests.services.test_lifecycle import RITA, ROOT, START, TOM, move, scheduled

END = START + timedelta(hours=2)
MINUTE = timedelta(minutes=1)


@dataclass
class Site:
    deps: Deps
    clock: Clock
    mails: list[Any]
    hook: HttpSink
    wid: str

    def drain(self) -> int:
        """Run every job due now, as `maintctl worker --once` does."""
        return Worker(self.deps, name="w").run_once()

    def at(self, moment: Any) -> int:
        """Move the clock to `moment` and run what fell due."""
        self.clock.now = moment
        return self.drain()

    def reminders(self) -> list[list[str]]:
        """Recipients of each progress reminder (not the post-maintenance checklist's)."""
        return [
            envelope.rcpt_tos
            for envelope in self.mails
            if "[Checklist Overdue]" not in _subject(envelope.content)
        ]

    def alerts(self) -> list[dict[str, Any]]:
        """The overdue alerts the sink received (the same channel also hears the timeline)."""
        bodies = [json.loads(hit.body) for hit in self.hook.hits]
        return [body for body in bodies if body["event"] == "overdue"]


def _subject(content: bytes) -> str:
    """A message's subject, unfolded."""
    return " ".join(str(email.message_from_bytes(content)["Subject"]).split())


@contextmanager
def site(
    db: Database, clock: Clock, tmp_path: Path, policy: str = "", lead: str | None = None
) -> Iterator[Site]:
    """People reached by email; internal-engineering by a webhook (automated) and a manual email."""
    (tmp_path / "hook.key").write_text("k", "utf-8")
    with smtp_sink() as (port, mails), http_sink() as hook:
        config = parse_config(
            f"people:\n  email: {{smtp: 'smtp://127.0.0.1:{port}', from: maint@example.com}}\n"
            "channels:\n"
            "  - {name: eng-hook, audience: internal-engineering,\n"
            f"     webhook: {{url: '{hook.url}/eng', secret_file: hook.key}}}}\n"
            "  - {name: eng-mail, audience: internal-engineering, manual: true,\n"
            f"     email: {{smtp: 'smtp://127.0.0.1:{port}', from: m@example.com,\n"
            "              to: [x@example.com]}}\n" + policy,
            "m.yaml",
            tmp_path,
        )
        deps = Deps.build(db, config, clock=clock, local=LocalIdentity("root"))
        with db.write() as session:
            for name, role in (("rita", "requester"), ("tom", "team-lead")):
                accounts.add_user(session, ROOT, name, role, f"{name}@example.com", clock())
        wid = scheduled(deps)
        clock.now = START
        move(deps, "start", wid, TOM, lead=lead)  # tom leads it, unless he names another
        Worker(deps, name="w").run_once()
        mails.clear()  # the signatures' messages are another test's
        yield Site(deps, clock, mails, hook, wid)


def test_a_silent_window_reminds_its_lead_once_after_30_minutes(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with site(db, clock, tmp_path) as s:
        s.at(START + 29 * MINUTE)
        assert s.reminders() == []
        s.at(START + 30 * MINUTE)
        assert s.reminders() == [["tom@example.com"]]
        for minutes in (31, 60, 90, 119):  # 4 later looks: still the same silence
            s.at(START + minutes * MINUTE)
        assert s.reminders() == [["tom@example.com"]]


def test_an_update_rearms_the_reminder_for_a_new_silence(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with site(db, clock, tmp_path) as s:
        wid = s.wid
        s.clock.now = START + 20 * MINUTE
        move(s.deps, "progress", wid, TOM, step=1, of=3, task="Backup")
        s.at(START + 30 * MINUTE)  # the start's timer finds the update and stays quiet
        assert s.reminders() == []
        s.at(START + 49 * MINUTE)
        assert s.reminders() == []
        s.at(START + 50 * MINUTE)  # 30 minutes after the update
        assert s.reminders() == [["tom@example.com"]]
        s.clock.now = START + 55 * MINUTE
        move(s.deps, "progress", wid, TOM, step=2, of=3, task="Migrate")
        s.at(START + 85 * MINUTE)
        assert s.reminders() == [["tom@example.com"], ["tom@example.com"]]


def test_no_reminder_or_alert_once_the_window_is_completed(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with site(db, clock, tmp_path) as s:
        s.clock.now = START + 10 * MINUTE
        move(s.deps, "complete", s.wid, TOM)
        s.at(END + timedelta(hours=1))
        assert (s.reminders(), s.alerts()) == ([], [])


def test_an_aborted_window_is_not_watched(db: Database, clock: Clock, tmp_path: Path) -> None:
    with site(db, clock, tmp_path) as s:
        s.clock.now = START + 10 * MINUTE
        move(s.deps, "abort", s.wid, TOM, "called off")
        s.at(END + timedelta(hours=1))
        assert (s.reminders(), s.alerts()) == ([], [])


def test_a_window_past_its_end_alerts_engineering_once_and_stays_in_progress(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with site(db, clock, tmp_path) as s:
        wid = s.wid
        s.clock.now = END - 5 * MINUTE
        move(s.deps, "progress", wid, TOM, step=3, of=3, task="Verify")
        s.at(END - MINUTE)
        assert s.alerts() == []
        s.at(END)
        [alert] = s.alerts()
        assert alert["event"] == watch.OVERDUE and alert["window"]["id"] == wid
        [hit] = [h for h in s.hook.hits if json.loads(h.body)["event"] == "overdue"]
        assert hit.headers["idempotency-key"] == f"overdue:{wid}:eng-hook"
        for minutes in (1, 30, 60, 120):  # 4 later looks: once is enough
            s.at(END + minutes * MINUTE)
        assert len(s.alerts()) == 1
        assert "x@example.com" not in [to for rcpts in s.reminders() for to in rcpts]  # manual
        with s.deps.db.read() as session:
            assert windows.require(session, wid).status == Status.IN_PROGRESS


def test_the_grace_and_the_silence_come_from_the_policy(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    policy = "policy:\n  execution: {progress_reminder: 10m, overdue_grace: 15m}\n"
    with site(db, clock, tmp_path, policy) as s:
        s.at(START + 10 * MINUTE)
        assert s.reminders() == [["tom@example.com"]]
        s.at(END + 14 * MINUTE)
        assert s.alerts() == []
        s.at(END + 15 * MINUTE)
        assert len(s.alerts()) == 1


def test_the_lead_named_at_start_is_the_one_reminded(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with site(db, clock, tmp_path, lead=RITA.name) as s:  # tom starts it, rita leads
        s.at(START + 30 * MINUTE)
        assert s.reminders() == [["rita@example.com"]]


# 12 examples: each a window of its own, started at START, updated after each gap.
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    silence=st.integers(min_value=1, max_value=90),
    gaps=st.lists(st.integers(min_value=1, max_value=120), max_size=4),
)
def test_each_silence_as_long_as_the_policy_says_reminds_once_and_shorter_ones_never(
    db: Database, clock: Clock, tmp_path: Path, silence: int, gaps: list[int]
) -> None:
    policy = f"policy:\n  execution: {{progress_reminder: {silence}m}}\n"
    clock.now = NOW
    with db.write() as session:  # each example starts afresh (the trails are append-only)
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in ("audit", "account_audit", "id_counters"):
                session.execute(table.delete())
    with site(db, clock, tmp_path, policy) as s:
        step = silence * MINUTE
        heard = 0
        at = START
        for number, gap in enumerate(gaps, start=1):
            if gap >= silence:
                if silence > 1:
                    s.at(at + step - MINUTE)
                    assert len(s.reminders()) == heard  # not a minute early
                s.at(at + step)
                heard += 1
                assert len(s.reminders()) == heard
            at += gap * MINUTE
            s.at(at)
            move(s.deps, "progress", s.wid, TOM, step=number, of=len(gaps), task="Work")
        s.at(at + step)
        s.at(at + 10 * step)  # a long silence is still one silence
        assert len(s.reminders()) == heard + 1
