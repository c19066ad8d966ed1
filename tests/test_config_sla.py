"""The policy's typed `sla:` key on each type (the runbook's SLA Impact table)."""

from __future__ import annotations

import pytest

from maintctl.config import ConfigError, parse_config


def test_the_default_policy_follows_the_runbooks_sla_credits_column() -> None:
    types = parse_config("", "m.yaml").policy.types
    assert {name: rule.sla for name, rule in types.items()} == {
        "zero-downtime": "excluded",
        "brief-interruption": "excluded",
        "planned-outage": "excluded",
        "extended-outage": "per-agreement",
        "emergency": "counted",
    }
    assert types["extended-outage"].sla_credits == "per agreement"  # still the display text


def test_a_team_may_count_a_type_against_its_sla() -> None:
    text = "policy:\n  types:\n    brief-interruption:\n      sla: counted\n"
    assert parse_config(text, "m.yaml").policy.types["brief-interruption"].sla == "counted"


def test_an_unknown_sla_is_refused_naming_its_line() -> None:
    text = "policy:\n  types:\n    planned-outage:\n      sla: sometimes\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "maintctl.yaml")
    found = [p.text() for p in caught.value.problems]
    assert len(found) == 1
    assert found[0].startswith("maintctl.yaml:4: policy.types.planned-outage.sla")
    assert "excluded" in found[0] and "per-agreement" in found[0]
