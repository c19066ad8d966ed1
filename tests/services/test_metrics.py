"""/metrics' gauges from the records, read back with prometheus_client's own parser. Both
databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from maintctl.domain.checks import Result
from maintctl.domain.checks import Status as CheckStatus
from maintctl.services import metrics, windows
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import notifications
from maintctl.store import validation as runs_store
from maintctl.store.tables import JobRow
from tests.conftest import ALICE, Clock
from tests.services.test_lifecycle import PLANNED, RITA, START, move, scheduled


def scrape(deps: Deps) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Each family's samples by their sorted labels, as Prometheus would read the text."""
    text = metrics.exposition(deps, ALICE).decode()
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_an_empty_database_answers_every_family_with_no_lag(deps: Deps) -> None:
    text = metrics.exposition(deps, ALICE).decode()
    names = {f.name for f in text_string_to_metric_families(text)}
    assert names == {
        "maintctl_windows",
        "maintctl_maintenance_active",
        "maintctl_maintenance_mode",
        "maintctl_traffic_mode",
        "maintctl_notifications",
        "maintctl_jobs_dead",
        "maintctl_outbox_lag_seconds",
        "maintctl_check_ok",
        "maintctl_check_latency_seconds",
        "maintctl_validation_last_run_timestamp_seconds",
    }
    assert scrape(deps)["maintctl_outbox_lag_seconds"] == {(): 0.0}


def test_maintenance_is_active_on_a_systems_window_while_it_runs_and_not_after(
    deps: Deps, clock: Clock
) -> None:
    wid = scheduled(deps)  # on db
    with deps.db.write() as session:
        windows.create(deps, session, {**PLANNED, "systems": ["api"]}, RITA)  # a draft
    assert "maintctl_maintenance_active" not in scrape(deps)
    clock.now = START - timedelta(minutes=5)
    move(deps, "start", wid, RITA)
    found = scrape(deps)
    assert found["maintctl_maintenance_active"] == {(("system", "db"),): 1.0}
    assert found["maintctl_windows"] == {
        (("status", "draft"), ("type", "planned-outage")): 1.0,
        (("status", "in_progress"), ("type", "planned-outage")): 1.0,
    }
    move(deps, "complete", wid, RITA)
    found = scrape(deps)
    assert "maintctl_maintenance_active" not in found
    assert found["maintctl_windows"][(("status", "completed"), ("type", "planned-outage"))] == 1


def test_notices_dead_jobs_and_the_outbox_lag_are_counted(deps: Deps, clock: Clock) -> None:
    now = clock()
    with deps.db.write() as session:
        plan: dict[str, Any] = {"manual": False, "due_at": now, "now": now}
        for n, status in enumerate(("sent", "sent", "failed", "planned")):
            notifications.plan(session, "MNT-1", "initial", f"a{n}", "c", status=status, **plan)
        # Due 90 s ago and not claimed; one due later does not count; one dead.
        job_store.enqueue(session, "notify.send", {}, now - timedelta(seconds=90), "k1", now)
        job_store.enqueue(session, "notify.send", {}, now + timedelta(hours=1), "k2", now)
        job_store.enqueue(session, "notify.send", {}, now - timedelta(days=1), "k3", now)
        session.execute(update(JobRow).where(JobRow.idempotency_key == "k3").values(status="dead"))
    found = scrape(deps)
    assert found["maintctl_notifications"] == {
        (("status", "sent"),): 2.0,
        (("status", "failed"),): 1.0,
        (("status", "planned"),): 1.0,
    }
    assert found["maintctl_jobs_dead"] == {(("kind", "notify.send"),): 1.0}
    assert found["maintctl_outbox_lag_seconds"] == {(): 90.0}


def test_the_last_validation_runs_checks_are_gauges_one_of_eight_failing(
    deps: Deps, clock: Clock
) -> None:
    for statuses in ([CheckStatus.FAIL] * 8, [CheckStatus.PASS] * 7 + [CheckStatus.FAIL]):
        clock.now += timedelta(minutes=1)
        with deps.db.write() as session:
            run = runs_store.create(
                session,
                window_id=None,
                mode="quick",
                groups=[],
                purpose="check",
                started_by="rita",
                now=clock(),
                config_hash=None,
            )
            for n, status in enumerate(statuses):
                result = Result(f"c{n}", "services", "http", status, 1, "ms", 250 * (n + 1), "")
                runs_store.put_result(session, run.id, result, clock())
            runs_store.finish(session, run.id, "failed", clock())
    # A run still going is not the last one with a verdict.
    with deps.db.write() as session:
        runs_store.create(
            session,
            window_id=None,
            mode="quick",
            groups=[],
            purpose="check",
            started_by="rita",
            now=clock(),
            config_hash=None,
        )
    found = scrape(deps)
    ok = found["maintctl_check_ok"]
    assert len(ok) == 8 and sum(ok.values()) == 7 and ok[(("check", "c7"),)] == 0
    assert found["maintctl_check_latency_seconds"][(("check", "c3"),)] == 1.0
    stamp = found["maintctl_validation_last_run_timestamp_seconds"][()]
    assert stamp == clock().timestamp()


def test_maintenance_and_traffic_mode_read_as_gauges_per_scope(deps: Deps) -> None:
    from maintctl.domain.mode import Kind
    from maintctl.domain.roles import Principal, Role
    from maintctl.services import mode

    lead = Principal("tina", Role.TEAM_LEAD)
    with deps.db.write() as session:
        mode.change(deps, session, lead, Kind.TRAFFIC, "read-only", systems=["db"], reason="x")
        mode.change(deps, session, lead, Kind.MAINTENANCE, "on", message="Back at 4")
    found = scrape(deps)
    assert found["maintctl_maintenance_mode"] == {(("scope", "*"),): 1.0}
    assert found["maintctl_traffic_mode"] == {
        (("mode", "normal"), ("scope", "db")): 0.0,
        (("mode", "read-only"), ("scope", "db")): 1.0,
        (("mode", "maintenance"), ("scope", "db")): 0.0,
    }
