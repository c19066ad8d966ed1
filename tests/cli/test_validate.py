"""`maintctl validate` in-process: the runbook's lines, JSON in the issue's shape, JUnit XML,
one self-contained HTML report with everything escaped, exit 1 when a check fails."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maintctl.cli.main import app
from tests.checks.servers import Answer, Http

runner = CliRunner()


@pytest.fixture
def server() -> Iterator[Http]:
    with Http({"/health": Answer(200, b'{"maintenanceMode": false}', "application/json")}) as http:
        yield http


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text("checks:\n" + body, "utf-8")
    monkeypatch.setenv("MAINTCTL_CONFIG", str(path))
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")


def suite(url: str) -> str:
    return (
        f"  - {{name: api-server, group: services, kind: http, url: '{url}/health',"
        " expect: {json: {maintenanceMode: false}}, tags: [smoke]}\n"
        "  - {name: '<script>x</script>', group: functional, kind: command,"
        " command: 'echo Login successful', expect_output: Login successful}\n"
    )


def test_a_passing_run_prints_the_runbooks_lines_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(tmp_path, monkeypatch, suite(server.url))
    result = runner.invoke(app, ["validate", "--full"])
    assert result.exit_code == 0, result.output
    assert "api-server: Healthy (200 OK, " in result.stdout
    assert "<script>x</script>: Login successful" in result.stdout
    assert "All 2 checks passed" in result.stdout


def test_json_has_the_issues_shape_and_a_failure_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(
        tmp_path,
        monkeypatch,
        suite(server.url) + "  - {name: queue, group: infrastructure, kind: tcp, host: 127.0.0.1,"
        " port: 1}\n",
    )
    result = runner.invoke(app, ["validate", "--format", "json"])
    assert result.exit_code == 1
    shape = json.loads(result.stdout)
    assert shape["passed"] is False
    assert [(r["name"], r["status"]) for r in shape["results"]] == [
        ("api-server", "pass"),
        ("<script>x</script>", "pass"),
        ("queue", "fail"),
    ]
    assert set(shape["results"][0]) == {
        "name",
        "group",
        "kind",
        "status",
        "observed",
        "unit",
        "duration_ms",
        "message",
    }


def test_quick_and_group_choose_the_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(tmp_path, monkeypatch, suite(server.url))
    quick = json.loads(runner.invoke(app, ["validate", "--quick", "--format", "json"]).stdout)
    group = json.loads(
        runner.invoke(app, ["validate", "--group", "functional", "--format", "json"]).stdout
    )
    assert [r["name"] for r in quick["results"]] == ["api-server"]
    assert [r["name"] for r in group["results"]] == ["<script>x</script>"]


def test_junit_xml_names_each_check_and_its_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(
        tmp_path,
        monkeypatch,
        suite(server.url) + "  - {name: queue, group: infrastructure, kind: tcp, host: 127.0.0.1,"
        " port: 1}\n",
    )
    result = runner.invoke(app, ["validate", "--format", "junit"])
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode())
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuite", "3", "1")
    failed = root.find("testcase[@name='queue']/failure")
    assert failed is not None and failed.get("message", "").startswith("Unreachable (")


def test_the_html_report_is_self_contained_and_escapes_what_was_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(tmp_path, monkeypatch, suite(server.url))
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["validate", "--format", "json", "--report", str(report)])
    assert result.exit_code == 0
    page = report.read_text("utf-8")
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert "All checks passed" in page
    assert "http://" not in page.replace(server.url, "") and "src=" not in page


def test_full_with_quick_is_refused_and_no_checks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(tmp_path, monkeypatch, "  []\n")
    both = runner.invoke(app, ["validate", "--full", "--quick"])
    none = runner.invoke(app, ["validate"])
    assert both.exit_code == 2 and "choose one" in both.output
    assert none.exit_code == 2 and "the config file has no checks" in none.output


def test_a_broken_config_could_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(tmp_path, monkeypatch, "  - {name: c, group: services, kind: htp}\n")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 3 and "checks.0.kind: unknown kind 'htp'" in result.output


def test_watch_runs_the_quick_suite_in_rounds_and_its_verdict_is_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Http
) -> None:
    configure(tmp_path, monkeypatch, suite(server.url))
    # A real 2-second watch every second: 3 rounds of the one smoke check.
    result = runner.invoke(
        app, ["validate", "--quick", "--watch", "2s", "--every", "1s", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert len(shown["rounds"]) == 3 and shown["verdict"]["passed"] is True
    assert runner.invoke(app, ["validate", "--every", "1s"]).exit_code == 2
    both = runner.invoke(app, ["validate", "--watch", "2s", "--baseline", "capture"])
    assert both.exit_code == 2 and "--watch: it cannot be combined" in both.stderr
