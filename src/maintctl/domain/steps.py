"""A window's steps (run, rollback, verify), their results, and the hash of what was signed.

Steps are given as data (YAML or JSON), never parsed out of the markdown template: a command is
what the approvers signed, and typed prose must never become something that runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.domain.times import TimeParseError, format_duration, format_instant, parse_duration

if TYPE_CHECKING:
    from maintctl.domain.model import WindowSpec


class Phase(StrEnum):
    """Which list a step comes from."""

    RUN = "run"
    ROLLBACK = "rollback"
    VERIFY = "verify"


class StepState(StrEnum):
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    TIMED_OUT = "timed_out"


FINISHED = frozenset({StepState.PASSED, StepState.FAILED, StepState.SKIPPED, StepState.TIMED_OUT})
# The spec's field for each phase.
FIELDS = {Phase.RUN: "steps", Phase.ROLLBACK: "rollback_steps", Phase.VERIFY: "verify_steps"}
STEP_KEYS = frozenset({"text", "command", "timeout"})


@dataclass(frozen=True)
class Step:
    """One step: what it does, the command that does it (if any), and how long it may take."""

    text: str
    command: str | None = None
    timeout: timedelta = bounds.STEP_TIMEOUT_DEFAULT

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a step (the timeout in maintctl's duration units)."""
        timeout = format_duration(self.timeout)
        return {"text": self.text, "command": self.command, "timeout": timeout}

    def stored(self) -> dict[str, Any]:
        """How the store keeps it: the timeout in whole seconds."""
        return {
            "text": self.text,
            "command": self.command,
            "timeout_s": int(self.timeout.total_seconds()),
        }


def from_stored(d: Mapping[str, Any]) -> Step:
    return Step(d["text"], d.get("command"), timedelta(seconds=int(d["timeout_s"])))


def parse_steps(field: str, value: Any) -> tuple[list[Step], list[Problem]]:
    """A list of steps from JSON/YAML: each a mapping {text, command?, timeout?} or a text."""
    if not isinstance(value, list | tuple):
        return [], [Problem(field, "steps-list", "is not a list of steps", _FIX)]
    if len(value) > bounds.MAX_STEPS:
        return [], [
            Problem(
                field,
                "too-many",
                f"has {len(value)} steps; at most {bounds.MAX_STEPS} are kept",
                f"give at most {bounds.MAX_STEPS}",
            )
        ]
    steps: list[Step] = []
    problems: list[Problem] = []
    for number, item in enumerate(value, 1):
        where = f"{field}[{number}]"
        step, found = _step(where, {"text": item} if isinstance(item, str) else item)
        problems += found
        if step is not None:
            steps.append(step)
        if len(problems) >= 10:
            break  # the first few name the mistake; no echo of a thousand
    return steps, problems


_FIX = "give a list of {text, command, timeout} mappings"
_KEYS_FIX = "use text, command, timeout"


def _step(where: str, item: Any) -> tuple[Step | None, list[Problem]]:
    if not isinstance(item, Mapping):
        return None, [Problem(where, "step", "is not a step", _FIX)]
    problems = [
        Problem(f"{where}.{k}"[:80], "unknown-field", "is not a step field", _KEYS_FIX)
        for k in sorted(map(str, set(item) - STEP_KEYS))
    ][:3]
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem(f"{where}.text", "required", "a step says what it does", _FIX))
        text = ""
    else:
        problems += bounds.text_problems(f"{where}.text", text, "step_text", multiline=False)
    command = item.get("command")
    if command is not None and not isinstance(command, str):
        problems.append(Problem(f"{where}.command", "command", "is not text", "give a string"))
        command = None
    elif isinstance(command, str):
        problems += bounds.text_problems(f"{where}.command", command, "step_command")
        command = command if command.strip() else None
    timeout = bounds.STEP_TIMEOUT_DEFAULT
    if item.get("timeout") is not None:
        try:
            timeout = parse_duration(f"{where}.timeout", str(item["timeout"])[:40])
        except TimeParseError as exc:
            problems.append(exc.problem)
        else:
            if not timedelta(seconds=1) <= timeout <= bounds.STEP_TIMEOUT_MAX:
                problems.append(
                    Problem(
                        f"{where}.timeout",
                        "step-timeout",
                        f"{format_duration(timeout)} is outside 1s to "
                        f"{format_duration(bounds.STEP_TIMEOUT_MAX)}",
                        "give a timeout such as 30s, 10m or 2h",
                    )
                )
    if problems:
        return None, problems
    return Step(text.strip(), command, timeout), []


# What the final signature covers. A field is added by naming it and how to read it from a spec;
# a value of None is left out of the hash, so a field whose default reads as None keeps the
# hashes of windows signed before it was added.
SIGNED: dict[str, Callable[[WindowSpec], Any]] = {
    "start": lambda s: format_instant(s.start),
    "end": lambda s: format_instant(s.end),
    "type": lambda s: s.type,
    "systems": lambda s: sorted(s.systems),
    "steps": lambda s: [step.stored() for step in s.steps],
    "rollback_steps": lambda s: [step.stored() for step in s.rollback_steps],
    "verify_steps": lambda s: [step.stored() for step in s.verify_steps],
    # Issue 9's mode fields (engineer A), read only where the spec has them.
    "maintenance_mode": lambda s: getattr(s, "maintenance_mode", None),
    "maintenance_message": lambda s: getattr(s, "maintenance_message", None),
    "traffic_mode": lambda s: getattr(s, "traffic_mode", None),
}


def signed_hash(spec: WindowSpec) -> str:
    """SHA-256 of the canonical JSON of the signed fields (None, or absent, is left out)."""
    fields = {name: read(spec) for name, read in SIGNED.items()}
    canonical = {k: v for k, v in fields.items() if v is not None}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def resume_at(count: int, passed: set[int]) -> int:
    """The first step (1-based) not passed or skipped; count + 1 when every one is."""
    return next((n for n in range(1, count + 1) if n not in passed), count + 1)
