"""`maintctl report sla`, `maintctl stats` and the duration warning, in local mode."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maintctl.cli.main import app
from maintctl.store.db import Database
from tests.ran import ran

runner = CliRunner()
H, M = timedelta(hours=1), timedelta(minutes=1)
COMPONENTS = "components:\n  - {id: api, name: Public API, systems: [api, db]}\n"


@pytest.fixture
def local(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "maintctl.yaml"
    config.write_text(COMPONENTS, "utf-8")
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    return config


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def history(local: Path, db: Database) -> None:
    # Five planned outages on db in November 2026 that each ran 2h10m of their planned 2h.
    for n in range(5):
        start = datetime(2026, 11, 1 + n, 2, tzinfo=UTC)
        ran(db, "planned-outage", ["db"], start, 2 * H, 130 * M)


def test_report_sla_json_has_the_stable_shape(history: None) -> None:
    code, out, _ = run("report", "sla", "--month", "2026-11", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"month", "from", "to", "period_minutes", "components"}
    assert (report["from"], report["to"]) == ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    (api,) = report["components"]
    assert set(api) == {
        "id",
        "name",
        "systems",
        "windows",
        "by_type",
        "maintenance_minutes",
        "counted_minutes",
        "per_agreement_minutes",
        "availability",
        "availability_with_planned",
    }
    assert (api["windows"], api["counted_minutes"], api["maintenance_minutes"]) == (5, 50.0, 650.0)


def test_report_sla_csv_has_a_row_per_component_and_a_column_per_type(history: None) -> None:
    code, out, _ = run("report", "sla", "--month", "2026-11", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["component"] == "api" and rows[0]["counted_minutes"] == "50.0"
    assert rows[0]["minutes:planned-outage"] == "650.0"
    assert out.splitlines()[0].startswith("component,name,windows,maintenance_minutes,")


def test_report_sla_table_shows_availability(history: None) -> None:
    code, out, _ = run("report", "sla", "--month", "2026-11")
    assert code == 0 and "99.884%" in out and "planned-outage" in out


@pytest.mark.parametrize("month", ["2026-13", "11/2026", "2026-11-01"])
def test_a_month_that_is_not_a_month_exits_2_naming_it(local: Path, month: str) -> None:
    code, _, err = run("report", "sla", "--month", month)
    assert code == 2
    assert err.count("error:") == 1 and "month" in err


def test_an_unknown_component_exits_2(local: Path) -> None:
    code, _, err = run("report", "sla", "--month", "2026-11", "--component", "billing")
    assert code == 2 and "billing" in err


def test_stats_json_lists_each_type_and_system(history: None) -> None:
    code, out, _ = run("stats", "--json", "--system", "db")
    assert code == 0
    (group,) = json.loads(out)["groups"]
    assert (group["type"], group["windows"], group["overrun_rate"]) == ("planned-outage", 5, 1.0)
    code, out, _ = run("stats", "--type", "planned-outage")
    assert code == 0 and "2h10m" in out


def test_window_create_warns_but_creates_when_history_ran_longer(history: None) -> None:
    code, out, err = run(
        "window",
        "create",
        "--start",
        "2030-01-06T02:00:00Z",
        "--end",
        "2030-01-06T03:30:00Z",
        "--type",
        "planned-outage",
        "--description",
        "Database upgrade",
        "--systems",
        "db",
    )
    assert code == 0 and "Created" in out
    assert "past planned-outages on db ran 2h10m at p75; you planned 1h30m" in err


def test_slots_warns_and_still_lists(history: None) -> None:
    args = ["slots", "--type", "planned-outage", "--duration", "1h30m", "--systems", "db"]
    code, out, err = run(*args, "--after", "2030-01-01", "--json")
    assert code == 0 and json.loads(out)
    assert "ran 2h10m at p75; you planned 1h30m" in err
    code, out, err = run(*args, "--after", "2030-01-01")
    assert code == 0 and "Earliest slots" in out and "warning" in err


def test_slots_are_quiet_without_enough_history(local: Path) -> None:
    args = ["slots", "--type", "planned-outage", "--duration", "1h30m", "--systems", "db"]
    code, _, err = run(*args, "--after", "2030-01-01")
    assert code == 0 and "warning" not in err
