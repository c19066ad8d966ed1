"""Checklists as policy data, and their verdict lines (pure)."""

from __future__ import annotations

import pytest

from maintctl.config import ConfigError, load_config, parse_config
from maintctl.domain import checklists
from maintctl.domain.checklists import Item, Line


def test_the_default_precheck_is_the_runbooks_nine_items_in_order() -> None:
    items = load_config(None).policy.checklists["precheck"]
    assert [i.item for i in items] == [
        "approvals-verified",
        "notifications-sent",
        "status-page-updated",
        "on-call-briefed",
        "team-available",
        "runbook-reviewed",
        "rollback-plan-confirmed",
        "channel-established",
        "baseline-captured",
    ]
    assert {i.item for i in items if i.kind == "judged"} == {
        "approvals-verified",
        "notifications-sent",
        "status-page-updated",
        "channel-established",
        "baseline-captured",
    }


def test_a_line_reads_as_the_runbooks() -> None:
    assert Line("p.a", "Approvals verified", "judged", True).text() == "[OK] Approvals verified"
    failed = Line("p.t", "Team available", "attested", False, "1/3")
    assert failed.text() == "[FAIL] Team available (1/3)"


def test_a_full_name_finds_its_item_in_one_namespace() -> None:
    lists = load_config(None).policy.checklists
    found = checklists.find(lists, "precheck.on-call-briefed")
    assert found is not None and found[1].title == "On-call aware"
    assert checklists.find(lists, "on-call-briefed") is None
    assert checklists.find(lists, "review.on-call-briefed") is None


def test_team_counts_only_members_and_an_unjudged_item_never_passes() -> None:
    team = Item(item="team-available", title="Team available", kind="attested", each="team")
    line = checklists.team_line("precheck.team-available", team, "MNT-1", ["a", "b"], {"a", "x"})
    assert (line.ok, line.detail) == (False, "1/2") and line.fix.startswith("b: maintctl ack MNT-1")
    judged = Item(item="baseline", title="Baseline", kind="judged")
    assert not checklists.unjudged("precheck.baseline", judged).ok


def test_an_override_replaces_a_list_and_mistakes_are_named_with_their_line() -> None:
    config = parse_config(
        "policy:\n  checklists:\n    review:\n"
        "      - {item: lessons, title: Lessons, kind: attested}\n",
        "m.yaml",
    )
    assert [i.item for i in config.policy.checklists["review"]] == ["lessons"]
    assert len(config.policy.checklists["precheck"]) == 9  # other lists keep their defaults
    with pytest.raises(ConfigError) as wrong:
        parse_config(
            "policy:\n  checklists:\n    precheck:\n"
            "      - {item: a, title: A, kind: judged}\n"
            "      - {item: b, title: B, kind: guessed}\n",
            "m.yaml",
        )
    assert "m.yaml:5:" in str(wrong.value) and "kind" in str(wrong.value)
    with pytest.raises(ConfigError) as twice:
        parse_config(
            "policy:\n  checklists:\n    precheck:\n"
            "      - {item: a, title: A, kind: judged}\n"
            "      - {item: a, title: B, kind: judged}\n",
            "m.yaml",
        )
    assert "item 'a' is listed twice" in str(twice.value)
