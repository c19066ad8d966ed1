"""/health: is the database reachable, is a worker beating, which config this process runs, and
the maintenance and traffic modes services read (maintenanceMode, trafficMode, message, until,
systems).

The shape is draft-inadarei-api-health-check's (`application/health+json`): `status` pass, warn
or fail; `checks` keyed "component:measurement". Public, and it names no secret.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from maintctl import __version__
from maintctl.api.handlers import Reply
from maintctl.domain.times import format_instant
from maintctl.services.deps import Deps

MEDIA_TYPE = "application/health+json"
# A worker beats every 10 s while it runs; `worker --once` from cron beats each time it runs, so
# a beat up to a quarter of an hour old is still a worker at work.
BEAT_FRESH = timedelta(minutes=15)
_RANK = {"pass": 0, "warn": 1, "fail": 2}


def health(deps: Deps) -> Reply:
    from sqlalchemy import text

    from maintctl.services import mode
    from maintctl.store import jobs as store

    now = deps.clock()
    checks: dict[str, list[dict[str, Any]]] = {}
    # The mode members (contract9.md §3) only when the database answered: unknown otherwise, so
    # the middleware keeps its last known state.
    modes: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        with deps.db.read() as session:
            session.execute(text("SELECT 1"))
            beat = store.last_beat(session)
            modes = mode.health_members(session)
    except Exception as exc:
        fault = deps.db.fault(exc)
        if fault is None:
            raise
        checks["database:responseTime"] = [
            {"componentType": "datastore", "status": "fail", "output": str(fault)}
        ]
        beat = None
    else:
        checks["database:responseTime"] = [
            {
                "componentType": "datastore",
                "observedValue": round((time.perf_counter() - started) * 1000, 1),
                "observedUnit": "ms",
                "status": "pass",
                "time": format_instant(now),
            }
        ]
        worker: dict[str, Any]
        if beat is None:
            worker = {
                "componentType": "system",
                "status": "warn",
                "output": "no worker has run yet: start `maintctl worker` or `maintctl serve`",
            }
        else:
            age = (now - beat.beat_at).total_seconds()
            worker = {
                "componentType": "system",
                "componentId": beat.worker,
                "observedValue": round(max(age, 0.0), 1),
                "observedUnit": "s",
                "status": "pass" if age <= BEAT_FRESH.total_seconds() else "warn",
                "time": format_instant(beat.beat_at),
                "configHash": beat.config_hash,
            }
        checks["worker:heartbeat"] = [worker]
    status = max((c["status"] for group in checks.values() for c in group), key=_RANK.__getitem__)
    body = {
        "status": status,
        "version": __version__.split(".")[0],
        "releaseId": __version__,
        "serviceId": "maintctl",
        "description": "maintctl: maintenance windows",
        "configHash": deps.config.hash,
        "checks": checks,
        **modes,
    }
    return Reply(body, 503 if status == "fail" else 200, media_type=MEDIA_TYPE)
