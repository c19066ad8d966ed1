"""Checks' rules: an observed value against its expectation, a current value against a baseline
within a tolerance, and the runbook's Metric | Baseline | Current | Status rows. Pure."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from maintctl.domain import bounds

GROUPS = ("infrastructure", "services", "functional", "performance")


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    ERROR = "error"  # the check could not judge: bad answer, refused connection, bad config
    TIMEOUT = "timeout"


Observed = float | int | str | bool | None


@dataclass(frozen=True)
class Result:
    """One check's outcome, as data: what the JSON, JUnit and HTML reports print."""

    name: str
    group: str
    kind: str
    status: Status
    observed: Observed
    unit: str
    duration_ms: int
    message: str

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS

    def line(self) -> str:
        """The runbook's line: "api-server: Healthy (200 OK, 45ms)"."""
        return f"{self.name}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


def clip(message: str) -> str:
    """A message kept to one line and bounds.CHECK_MESSAGE_MAX characters."""
    flat = " ".join(message.split())
    limit = bounds.CHECK_MESSAGE_MAX
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_OPERATOR = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_TIMEOUT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


@dataclass(frozen=True)
class Expectation:
    """What an observed value must be: equal to a value, or a number compared with one."""

    operator: str
    value: float | int | str | bool

    def holds(self, observed: Observed) -> bool:
        """Whether `observed` meets it; a value of another type never does."""
        if self.operator in ("==", "!="):
            same = _equal(observed, self.value)
            return same if self.operator == "==" else not same
        number = as_number(observed)
        if number is None:
            return False
        limit = float(self.value)
        return {
            "<": number < limit,
            "<=": number <= limit,
            ">": number > limit,
            ">=": number >= limit,
        }[self.operator]

    def text(self) -> str:
        return f"{self.operator} {self.value}" if self.operator != "==" else f"{self.value}"


def _equal(observed: Observed, wanted: float | int | str | bool) -> bool:
    if isinstance(wanted, bool) or isinstance(observed, bool):
        return observed is wanted or (
            isinstance(observed, str) and observed.lower() == str(wanted).lower()
        )
    if isinstance(wanted, int | float):
        number = as_number(observed)
        return number is not None and math.isclose(number, wanted, rel_tol=1e-12, abs_tol=0)
    return str(observed) == wanted


def as_number(value: Observed) -> float | None:
    """A number from an observed value (a SQL scalar may arrive as text); None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(value.strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def parse_expectation(value: Any) -> Expectation:
    """`1`, `true`, `"ok"` mean equality; `"< 500"`, `">= 0.99"` compare numbers."""
    if isinstance(value, bool | int | float) and not (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return Expectation("==", value)
    if isinstance(value, str):
        match = _OPERATOR.match(value)
        if match is None:
            return Expectation("==", value)
        number = as_number(match.group(2))
        if number is None:
            raise ValueError(f"{value!r} compares with {match.group(2)!r}, which is not a number")
        return Expectation(match.group(1), number)
    raise ValueError(
        f"{value!r} is not an expectation; write a value (1, true, ok) or a comparison "
        '("< 500", ">= 0.99")'
    )


def parse_timeout(value: Any) -> float:
    """Seconds from 5s, 500ms, 2m or a bare number of seconds, within the bounds."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _TIMEOUT.match(value)):
        scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
        seconds = float(match.group(1)) * scale
    if seconds is None or not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a timeout; write it like 5s, 500ms or 2m")
    if not 0.01 <= seconds <= bounds.CHECK_TIMEOUT_MAX:
        raise ValueError(
            f"a timeout is between 10ms and {bounds.CHECK_TIMEOUT_MAX / 60:.0f}m; {value!r} is not"
        )
    return seconds


@dataclass(frozen=True)
class Tolerance:
    """How far a current value may drift from its baseline, and which way is worse.

    `relative` is a fraction of the baseline (0.2: 20%); `absolute` is in the check's unit
    (an error rate in % with absolute 0.1 allows +0.1 percentage points).
    """

    relative: float | None = None
    absolute: float | None = None
    higher_is_better: bool = False

    def allows(self, baseline: float, current: float) -> bool:
        """Whether `current` is within the tolerance of `baseline`, edge included."""
        room = abs(baseline) * self.relative if self.relative is not None else self.absolute or 0.0
        # A hair of slack so that an edge written in decimal (0.1 + 0.2) counts as the edge.
        slack = 1e-9 * max(1.0, abs(baseline), abs(current))
        if self.higher_is_better:
            return current >= baseline - room - slack
        return current <= baseline + room + slack

    def text(self) -> str:
        sign = "-" if self.higher_is_better else "+"
        if self.relative is not None:
            return f"{sign}{self.relative * 100:g}%"
        return f"{sign}{self.absolute:g}"


def parse_tolerance(value: Any) -> Tolerance:
    """`{relative: 0.2}` or `{absolute: 0.1}`, optionally with `higher_is_better: true`."""
    if not isinstance(value, dict):
        raise ValueError(
            f"{value!r} is not a tolerance; write {{relative: 0.2}} or {{absolute: 0.1}}"
        )
    unknown = sorted(set(value) - {"relative", "absolute", "higher_is_better"})
    if unknown:
        raise ValueError(
            f"a tolerance has no {', '.join(map(str, unknown))}; "
            "it takes relative or absolute, and higher_is_better"
        )
    given = [k for k in ("relative", "absolute") if k in value]
    if len(given) != 1:
        raise ValueError("a tolerance needs exactly one of relative or absolute")
    amount = value[given[0]]
    number = None if isinstance(amount, bool) else as_number(amount)
    if number is None or number < 0 or number > 1e12:
        raise ValueError(f"{given[0]} must be a number from 0 up; {amount!r} is not")
    better = value.get("higher_is_better", False)
    if not isinstance(better, bool):
        raise ValueError(f"higher_is_better is true or false; {better!r} is not")
    if given[0] == "relative":
        return Tolerance(relative=number, higher_is_better=better)
    return Tolerance(absolute=number, higher_is_better=better)


@dataclass(frozen=True)
class Row:
    """One line of the runbook's table: Metric | Baseline | Current | Status."""

    metric: str
    baseline: str
    current: str
    status: str  # OK, DEGRADED, CHANGED, NO BASELINE, FAILED
    passed: bool


def compare(
    metric: str,
    baseline: Observed,
    current: Result,
    tolerance: Tolerance | None,
) -> Row:
    """A check's current result against its baseline, within its tolerance (exact without one)."""
    unit = current.unit
    shown = (format_value(baseline, unit), format_value(current.observed, unit))
    if not current.passed:
        return Row(metric, *shown, current.status.value.upper(), False)
    if baseline is None:
        return Row(metric, *shown, "NO BASELINE", True)
    before, now = as_number(baseline), as_number(current.observed)
    if before is None or now is None:
        same = baseline == current.observed
        return Row(metric, *shown, "OK" if same else "CHANGED", same)
    ok = (tolerance or Tolerance(absolute=0.0)).allows(before, now)
    return Row(metric, *shown, "OK" if ok else "DEGRADED", ok)


def format_value(value: Observed, unit: str) -> str:
    """45ms, 0.1%, 1000 rps: a value and its unit, as the runbook writes them."""
    if value is None:
        return "-"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("ms", "s", "%") else f"{text} {unit}"
