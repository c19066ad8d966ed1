"""The config file: overrides merge over the defaults, and every mistake names its line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from maintctl.config import ConfigError, parse_config


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "maintctl.yaml")
    return [p.text() for p in exc.value.problems]


def test_an_override_changes_only_what_it_names() -> None:
    config = parse_config("policy:\n  types:\n    planned-outage:\n      notice: 10d\n", "m.yaml")
    planned = config.policy.types["planned-outage"]
    assert planned.notice == timedelta(days=10)
    assert planned.max_duration == timedelta(hours=2)
    assert set(config.policy.types) >= {"zero-downtime", "extended-outage", "emergency"}


def test_lists_replace_rather_than_merge() -> None:
    config = parse_config("policy:\n  types:\n    planned-outage:\n      windows: [primary]\n", "m")
    assert config.policy.types["planned-outage"].windows == ["primary"]


def test_every_mistake_is_named_with_its_line() -> None:
    text = (
        "policy:\n"
        "  types:\n"
        "    planned-outage:\n"
        "      notice: 7x\n"
        "  windows:\n"
        "    primary:\n"
        "      zone: Mars/Olympus\n"
        "calendars:\n"
        "  - {name: d, kind: deploymnt, source: x.ics}\n"
    )
    found = problems(text)
    assert any(p.startswith("maintctl.yaml:4: policy.types.planned-outage.notice") for p in found)
    assert any(p.startswith("maintctl.yaml:7: policy.windows.primary.zone") for p in found)
    assert any(p.startswith("maintctl.yaml:9: calendars.0.kind") for p in found)


def test_a_type_naming_an_unknown_window_points_at_it() -> None:
    found = problems("policy:\n  types:\n    planned-outage:\n      windows: [primry]\n")
    assert found == [
        "maintctl.yaml:4: policy.types.planned-outage.windows: unknown window primry; "
        "define it under windows or use one of primary, secondary, extended"
    ]


def test_broken_yaml_names_its_line() -> None:
    found = problems("policy:\n  types: [\n")
    assert len(found) == 1 and found[0].startswith("maintctl.yaml:3:")


def test_an_unquoted_clock_time_is_still_read_as_a_time() -> None:
    config = parse_config(
        "policy:\n  windows:\n    primary: {days: [sun], start: 03:00, end: 05:30}\n", "m"
    )
    primary = config.policy.windows["primary"]
    assert (primary.start.hour, primary.end.hour, primary.end.minute) == (3, 5, 30)
