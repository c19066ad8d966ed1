"""Steps as data, and the hash of what the approvers signed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain import bounds
from maintctl.domain.model import WindowSpec
from maintctl.domain.steps import Step, parse_steps, resume_at, signed_hash

START = datetime(2026, 12, 6, 2, tzinfo=UTC)
CASES = 200  # examples per property


def spec(**changes: object) -> WindowSpec:
    made = WindowSpec("planned-outage", START, START + timedelta(hours=2), ["api", "db"], "o", "d")
    made.steps = [Step("Stop", "systemctl stop app"), Step("Migrate", None, timedelta(hours=1))]
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def test_a_step_is_a_text_an_optional_command_and_a_timeout_of_ten_minutes_by_default() -> None:
    steps, problems = parse_steps("steps", ["Check dashboards", {"text": "Go", "command": "x"}])
    assert problems == []
    assert steps == [Step("Check dashboards"), Step("Go", "x", timedelta(minutes=10))]
    assert steps[1].as_dict() == {"text": "Go", "command": "x", "timeout": "10m"}


def test_steps_past_their_bounds_are_refused_by_name() -> None:
    long_text = "x" * (bounds.TEXT_LIMITS["step_text"] + 1)
    _, problems = parse_steps("steps", [{"text": long_text}, {"text": "a\x1b[2Jb"}])
    assert [(p.field, p.rule) for p in problems] == [
        ("steps[1].text", "too-long"),
        ("steps[2].text", "control-character"),
    ]
    _, problems = parse_steps("steps", "not a list")
    assert problems[0].rule == "steps-list"
    _, problems = parse_steps("steps", [{"text": "x", "timeout": "13h"}])
    assert problems[0].rule == "step-timeout"


def test_the_hash_is_the_same_for_the_same_signed_fields_and_ignores_what_is_not_signed() -> None:
    assert signed_hash(spec()) == signed_hash(spec(systems=["db", "api"]))
    assert signed_hash(spec()) == signed_hash(spec(description="reworded", owner="someone"))


@settings(max_examples=CASES, deadline=None)
@given(
    field=st.sampled_from(["start", "end", "type", "systems", "steps", "rollback_steps"]),
    text=st.text(min_size=1, max_size=20),
    minutes=st.integers(min_value=1, max_value=10_000),
)
def test_any_change_to_a_signed_field_changes_the_hash(field: str, text: str, minutes: int) -> None:
    before = spec()
    after = copy.deepcopy(before)
    if field in ("start", "end"):
        setattr(after, field, getattr(after, field) + timedelta(minutes=minutes))
    elif field == "type":
        after.type = before.type + text
    elif field == "systems":
        after.systems = [*before.systems, "sys" + text]
    elif field == "steps":
        after.steps = [Step(before.steps[0].text, (before.steps[0].command or "") + text)]
    else:
        after.rollback_steps = [Step(text, None, timedelta(seconds=minutes))]
    assert signed_hash(after) != signed_hash(before)


@settings(max_examples=CASES, deadline=None)
@given(count=st.integers(0, 50), done=st.sets(st.integers(1, 50)))
def test_a_run_resumes_at_the_first_step_not_done(count: int, done: set[int]) -> None:
    first = resume_at(count, done)
    assert 1 <= first <= count + 1
    assert all(n in done for n in range(1, first))
    assert first == count + 1 or first not in done
