"""Alert suppression's fixtures: a config naming the providers, and windows that run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from maintctl.config import Config, parse_config
from maintctl.domain.times import format_instant
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, TOM, move

SENDER = "sre@example.com"


def config_for(
    tmp_path: Path,
    *,
    alertmanager: str | None = None,
    pagerduty: str | None = None,
    token: str = "",
    grace: str = "30m",
) -> Config:
    """Alertmanager and/or PagerDuty at these URLs; db silenced by service and env."""
    text = "alerting:\n"
    db = "  db:\n"
    if alertmanager:
        text += f"  alertmanager: {{url: '{alertmanager}', grace: {grace}}}\n"
        db += "    silence: {service: 'db|db-replica', env: prod}\n"
    if pagerduty:
        (tmp_path / "pd.token").write_text(token + "\n", "utf-8")
        text += (
            f"  pagerduty: {{url: '{pagerduty}', token_file: pd.token, from: {SENDER},"
            f" grace: {grace}}}\n"
        )
        db += "    pagerduty_services: [PIJ90N7]\n"
    text += "systems:\n" + db + "  web: {}\n"
    return parse_config(text, "m.yaml", tmp_path)


def deps_for(db: Database, clock: Clock, config: Config) -> Deps:
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def real_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def running(deps: Deps, clock: Clock, length: timedelta, systems: tuple[str, ...] = ("db",)) -> str:
    """A zero-downtime window started a minute ago by the real clock (Alertmanager's), lasting
    `length`; requested two days before and signed by a team lead."""
    now = real_now()
    start = now - timedelta(minutes=1)
    raw = {
        "type": "zero-downtime",
        "start": format_instant(start),
        "end": format_instant(start + length),
        "systems": list(systems),
        "description": "Index rebuild",
    }
    clock.now = now - timedelta(days=2)
    with deps.db.write() as session:
        wid = windows.create(deps, session, raw, RITA).id
        workflow.submit(deps, session, wid, RITA)
        workflow.approve(deps, session, wid, TOM)
    clock.now = now
    move(deps, "start", wid, RITA)
    return wid


def work(deps: Deps) -> int:
    """Run every job due now, as `maintctl worker --once` does; how many ran."""
    return Worker(deps, name="w").run_once()
