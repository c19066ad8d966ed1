"""The `checks:` and `contacts:` keys: the issue's example loads; each mistake names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import ConfigError, parse_config

EXAMPLE = """\
checks:
  - name: api-server
    group: services
    kind: http
    url: https://api.example.com/health
    expect: {status: 200, json: {maintenanceMode: false}}
    timeout: 5s
    tags: [smoke]
  - {name: database, group: services, kind: sql, url_file: app-db.url, query: "select 1", expect: 1}
  - {name: ssl, group: infrastructure, kind: tls, host: api.example.com, port: 443, min_days: 14}
  - {name: queue, group: infrastructure, kind: tcp, host: mq.internal, port: 5672, timeout: 2s}
  - {name: login, group: functional, kind: command, command: "./smoke/login.sh",
     expect_output: "Login successful", tags: [smoke]}
  - name: p99-latency
    group: performance
    kind: prometheus
    url: http://prometheus:9090
    query: histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))
    unit: ms
    tolerance: {relative: 0.2}
  - {name: cache, group: services, kind: redis, url_env: REDIS_URL}
  - {name: dns, group: infrastructure, kind: dns, query: api.example.com, expect: [10.0.0.1]}
  - {name: Pods, group: infrastructure, kind: kubernetes, namespace: prod, labels: {app: api}}
contacts:
  - {duty: maintenance-lead, name: Rotating, contact: "#maintenance"}
  - {duty: database-admin, account: dana, contact: "@dba-oncall", systems: [db]}
"""


def problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(body, "m.yaml", tmp_path)
    return [p.text() for p in caught.value.problems]


def check(body: str) -> str:
    return "checks:\n  - name: c\n    group: services\n" + body


def test_the_issues_example_loads_with_every_kind(tmp_path: Path) -> None:
    config = parse_config(EXAMPLE, "m.yaml", tmp_path)
    kinds = [c.kind for c in config.checks]
    assert kinds == [
        "http",
        "sql",
        "tls",
        "tcp",
        "command",
        "prometheus",
        "redis",
        "dns",
        "kubernetes",
    ]
    assert config.checks[0].timeout == 5.0 and config.checks[0].tags == ("smoke",)
    assert config.checks[5].tolerance is not None and config.checks[5].unit == "ms"
    assert [c.duty for c in config.contacts] == ["maintenance-lead", "database-admin"]


def test_the_checks_change_the_config_hash(tmp_path: Path) -> None:
    one = parse_config(EXAMPLE, "m.yaml", tmp_path).hash
    two = parse_config(EXAMPLE.replace("min_days: 14", "min_days: 15"), "m.yaml", tmp_path).hash
    assert one != two


def test_an_unknown_kind_names_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: htp\n"))
    assert found == [
        "m.yaml:4: checks.0.kind: unknown kind 'htp'; use one of http, tcp, dns, tls, command, "
        "sql, redis, prometheus, kubernetes"
    ]


def test_a_missing_parameter_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: tcp\n    host: h\n"))
    assert found == ["m.yaml:2: checks.0.port: a tcp check needs port"]


def test_an_unknown_parameter_names_what_the_kind_takes(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: tcp\n    host: h\n    port: 1\n    colour: red\n"))
    assert len(found) == 1 and found[0].startswith("m.yaml:7: checks.0.colour: a tcp check takes")
    assert "host, port" in found[0]


def test_both_url_and_url_file_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: sql\n    url: 'sqlite://'\n    url_file: x\n"))
    assert len(found) == 1 and "exactly one of url, url_file or url_env" in found[0]
    assert "url and url_file" in found[0]


def test_a_password_in_an_inline_url_is_refused_without_echoing_it(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: redis\n    url: 'redis://:hunter2@h/0'\n"))
    assert len(found) == 1 and "url_file" in found[0]
    assert "hunter2" not in found[0]


def test_an_unparsable_expectation_and_tolerance_name_their_lines(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        check(
            "    kind: prometheus\n    url: http://p\n    query: up\n    expect: '< abc'\n"
            "    tolerance: {relative: lots}\n"
        ),
    )
    assert sorted(found) == [
        "m.yaml:7: checks.0.expect: '< abc' compares with 'abc', which is not a number",
        "m.yaml:8: checks.0.tolerance: relative must be a number from 0 up; 'lots' is not",
    ]


def test_bad_groups_timeouts_and_repeated_names_are_named(tmp_path: Path) -> None:
    body = (
        "checks:\n"
        "  - {name: a, group: misc, kind: tcp, host: h, port: 1}\n"
        "  - {name: b, group: services, kind: tcp, host: h, port: 1, timeout: forever}\n"
        "  - {name: b, group: services, kind: tcp, host: h, port: 1}\n"
        "  - just a string\n"
    )
    found = problems(tmp_path, body)
    assert any(f.startswith("m.yaml:2: checks.0.group: unknown group 'misc'") for f in found)
    assert any(f.startswith("m.yaml:3: checks.1.timeout: 'forever'") for f in found)
    assert "m.yaml:5: checks.3: a check is a mapping" in " ".join(found)
    assert len(found) == 3  # b's repeat is only judged once both parse


def test_a_repeated_check_name_is_refused(tmp_path: Path) -> None:
    body = (
        "checks:\n"
        "  - {name: b, group: services, kind: tcp, host: h, port: 1}\n"
        "  - {name: b, group: services, kind: tcp, host: h, port: 2}\n"
    )
    assert problems(tmp_path, body) == ["m.yaml:3: checks.1.name: the check name 'b' repeats"]


def test_a_contact_needs_someone(tmp_path: Path) -> None:
    found = problems(tmp_path, "contacts:\n  - {duty: dba, contact: '@x'}\n")
    assert found == ["m.yaml:2: contacts.0: a contact needs a name or an account"]


def test_policy_check_names_a_wrong_check_on_its_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from maintctl.cli.main import app

    path = tmp_path / "maintctl.yaml"
    path.write_text("checks:\n  - {name: c, group: services, kind: htp}\n", "utf-8")
    result = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2
    assert (result.stdout + result.stderr).startswith(f"error: {path}:2: checks.0.kind: unknown")


def test_an_unknown_parameter_names_the_kinds_own_spelling(tmp_path: Path) -> None:
    found = problems(tmp_path, check("    kind: dns\n    query: a.example.com\n    host: x\n"))
    assert len(found) == 1 and "its parameters are expect, port, query, server, type" in found[0]
