"""Run a suite of checks: chosen by --quick and --group, concurrently, each within its timeout.

Results are data (domain.checks.Result), reported as each finishes and returned in the config's
order. No check can stop the run: Check.run turns every failure into a result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from maintctl.checks.base import Check, Spec, check_for
from maintctl.domain import bounds
from maintctl.domain.checks import GROUPS, Result
from maintctl.domain.errors import Problem, RuleViolation

SMOKE = "smoke"  # the tag `--quick` runs


@dataclass(frozen=True)
class Report:
    """A run's results in the config's order, and whether every one passed."""

    results: tuple[Result, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def as_json(self) -> dict[str, Any]:
        """The issue's shape: {"passed", "results": [{name, group, kind, status, ...}]}."""
        return {"passed": self.passed, "results": [r.as_dict() for r in self.results]}


def select(specs: Sequence[Spec], *, quick: bool = False, groups: Sequence[str] = ()) -> list[Spec]:
    """The checks to run: those tagged smoke with `quick`, of the groups named (all if none)."""
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise RuleViolation(
            [
                Problem(
                    "group",
                    "unknown-group",
                    f"unknown group {g!r}",
                    f"use one of {', '.join(GROUPS)}",
                )
                for g in unknown
            ]
        )
    if not specs:
        raise RuleViolation(
            [
                Problem(
                    "checks",
                    "no-checks",
                    "the config file has no checks",
                    "add a checks: list to the config file (see docs/checks.md)",
                )
            ]
        )
    chosen = [
        s for s in specs if (not quick or SMOKE in s.tags) and (not groups or s.group in groups)
    ]
    if not chosen:
        wanted = " tagged smoke" if quick else ""
        within = f" in {', '.join(groups)}" if groups else ""
        raise RuleViolation(
            [
                Problem(
                    "checks",
                    "no-checks",
                    f"no check{wanted}{within} is configured",
                    "tag checks with smoke for --quick, or name another --group",
                )
            ]
        )
    return chosen


async def run_suite(
    specs: Sequence[Spec],
    on_result: Callable[[Result], None] | None = None,
    concurrency: int = bounds.CHECK_CONCURRENCY,
) -> Report:
    """Every check at once up to `concurrency` (processes up to COMMAND_CONCURRENCY)."""
    checks = [check_for(s) for s in specs]
    for kind in {type(c) for c in checks}:
        kind.prepare()
    slots = asyncio.Semaphore(concurrency)
    processes = asyncio.Semaphore(bounds.COMMAND_CONCURRENCY)
    # Blocking drivers (SQL) run in threads: enough of them that slow databases don't queue.
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=min(64, max(4, len(checks))))
    loop.set_default_executor(pool)

    async def one(check: Check) -> Result:
        async with slots:
            if check.heavy:
                async with processes:
                    result = await check.run()
            else:
                result = await check.run()
        if on_result is not None:
            on_result(result)
        return result

    try:
        results = await asyncio.gather(*(one(c) for c in checks))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return Report(tuple(results))


def run(
    specs: Sequence[Spec],
    on_result: Callable[[Result], None] | None = None,
    concurrency: int = bounds.CHECK_CONCURRENCY,
) -> Report:
    """run_suite on a loop of its own, for callers that are not async (the CLI, a job)."""
    return asyncio.run(run_suite(specs, on_result, concurrency))
