"""Typed errors that carry the rule broken and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the field, the rule it breaks, and the fix."""

    field: str
    rule: str
    message: str
    fix: str = ""

    def line(self) -> str:
        """One human line: field, what is wrong, and what to do."""
        text = f"{self.field}: {self.message}"
        return f"{text}; {self.fix}" if self.fix else text

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message, "fix": self.fix}


class MaintctlError(Exception):
    """Base of every refusal; `kind` picks the HTTP status and problem type."""

    kind = "invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.line() for p in problems))
        self.problems = problems


class RuleViolation(MaintctlError):
    """The request breaks input or policy rules (422)."""

    kind = "rule-violation"


class ConflictError(MaintctlError):
    """The request collides with another window or a blocking calendar (409)."""

    kind = "conflict"


class NotFound(MaintctlError):
    """The thing asked for does not exist (404)."""

    kind = "not-found"


class StateError(MaintctlError):
    """The window's state does not allow this (409)."""

    kind = "state"


def refuse(problems: list[Problem]) -> None:
    """Raise the right error for a list of problems, or return when there are none."""
    if not problems:
        return
    if all(p.rule in CONFLICT_RULES for p in problems):
        raise ConflictError(problems)
    raise RuleViolation(problems)


CONFLICT_RULES = frozenset({"overlap", "calendar-block", "id-taken"})


class StaleError(MaintctlError):
    """The window changed since the caller read it (412)."""

    kind = "stale"
