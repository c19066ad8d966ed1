"""What history teaches (services/stats.py): stats on a small hand set, and the warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from maintctl.domain import bounds
from maintctl.domain.model import Status
from maintctl.services import stats
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.ran import notice, ran

H, M, S = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)


def day(n: int) -> datetime:
    return datetime(2026, 11, n, 2, tzinfo=UTC)


def figures(deps: Deps, **only: str) -> list[dict[str, object]]:
    with deps.db.read() as session:
        return [g.figures() for g in stats.stats(deps, session, **only).groups]


def test_median_p90_overrun_and_rollback_rates_on_a_hand_set(deps: Deps, db: Database) -> None:
    first = ran(db, "planned-outage", ["db"], day(1), 2 * H, 110 * M)
    ran(db, "planned-outage", ["db"], day(2), 2 * H, 140 * M)  # 20 minutes over
    ran(db, "planned-outage", ["db"], day(3), H, 90 * M, status=Status.ROLLED_BACK)  # over too
    ran(db, "planned-outage", ["db"], day(4), 2 * H, 2 * H)  # exactly on time
    ran(db, "planned-outage", ["db"], day(5), 2 * H, None)  # never ran: not counted
    ran(db, "emergency", ["api"], day(6), H, 30 * M)
    notice(db, first, day(1) - 7 * timedelta(days=1), day(1) - 7 * timedelta(days=1) + 10 * S, "a")
    notice(db, first, day(1) - timedelta(days=1), day(1) - timedelta(days=1) + 3 * M, "b")
    emergency, planned = figures(deps)
    assert planned == {
        "type": "planned-outage",
        "system": "db",
        "windows": 4,
        "planned_median_s": 7200,  # nearest rank of 1h, 2h, 2h, 2h
        "planned_p90_s": 7200,
        "actual_median_s": 110 * 60,  # of 90m, 110m, 120m, 140m
        "actual_p90_s": 140 * 60,
        "overrun_rate": 0.5,
        "rollback_rate": 0.25,
        "notices": 2,
        "notices_on_time": 1,  # the one sent 3 minutes late is not
        "notices_on_time_rate": 0.5,
    }
    assert emergency["windows"] == 1 and emergency["notices_on_time_rate"] is None


def test_stats_narrow_to_a_type_or_a_system(deps: Deps, db: Database) -> None:
    ran(db, "planned-outage", ["db", "api"], day(1), 2 * H, 2 * H)
    ran(db, "emergency", ["api"], day(2), H, H)
    assert [(g["type"], g["system"]) for g in figures(deps, system="api")] == [
        ("emergency", "api"),
        ("planned-outage", "api"),
    ]
    assert [(g["type"], g["system"]) for g in figures(deps, type_name="planned-outage")] == [
        ("planned-outage", "api"),
        ("planned-outage", "db"),
    ]


def test_windows_older_than_the_horizon_are_left_out(deps: Deps, db: Database) -> None:
    ran(db, "planned-outage", ["db"], deps.clock() - bounds.HISTORY_HORIZON - H, H, H)
    assert figures(deps) == []


def warning(deps: Deps, planned: timedelta, systems: list[str] | None = None) -> str | None:
    with deps.db.read() as session:
        return stats.duration_warning(deps, session, "planned-outage", systems or ["db"], planned)


def test_the_warning_appears_with_five_similar_windows_and_not_with_four(
    deps: Deps, db: Database
) -> None:
    for n in range(4):
        ran(db, "planned-outage", ["db", "cache"], day(1 + n), 2 * H, 130 * M)
    ran(db, "emergency", ["db"], day(10), 2 * H, 5 * H)  # another type: not similar
    assert warning(deps, 90 * M) is None
    ran(db, "planned-outage", ["cache"], day(11), 2 * H, 130 * M)  # shares a system: similar
    assert warning(deps, 90 * M, ["db", "cache"]) == (
        "past planned-outages on cache, db ran 2h10m at p75; you planned 1h30m"
    )
    assert warning(deps, 130 * M, ["db", "cache"]) is None  # planned as long as they ran
    assert warning(deps, 90 * M, ["web"]) is None  # no history on web
