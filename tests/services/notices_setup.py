"""What the notice tests share: a config with a webhook and a manual email channel on loopback
sinks, windows taken through their approvals, and the worker run in-process."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from maintctl.config import parse_config
from maintctl.domain.roles import Principal, Role
from maintctl.services import windows, workflow
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store import notifications
from maintctl.store.db import Database
from maintctl.worker import Worker
from tests.channels.sinks import HttpSink
from tests.conftest import ALICE, PLANNED_OUTAGE, Clock

SECRET = "notice-hook-secret-4b1d9e"
SIGNERS = [
    Principal("tom", Role.TEAM_LEAD),
    Principal("emma", Role.ENGINEERING_MANAGER),
    Principal("victor", Role.VP_ENGINEERING),
]
MAX_STEPS = 200  # the worker loop in a test stops after this many jobs, whatever happens


def notice_deps(
    db: Database,
    clock: Clock,
    tmp_path: Path,
    sink: HttpSink,
    smtp_port: int,
    extra: str = "",
    top: str = "",
) -> Deps:
    """Deps with eng-hook (automated webhook), customer-mail (manual email), `extra` channels
    and `top` (more top-level keys)."""
    (tmp_path / "hook.key").write_text(SECRET, "utf-8")
    config = parse_config(
        "components:\n"
        "  - {id: api, name: API, systems: [api, api-gateway]}\n"
        "  - {id: db, name: Database, systems: [db]}\n"
        "channels:\n"
        "  - {name: eng-hook, audience: internal-engineering,\n"
        f"     webhook: {{url: '{sink.url}/hook', secret_file: hook.key}}}}\n"
        "  - name: customer-mail\n"
        "    audience: customers-enterprise\n"
        "    manual: true\n"
        f"    email: {{smtp: 'smtp://127.0.0.1:{smtp_port}', from: maint@example.com,"
        " to: [ops@acme.example]}\n" + extra + top,
        "m.yaml",
        tmp_path,
    )
    return Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))


def file_window(deps: Deps, start: str, end: str, systems: list[str] | None = None) -> str:
    """A planned outage filed by alice and submitted (awaiting its three signatures)."""
    raw = {**PLANNED_OUTAGE, "start": start, "end": end, "systems": systems or ["db"]}
    with deps.db.write() as session:
        made = windows.create(deps, session, raw, ALICE)
        workflow.submit(deps, session, made.id, ALICE)
    return made.id


def sign(deps: Deps, wid: str) -> None:
    """Every level signs; the last signature schedules the window."""
    with deps.db.write() as session:
        for signer in SIGNERS:
            workflow.approve(deps, session, wid, signer)


def drain(deps: Deps) -> int:
    """Run the worker in-process until nothing is due now; how many jobs it ran."""
    worker = Worker(deps, name="test-worker")
    ran = 0
    while ran < MAX_STEPS and worker.step():
        ran += 1
    worker.close()
    return ran


def rows(deps: Deps, wid: str) -> list[notifications.Notification]:
    with deps.db.read() as session:
        return notifications.of_window(session, wid)


def by_kind(deps: Deps, wid: str, channel: str) -> dict[str, str]:
    """kind -> status of one channel's notifications of a window."""
    return {r.kind: r.status for r in rows(deps, wid) if r.channel == channel}


def events_sent(sink: HttpSink) -> list[str]:
    return [json.loads(hit.body)["event"] for hit in sink.hits]


def body(sink: HttpSink, index: int) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(sink.hits[index].body)
    return found


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
