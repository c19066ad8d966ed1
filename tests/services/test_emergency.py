"""Emergencies: EMT-YYYYMMDDHHMM (-2 for a second in one minute), refused without a reason, an
impact or a duration (nothing written), vp-engineering and higher paged urgently; a team-lead's
signature refused by name, a VP's starting it at the signature with a past start and overlaps
only warned (on PostgreSQL, past the no-double-booking constraint too). Both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Severity, Status, Window
from maintctl.domain.roles import Forbidden, Principal
from maintctl.services import emergency, events, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from maintctl.store.tables import WindowRow
from tests.conftest import NOW, Clock
from tests.services.test_lifecycle import RITA, TOM, VERA, VICTOR, move, scheduled, trail
from tests.services.test_people import people_jobs, town

ASK = emergency.Ask("CVE-2026-1234 in the TLS library", "API restarts, 1-2 minutes", "1h", ("db",))


def filed(deps: Deps, ask: emergency.Ask = ASK, who: Principal = RITA) -> str:
    with deps.db.write() as session:
        return emergency.start(deps, session, who, ask).id


def count(deps: Deps) -> int:
    with deps.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(WindowRow)) or 0)


def test_ids_follow_the_runbook_with_a_suffix_for_a_second_in_one_minute(deps: Deps) -> None:
    first, second = filed(deps), filed(deps)
    assert (first, second) == ("EMT-202611271200", "EMT-202611271200-2")
    with deps.db.read() as session:
        window = windows.require(session, first)
    assert window.status == Status.PENDING_APPROVAL and window.spec.type == "emergency"
    assert (window.spec.description, window.spec.impact) == (ASK.reason, ASK.impact)
    assert window.spec.end - window.spec.start == timedelta(hours=1)


@pytest.mark.parametrize(
    ("ask", "field"),
    [  # 4 refusals, each naming its field
        (emergency.Ask("", "x", "1h"), "reason"),
        (emergency.Ask("why", " ", "1h"), "impact"),
        (emergency.Ask("why", "x", "soon"), "duration"),
        (emergency.Ask("why", "x", "0m"), "duration"),
    ],
)
def test_a_missing_reason_impact_or_duration_is_refused_by_name_and_nothing_written(
    deps: Deps, ask: emergency.Ask, field: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        filed(deps, ask)
    assert [p.field for p in caught.value.problems] == [field]
    assert count(deps) == 0


def test_a_viewer_may_not_start_one(deps: Deps) -> None:
    with pytest.raises(Forbidden):
        filed(deps, who=VERA)


def test_vp_engineering_and_higher_are_paged_urgently(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with town(db, clock, tmp_path) as t:
        wid = filed(t.deps)
        # victor (vp, by Apprise) and carl (cto, unreachable): no team-lead nor manager
        assert [r.payload["account"] for r in people_jobs(t.deps)] == ["victor"]
        assert people_jobs(t.deps)[0].window_id == wid
        assert t.drain() == 1
        body = t.push.hits[0].body.decode()
        assert "URGENT" in body and ASK.reason in body and "1 hour" in body


def test_a_team_leads_signature_is_refused_and_a_vps_starts_it_at_the_signature(
    deps: Deps, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = filed(deps)
    with pytest.raises(Forbidden) as caught:
        move_sign(deps, wid, TOM)
    assert "vp-engineering or higher (you are team-lead)" in caught.value.problems[0].message
    heard: list[str] = []
    original = events.announce

    def spy(*args: object, **kw: object) -> None:
        heard.append(str(args[2]))
        original(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(events, "announce", spy)
    clock.now = NOW + timedelta(minutes=25)  # signed late: the planned start is past
    signed = move_sign(deps, wid, VICTOR)
    assert heard == [events.SCHEDULED, events.STARTED]
    assert signed.status == Status.IN_PROGRESS and signed.lead == RITA.name
    assert signed.actual_start == signed.spec.start == clock.now
    assert signed.spec.end == clock.now + timedelta(hours=1)
    assert (signed.published_start, signed.published_end) == (signed.spec.start, signed.spec.end)
    assert [t[0] for t in trail(deps, wid)] == ["create", "submit", "approve", "start"]
    done = move(deps, "complete", wid, RITA)  # no quick checks here: completed at once
    assert done.status == Status.COMPLETED


def move_sign(deps: Deps, wid: str, who: Principal) -> Window:
    with deps.db.write() as session:
        return workflow.approve(deps, session, wid, who)


def test_an_overlap_with_a_window_in_progress_only_warns(deps: Deps, clock: Clock) -> None:
    planned = scheduled(deps)  # a planned outage on db, 2026-12-06 02:00 to 04:00
    clock.now = planned_start = windows_start(deps, planned)
    move(deps, "start", planned, RITA)
    wid = filed(deps)  # on db, from now: overlapping the outage in progress
    signed = move_sign(deps, wid, VICTOR)
    assert signed.status == Status.IN_PROGRESS and signed.spec.start == planned_start
    warned = [c for c in signed.conflicts if c.severity == Severity.WARN]
    assert [c.name for c in warned] == ["overlap"] and planned in warned[0].detail


def windows_start(deps: Deps, wid: str) -> datetime:
    with deps.db.read() as session:
        return windows.require(session, wid).spec.start


def test_resolve_is_for_emergencies_only(deps: Deps, clock: Clock) -> None:
    planned = scheduled(deps)
    with deps.db.write() as session, pytest.raises(RuleViolation) as caught:
        emergency.resolve(deps, session, planned, RITA)
    assert caught.value.problems[0].rule == "not-an-emergency"
