"""Two writers racing for the same system at overlapping times: exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

from maintctl.config import Config
from maintctl.domain.errors import ConflictError
from maintctl.services import windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from tests.conftest import ALICE, Clock


def test_exactly_one_of_two_racing_overlapping_requests_wins(
    database_url: str, config: Config, clock: Clock
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(start: str) -> None:
        db = Database(database_url)
        deps = Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))
        raw: dict[str, Any] = {
            "type": "planned-outage",
            "start": start,
            "end": "2026-12-06T04:00:00Z",
            "systems": ["db"],
            "description": "race",
        }
        barrier.wait()
        try:
            with db.write() as session:
                outcomes.append(windows.create(deps, session, raw, ALICE).id)
        except ConflictError as exc:
            outcomes.append(exc.problems[0].rule)
        finally:
            db.dispose()

    threads = [
        threading.Thread(target=attempt, args=(start,))
        for start in ("2026-12-06T02:00:00Z", "2026-12-06T03:00:00Z")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 2
    assert sum(o.startswith("MNT-") for o in outcomes) == 1
    assert any(o in ("overlap", "id-taken") for o in outcomes)
