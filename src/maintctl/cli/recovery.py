"""`maintctl validate --watch 5m [--every 30s]`: the suite again and again, a live table of each
check's last result and trend on a terminal (a line per round otherwise), JSON with `--format
json`; exit 1 unless every planned round ran and passed. cli/validate.py calls `watch`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from maintctl.cli.client import EXIT_NOT_OK, EXIT_REFUSED
from maintctl.cli.output import console, print_json, safe
from maintctl.cli.text import clean

if TYPE_CHECKING:
    from rich.table import Table

    from maintctl.checks.base import Spec
    from maintctl.domain.recovery import Plan, Round, Verdict, Watch
    from maintctl.services.recovery import RunRound, Sleep

    # Given the plan, quick and the groups: a round runner that stores each round (on a window).
    Stored = Callable[[Plan, bool, tuple[str, ...]], RunRound]

_TREND = {"new": "·", "rising": "↑ rising", "falling": "↓ falling", "steady": "→ steady"}


def watch(
    specs: Sequence[Spec],
    quick: bool,
    groups: Sequence[str] | None,
    duration: str,
    every: str | None,
    format: str,
    *,
    clock: Callable[[], datetime] | None = None,
    sleep: Sleep | None = None,
    stored: Stored | None = None,
) -> int:
    """Watch the recovery; the exit code: 0 recovered, 1 a round failed or stopped, 2 refused."""
    import asyncio

    from maintctl.domain.errors import MaintctlError
    from maintctl.domain.recovery import parse_plan
    from maintctl.services import recovery, validation

    now = clock or (lambda: datetime.now(UTC))
    if format not in ("table", "json"):
        return _refused([f"--format: a watch prints table or json, not {format}"])
    try:
        chosen = validation.select(specs, quick=quick, groups=groups or ())
        plan = parse_plan(now(), duration, every)
    except MaintctlError as exc:
        return _refused([p.line() for p in exc.problems])
    view = begin(plan, format)
    run_round = None
    if stored is not None:
        try:
            run_round = stored(plan, quick, tuple(dict.fromkeys(groups or ())))
        except MaintctlError as exc:
            return _refused([p.line() for p in exc.problems])
    with view:
        outcome = recovery.run(
            chosen,
            plan,
            clock=now,
            sleep=sleep or asyncio.sleep,
            on_round=view.update,
            run_round=run_round,
        )
    return end(outcome.verdict, format, outcome.watch.as_dict(outcome.stopped))


def begin(plan: Plan, format: str) -> _View:
    """The view both paths feed rounds to: in-process here, or followed from a server."""
    from maintctl.domain.times import format_duration

    view = _View(live=format == "table" and console.is_terminal, lines=format == "table")
    view.intro(
        f"watching for {format_duration(plan.duration)}, every {format_duration(plan.every)}: "
        f"at most {plan.rounds} rounds"
    )
    return view


def end(verdict: Verdict, format: str, body: dict[str, Any]) -> int:
    """Print the verdict (or `body` as JSON); the exit code: 0 only when recovery is confirmed."""
    if format == "json":
        print_json(body)
    else:
        style = "green" if verdict.ok else "red"
        console.print(f"[{style}]{safe(verdict.line())}[/]", soft_wrap=True)
    return 0 if verdict.ok else EXIT_NOT_OK


def _refused(lines: list[str]) -> int:
    for line in lines:
        print(f"error: {clean(line)}", file=sys.stderr)
    return EXIT_REFUSED


class _View:
    """A live table on a terminal; a line per round (and per failure) when not; nothing for JSON."""

    def __init__(self, live: bool, lines: bool) -> None:
        self.lines = lines and not live
        self.live: Any = None
        if live:
            from rich.live import Live

            self.live = Live(console=console, auto_refresh=False)

    def intro(self, text: str) -> None:
        if self.live is not None:
            self.live.update(text)
        elif self.lines:
            console.print(text, soft_wrap=True)

    def __enter__(self) -> _View:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.live is not None:
            self.live.stop()

    def update(self, record: Watch, done: Round) -> None:
        if self.live is not None:
            self.live.update(_table(record, done), refresh=True)
        elif self.lines:
            console.print(_round_line(record, done), soft_wrap=True)
            for result in done.failures:
                console.print(f"  ✗ {safe(result.line())}", soft_wrap=True)


def _round_line(record: Watch, done: Round) -> str:
    from maintctl.domain.times import format_instant

    head = f"round {done.number}/{record.plan.rounds} at {format_instant(done.started)}"
    if done.passed:
        return f"{head}: {done.checks} of {done.checks} passed"
    return f"{head}: {done.failed} of {done.checks} failed"


def _table(record: Watch, done: Round) -> Table:
    from rich.table import Table

    from maintctl.domain.times import format_instant

    failed = sum(1 for r in record.rounds if not r.passed)
    grid = Table(
        title=f"{_round_line(record, done)}; {failed} failed round(s) so far; ends by "
        f"{format_instant(record.plan.deadline)}",
        title_justify="left",
        header_style="bold",
    )
    for column in ("check", "last result", "latency", "trend", "failed rounds"):
        grid.add_column(column, overflow="fold")
    for name, state in record.checks().items():
        mark = "[green]✓[/]" if state.last.passed else "[red]✗[/]"
        grid.add_row(
            safe(name),
            f"{mark} {safe(state.last.message)}",
            f"{state.last.duration_ms}ms",
            _TREND[state.trend.value],
            f"[red]{state.failures}[/]" if state.failures else "0",
        )
    return grid
