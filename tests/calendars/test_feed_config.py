"""A calendar feed in the config file: its source and max_age are checked, naming the line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maintctl.cli.main import app
from maintctl.config import ConfigError, parse_config


def config_with(source: str, extra: str = "") -> str:
    return (
        "# outside calendars\n"
        "calendars:\n"
        "  - name: deploys\n"
        "    kind: deployment\n"
        f'    source: "{source}"\n'
        f"{extra}"
    )


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("http://[::1", "not a valid URL (Invalid IPv6 URL)"),
        ("https://host:99999/x.ics", "not a valid URL (Port out of range"),
        ("http:///x.ics", "names no host"),
        ("ftp://host/x.ics", "unsupported scheme 'ftp'"),
        ("", "must be an http(s) URL or a file path"),
    ],
)
def test_it_refuses_a_source_that_is_not_a_url_or_a_path_naming_the_line(
    source: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(config_with(source), "maintctl.yaml")

    (problem,) = caught.value.problems
    assert (problem.line, problem.where) == (5, "calendars.0.source")
    assert says in problem.message


def test_policy_check_names_the_line_of_a_broken_feed_url(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text(config_with("http://[::1"), "utf-8")

    result = CliRunner().invoke(app, ["policy", "check", str(path)])

    assert result.exit_code == 2
    assert f"{path}:5: calendars.0.source: source is not a valid URL" in result.stderr
    assert "Traceback" not in result.output


def test_a_feed_takes_max_age_as_a_duration_defaulting_to_an_hour() -> None:
    default = parse_config(config_with("https://example.test/a.ics"), "maintctl.yaml")
    set_ = parse_config(config_with("a.ics", "    max_age: 15m\n"), "maintctl.yaml")

    assert default.calendars[0].max_age == timedelta(hours=1)
    assert set_.calendars[0].max_age == timedelta(minutes=15)


@pytest.mark.parametrize("value", ["0m", "500d", "soon"])
def test_it_refuses_a_max_age_out_of_range_naming_the_line(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(config_with("a.ics", f"    max_age: {value}\n"), "maintctl.yaml")

    (problem,) = caught.value.problems
    assert (problem.line, problem.where) == (6, "calendars.0.max_age")
