"""Watching the recovery (`validate --watch 5m --every 30s`, the runbook's monitor-recovery.sh):
the rounds' arithmetic, each check's last result and latency trend, and the verdict. Pure: the
times are arguments."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from maintctl.domain import bounds
from maintctl.domain.checks import Result
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.times import TimeParseError, format_duration, format_instant, parse_duration

WATCH_FIELD = "--watch"
EVERY_FIELD = "--every"
# A latency moves "rising" or "falling" only past the larger of these: jitter of a few
# milliseconds on a fast check, or a fifth of a slow one's latency, is steady.
TREND_FLOOR_MS = 10.0
TREND_RELATIVE = 0.2
NAMED = 5  # failing checks the verdict's line names; JSON has them all (as kept)


@dataclass(frozen=True)
class Plan:
    """A watch's rounds: the first at `start`, then every `every`, none after `start + duration`."""

    start: datetime
    duration: timedelta
    every: timedelta

    @property
    def deadline(self) -> datetime:
        return self.start + self.duration

    @property
    def rounds(self) -> int:
        """The most rounds the watch runs: one at the start and one per whole `every`."""
        return self.duration // self.every + 1

    def next_start(self, last_start: datetime, last_end: datetime) -> datetime | None:
        """When the round after one that ran from `last_start` to `last_end` begins; None: done.

        Never before the last round ended (rounds never overlap), never sooner than `every`
        after it began (so at most `rounds` rounds), never after the deadline.
        """
        due = max(last_start + self.every, last_end)
        return due if due <= self.deadline else None

    def wait(self, now: datetime, due: datetime) -> float:
        """Seconds to sleep until `due`; at most `every`, so a clock stepped back cannot stall."""
        return max(0.0, min((due - now).total_seconds(), self.every.total_seconds()))


