"""Drive a recovery watch: run the suite every `every` for `duration`, one round at a time, and
stop cleanly on Ctrl-C or SIGTERM with the verdict so far. The clock and the sleep are
arguments, so tests run a whole watch without waiting."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from maintctl.checks.base import Spec
from maintctl.domain.checks import Result
from maintctl.domain.recovery import Plan, Round, Verdict, Watch
from maintctl.services import validation

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
RunRound = Callable[[Sequence[Spec], Callable[[Result], None] | None], Awaitable[validation.Report]]
OnRound = Callable[[Watch, Round], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """The watch as it ended, and whether a signal cut it short."""

    watch: Watch
    stopped: bool

    @property
    def verdict(self) -> Verdict:
        return self.watch.verdict(self.stopped)


async def _run_round(
    specs: Sequence[Spec], on_result: Callable[[Result], None] | None
) -> validation.Report:
    return await validation.run_suite(specs, on_result)


async def watch(
    specs: Sequence[Spec],
    plan: Plan,
    *,
    clock: Clock,
    sleep: Sleep = asyncio.sleep,
    stop: asyncio.Event | None = None,
    on_round: OnRound | None = None,
    on_result: Callable[[Result], None] | None = None,
    run_round: RunRound = _run_round,
) -> Outcome:
    """Run the rounds the plan allows; a set `stop` ends the watch, dropping a round in flight."""
    stop = stop or asyncio.Event()
    record = Watch(plan)
    due = plan.start  # rounds keep to the plan's grid, so a late wake-up costs no round
    for _ in range(plan.rounds):
        if stop.is_set():
            return Outcome(record, True)
        started = clock()
        ran, report = await _unless(stop, run_round(specs, on_result))
        if not ran or report is None:
            return Outcome(record, True)
        finished = clock()
        done = record.record(started, finished, report.results)
        if on_round is not None:
            on_round(record, done)
        following = plan.next_start(due, finished)
        if following is None:
            break
        slept, _ = await _unless(stop, sleep(plan.wait(finished, following)))
        if not slept:
            return Outcome(record, True)
        due = following
    return Outcome(record, False)


async def _unless(stop: asyncio.Event, work: Awaitable[T]) -> tuple[bool, T | None]:
    """Await `work` unless `stop` is set first: (True, its value), or (False, None) cancelled."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False, None


def run(
    specs: Sequence[Spec],
    plan: Plan,
    *,
    clock: Clock,
    sleep: Sleep = asyncio.sleep,
    on_round: OnRound | None = None,
    on_result: Callable[[Result], None] | None = None,
    run_round: RunRound | None = None,
) -> Outcome:
    """`watch` on a loop of its own, with Ctrl-C and SIGTERM ending it cleanly (main thread)."""

    async def main() -> Outcome:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Only the main thread may take signals; elsewhere the watch runs to its end.
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
        try:
            return await watch(
                specs,
                plan,
                clock=clock,
                sleep=sleep,
                stop=stop,
                on_round=on_round,
                on_result=on_result,
                run_round=run_round or _run_round,
            )
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    return asyncio.run(main())
