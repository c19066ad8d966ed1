"""`GET /metrics`: maintctl's state for Prometheus, collected from the database on each scrape.

Nothing is counted in memory: every replica answers the same from the shared database, and a
restart loses nothing. A custom collector (no global registry) runs each source in `SOURCES`
in one read transaction; each source is a few grouped counts (store/metrics.py). docs/after.md
shows the alert rule `... unless on(system) maintctl_maintenance_active == 1`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy.orm import Session

from maintctl.domain.checks import Status as CheckStatus
from maintctl.domain.errors import Problem
from maintctl.domain.model import Status
from maintctl.domain.roles import Principal, Unauthenticated
from maintctl.services.deps import Deps
from maintctl.store import metrics as store

MEDIA_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# A window's systems are under maintenance from its start until its validation is done.
UNDER_WAY = [Status.IN_PROGRESS.value, Status.VERIFYING.value]

Source = Callable[[Deps, Session, datetime], Iterable[Metric]]


def windows(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    found = GaugeMetricFamily(
        "maintctl_windows", "Maintenance windows by status and type", labels=["status", "type"]
    )
    for status, kind, count in store.windows_by_status_and_type(session):
        found.add_metric([status, kind], count)
    yield found


def maintenance_active(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    found = GaugeMetricFamily(
        "maintctl_maintenance_active",
        "1 while a window on the system is in progress or verifying",
        labels=["system"],
    )
    for system in store.systems_under_way(session, UNDER_WAY):
        found.add_metric([system], 1)
    yield found


def notifications(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    found = GaugeMetricFamily(
        "maintctl_notifications",
        "Notices by status (planned, queued, draft, sent, skipped, cancelled, failed)",
        labels=["status"],
    )
    for status, count in store.notifications_by_status(session):
        found.add_metric([status], count)
    yield found
    dead = GaugeMetricFamily(
        "maintctl_jobs_dead",
        "Jobs that ran out of tries (a notice's send is kind notify.send)",
        labels=["kind"],
    )
    for kind, count in store.dead_jobs_by_kind(session):
        dead.add_metric([kind], count)
    yield dead


def outbox_lag(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    oldest = store.oldest_due(session, now)
    lag = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    yield GaugeMetricFamily(
        "maintctl_outbox_lag_seconds",
        "How long the longest-waiting due job has waited for a worker (0: none waits)",
        value=lag,
    )


def last_validation(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    ok = GaugeMetricFamily(
        "maintctl_check_ok", "1 if the check passed in the last validation run", labels=["check"]
    )
    latency = GaugeMetricFamily(
        "maintctl_check_latency_seconds",
        "How long the check took in the last validation run",
        labels=["check"],
    )
    at = GaugeMetricFamily(
        "maintctl_validation_last_run_timestamp_seconds",
        "When the last validation run (passed or failed) finished",
    )
    run = store.last_run(session)
    if run is not None:
        for name, status, ms in store.run_checks(session, run.id):
            ok.add_metric([name], 1 if status == CheckStatus.PASS.value else 0)
            latency.add_metric([name], ms / 1000)
        if run.finished_at is not None:
            at.add_metric([], run.finished_at.timestamp())
    yield from (ok, latency, at)


def modes(deps: Deps, session: Session, now: datetime) -> Iterable[Metric]:
    """Maintenance mode (1 on) and traffic mode (one series per mode, 1 for the current one) per
    scope: "*" is the global state, any other scope a system (services/mode.py)."""
    from maintctl.domain.mode import Kind, Traffic
    from maintctl.store import modes as mode_store

    maintenance = GaugeMetricFamily(
        "maintctl_maintenance_mode", "1 while maintenance mode is on", labels=["scope"]
    )
    traffic = GaugeMetricFamily(
        "maintctl_traffic_mode", "1 for the scope's current traffic mode", labels=["scope", "mode"]
    )
    for state in mode_store.states(session):
        if state.kind == Kind.MAINTENANCE:
            maintenance.add_metric([state.scope], 1 if state.value == "on" else 0)
        else:
            for mode in Traffic:
                traffic.add_metric([state.scope, mode.value], 1 if state.value == mode else 0)
    yield maintenance
    yield traffic


# The sources a scrape runs, in order.
SOURCES: list[Source] = [
    windows,
    maintenance_active,
    modes,
    notifications,
    outbox_lag,
    last_validation,
]


class StateCollector:
    """A prometheus_client collector over the database, built per scrape."""

    def __init__(self, deps: Deps, sources: Iterable[Source] = ()) -> None:
        self.deps = deps
        self.sources = list(sources) or SOURCES

    def collect(self) -> Iterable[Metric]:
        now = self.deps.clock()
        with self.deps.db.read() as session:
            # Read in full while the transaction is open: one consistent snapshot.
            return [m for source in self.sources for m in source(self.deps, session, now)]


def check_reader(deps: Deps, who: Principal | None) -> None:
    """Anyone when `metrics.public`; else any signed-in account (a viewer's token will do)."""
    if who is None and not deps.config.metrics.public:
        raise Unauthenticated(
            [
                Problem(
                    "token",
                    "unauthenticated",
                    "/metrics needs a token",
                    "scrape with a viewer's token (bearer_token_file in Prometheus), or set "
                    "metrics: {public: true} in the config file",
                )
            ]
        )


def exposition(deps: Deps, who: Principal | None) -> bytes:
    """The text exposition format of every source, read now."""
    check_reader(deps, who)
    return generate_latest(StateCollector(deps))