def parse_plan(start: datetime, watch: str, every: str | None = None) -> Plan:
    """A plan from the typed --watch and --every, within bounds; a problem names its field."""
    duration = _duration(WATCH_FIELD, watch)
    if duration <= timedelta(0) or duration > bounds.WATCH_MAX:
        _refuse(
            WATCH_FIELD,
            f"watches for {watch.strip()!r}",
            f"watch for more than 0s and at most {format_duration(bounds.WATCH_MAX)}",
        )
    step = (
        min(bounds.WATCH_EVERY_DEFAULT, duration)
        if every is None
        else _duration(EVERY_FIELD, every)
    )
    if step < bounds.WATCH_EVERY_MIN or step > duration:
        _refuse(
            EVERY_FIELD,
            f"{every!r} is not between {format_duration(bounds.WATCH_EVERY_MIN)} and the "
            f"watch's {format_duration(duration)}",
            "give --every from 1s up to the --watch duration",
        )
    plan = Plan(start, duration, step)
    if plan.rounds > bounds.WATCH_ROUNDS_MAX:
        shortest = -(-duration // (bounds.WATCH_ROUNDS_MAX - 1))
        _refuse(
            EVERY_FIELD,
            f"makes {plan.rounds} rounds in {format_duration(duration)}, more than "
            f"{bounds.WATCH_ROUNDS_MAX}",
            f"run every {format_duration(_whole_seconds_up(shortest))} or less often",
        )
    return plan


def _duration(field: str, text: str) -> timedelta:
    try:
        return parse_duration(field, text)
    except TimeParseError as exc:
        raise RuleViolation([exc.problem]) from None


def _whole_seconds_up(value: timedelta) -> timedelta:
    return timedelta(seconds=-(-value // timedelta(seconds=1)))


def _refuse(field: str, message: str, fix: str) -> None:
    raise RuleViolation([Problem(field, "watch-bounds", message, fix)])


class Trend(StrEnum):
    NEW = "new"  # one round so far: nothing to compare
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


def trend(latencies: list[float] | tuple[float, ...]) -> Trend:
    """Rising, falling or steady: the least-squares line through the latencies, end to end."""
    n = len(latencies)
    if n < 2:
        return Trend.NEW
    mean_x = (n - 1) / 2
    mean_y = sum(latencies) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(latencies)) / spread
    change = slope * (n - 1)
    threshold = max(TREND_FLOOR_MS, TREND_RELATIVE * abs(mean_y))
    if change > threshold:
        return Trend.RISING
    if change < -threshold:
        return Trend.FALLING
    return Trend.STEADY


@dataclass(frozen=True)
class Round:
    """One run of the suite: when, how many checks failed, and those kept of its failures."""

    number: int
    started: datetime
    finished: datetime
    checks: int
    failed: int
    failures: tuple[Result, ...]

    @property
    def passed(self) -> bool:
        return self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "started": format_instant(self.started),
            "finished": format_instant(self.finished),
            "passed": self.passed,
            "checks": self.checks,
            "failed": self.failed,
            "failures": [r.as_dict() for r in self.failures],
        }


@dataclass(frozen=True)
class CheckState:
    """A check's last result, its latency trend, and the rounds it failed in."""

    last: Result
    trend: Trend
    failures: int

    def as_dict(self) -> dict[str, Any]:
        return {"last": self.last.as_dict(), "trend": self.trend.value, "failures": self.failures}


@dataclass(frozen=True)
class Verdict:
    """The watch's outcome: failed if any round failed, naming the first failing round."""

    rounds: int
    planned: int
    failed_rounds: tuple[Round, ...]
    stopped: bool  # Ctrl-C or SIGTERM before the last round

    @property
    def passed(self) -> bool:
        """Every round that ran passed (a stopped watch may still have passed so far)."""
        return not self.failed_rounds

    @property
    def ok(self) -> bool:
        """Recovery confirmed: every planned round ran and passed."""
        return self.passed and not self.stopped

    def line(self) -> str:
        """One line: what held, and, when a round failed, when (UTC) and which checks."""
        stop = f" (stopped after {self.rounds} of {self.planned})" if self.stopped else ""
        if self.passed and self.stopped:
            return f"Recovery not confirmed{stop}: every check passed so far"
        if self.passed:
            return f"Recovery holds: all {self.rounds} rounds passed"
        first = self.failed_rounds[0]
        named = first.failures[:NAMED]
        checks = ", ".join(f"{r.name} ({r.status.value})" for r in named)
        more = f" and {first.failed - len(named)} more" if first.failed > len(named) else ""
        text = (
            f"Recovery failed: {len(self.failed_rounds)} of {self.rounds} rounds failed{stop}; "
            f"first in round {first.number} at {format_instant(first.started)}: {checks}{more}"
        )
        last = self.failed_rounds[-1]
        if last is not first:
            text += f"; last in round {last.number} at {format_instant(last.started)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        first = self.failed_rounds[0] if self.failed_rounds else None
        return {
            "passed": self.passed,
            "ok": self.ok,
            "stopped": self.stopped,
            "rounds": self.rounds,
            "planned": self.planned,
            "failed_rounds": [r.number for r in self.failed_rounds],
            "first_failure": None
            if first is None
            else {
                "round": first.number,
                "at": format_instant(first.started),
                "checks": [r.name for r in first.failures],
            },
            "message": self.line(),
        }


class Watch:
    """The rounds so far, bounded: counts per round, failures up to WATCH_FAILURES_KEPT, and
    each check's last WATCH_TREND_ROUNDS latencies."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rounds: list[Round] = []
        self._last: dict[str, Result] = {}
        self._latencies: dict[str, deque[float]] = {}
        self._failures: dict[str, int] = {}
        self._kept = 0

    def record(
        self,
        started: datetime,
        finished: datetime,
        results: tuple[Result, ...],
        tally: tuple[int, int] | None = None,
    ) -> Round:
        """Add the next round's results; return the round as recorded. With `tally` (checks,
        failed), `results` may hold only some of the round's failing results (read back from
        the store, where only the kept failures are read)."""
        if len(self.rounds) >= self.plan.rounds:
            raise ValueError(f"a watch of {self.plan.rounds} rounds cannot record another")
        failing = [r for r in results if not r.passed]
        checks, failed = tally if tally is not None else (len(results), len(failing))
        room = bounds.WATCH_FAILURES_KEPT - self._kept
        # The first failing round is within the room, so the verdict can always name it.
        kept = tuple(failing[: max(room, 0)])
        self._kept += len(kept)
        done = Round(len(self.rounds) + 1, started, finished, checks, failed, kept)
        self.rounds.append(done)
        for result in results:
            self._last[result.name] = result
            recent = self._latencies.setdefault(
                result.name, deque(maxlen=bounds.WATCH_TREND_ROUNDS)
            )
            recent.append(float(result.duration_ms))
            if not result.passed:
                self._failures[result.name] = self._failures.get(result.name, 0) + 1
        return done

    def checks(self) -> dict[str, CheckState]:
        """Each check seen so far, in the order first seen: its last result and its trend."""
        return {
            name: CheckState(last, trend(tuple(self._latencies[name])), self._failures.get(name, 0))
            for name, last in self._last.items()
        }

    def verdict(self, stopped: bool = False) -> Verdict:
        """The verdict over the rounds recorded; `stopped` when cut short by a signal."""
        failed = tuple(r for r in self.rounds if not r.passed)
        stopped = stopped and len(self.rounds) < self.plan.rounds
        return Verdict(len(self.rounds), self.plan.rounds, failed, stopped)

    def as_dict(self, stopped: bool = False) -> dict[str, Any]:
        """JSON: the plan, the rounds, each check's last result and trend, and the verdict."""
        return {
            "watch": {
                "start": format_instant(self.plan.start),
                "duration": format_duration(self.plan.duration),
                "every": format_duration(self.plan.every),
            },
            "rounds": [r.as_dict() for r in self.rounds],
            "checks": [{"name": n, **s.as_dict()} for n, s in self.checks().items()],
            "verdict": self.verdict(stopped).as_dict(),
        }
