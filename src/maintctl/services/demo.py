"""Sample windows for `maintctl serve --demo`, placed by the slot finder so they pass every rule."""

from __future__ import annotations

from datetime import timedelta

from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import accounts, schedule, windows
from maintctl.services.accounts import IssuedToken
from maintctl.services.deps import Deps
from maintctl.store import accounts as account_store
from maintctl.store import windows as store

DEMO_OWNER = "demo"
SAMPLES = [
    (
        "planned-outage",
        timedelta(hours=2),
        ["db"],
        "Database upgrade to PostgreSQL 16",
        "API read-only for up to 2 hours",
    ),
    (
        "brief-interruption",
        timedelta(minutes=5),
        ["redis"],
        "Redis cluster reconfiguration",
        "Cache misses for under 5 minutes",
    ),
    ("zero-downtime", timedelta(hours=1), ["api"], "Rolling update of the API pods", "None"),
    (
        "extended-outage",
        timedelta(hours=4),
        ["api", "db", "agents"],
        "Data center migration, phase 1",
        "Service unavailable for up to 4 hours",
    ),
]


def load_demo(deps: Deps, who: Principal) -> list[str]:
    """Create the sample windows unless demo windows already exist; return their IDs."""
    with deps.db.write() as session:
        if any(w.spec.owner == DEMO_OWNER for w in store.listing(session)):
            return []
        made = []
        for type_name, length, systems, description, impact in SAMPLES:
            found = schedule.slots(
                deps, session, type_name=type_name, duration=length, systems=systems, count=1
            )
            if not found:
                continue
            window = windows.create(
                deps,
                session,
                {
                    "type": type_name,
                    "start": format_instant(found[0].start),
                    "end": format_instant(found[0].end),
                    "systems": systems,
                    "description": description,
                    "impact": impact,
                    "owner": DEMO_OWNER,
                    "risk": "medium",
                },
                who,
            )
            made.append(window.id)
        return made


def demo_account(deps: Deps, who: Principal) -> IssuedToken | None:
    """An admin account `demo` for trying the API, with a token shown once; None if it exists."""
    with deps.db.write() as session:
        if account_store.user(session, DEMO_OWNER) is not None:
            return None
        return accounts.add_user(session, who, DEMO_OWNER, "admin", "", deps.clock())
