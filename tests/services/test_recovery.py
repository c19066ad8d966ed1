"""Driving a recovery watch against loopback servers, with a hand-moved clock and a sleep that
only moves it: rounds on the plan's grid, never overlapping, a failure named by its round's time,
a rising trend, and Ctrl-C / SIGTERM ending the watch with the verdict so far."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from maintctl.checks.base import Spec
from maintctl.config import parse_config
from maintctl.domain.checks import Result, Status
from maintctl.domain.recovery import Round, Trend, Watch, parse_plan
from maintctl.services import recovery, validation
from tests.checks.servers import Answer, Http
from tests.conftest import Clock

START = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
OK = Answer(200, b'{"maintenanceMode": false}', "application/json")


def specs(tmp_path: Path, url: str) -> list[Spec]:
    body = (
        f"  - {{name: api-server, group: services, kind: http, url: '{url}/health',"
        " expect: {json: {maintenanceMode: false}}, tags: [smoke]}\n"
        "  - {name: login, group: functional, kind: command, command: 'echo Login successful',"
        " expect_output: Login successful, tags: [smoke]}\n"
    )
    return list(parse_config("checks:\n" + body, "m.yaml", tmp_path).checks)


class FakeTime:
    """The clock tests move, and a sleep that moves it instead of waiting (and counts)."""

    def __init__(self) -> None:
        self.clock = Clock(START)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.now += timedelta(seconds=seconds)


def between_rounds(server: Http, answers: list[Answer]) -> Callable[[Watch, Round], None]:
    """After round n, the server gives answers[n] (round n + 1's answer)."""

    def hook(_: Watch, done: Round) -> None:
        if done.number < len(answers):
            server.routes["/health"] = answers[done.number]

    return hook


def test_a_check_failing_in_round_2_of_4_fails_the_watch_naming_round_2s_time(
    tmp_path: Path,
) -> None:
    """4 rounds: api-server answers 200, 503, 200, 200."""
    time = FakeTime()
    answers = [OK, Answer(503, b"down"), OK, OK]
    with Http({"/health": answers[0]}) as server:
        outcome = asyncio.run(
            recovery.watch(
                specs(tmp_path, server.url),
                parse_plan(START, "90s", "30s"),
                clock=time.clock,
                sleep=time.sleep,
                on_round=between_rounds(server, answers),
            )
        )
    verdict = outcome.verdict
    assert (verdict.rounds, verdict.planned, outcome.stopped) == (4, 4, False)
    assert not verdict.passed and not verdict.ok
    assert [r.number for r in verdict.failed_rounds] == [2]
    assert "first in round 2 at 2026-11-28T06:00:30Z: api-server (fail)" in verdict.line()
    assert [r.started for r in outcome.watch.rounds] == [
        START + timedelta(seconds=s) for s in (0, 30, 60, 90)
    ]
    states = outcome.watch.checks()
    assert states["api-server"].last.passed and states["api-server"].failures == 1
    assert states["login"].failures == 0
    assert time.slept == [30.0, 30.0, 30.0]  # no real waiting: the fake sleep moved the clock


def test_a_check_slower_each_round_shows_a_rising_trend(tmp_path: Path) -> None:
    """4 rounds: api-server answers after 0, 0.15, 0.3 and 0.45 seconds."""
    time = FakeTime()
    answers = [Answer(OK.status, OK.body, OK.content_type, delay) for delay in (0, 0.15, 0.3, 0.45)]
    with Http({"/health": answers[0]}) as server:
        outcome = asyncio.run(
            recovery.watch(
                specs(tmp_path, server.url)[:1],
                parse_plan(START, "3m", "1m"),
                clock=time.clock,
                sleep=time.sleep,
                on_round=between_rounds(server, answers),
            )
        )
    assert outcome.verdict.ok
    state = outcome.watch.checks()["api-server"]
    assert state.trend is Trend.RISING
    assert state.last.passed


def test_a_round_longer_than_every_delays_the_next_and_none_overlaps() -> None:
    """3 rounds of 45s in a 2m watch every 30s: at 0s, 45s and 90s; a fourth would be late."""
    time = FakeTime()
    running = 0
    most = 0

    async def slow_round(
        chosen: Sequence[Spec], on_result: Callable[[Result], None] | None
    ) -> validation.Report:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        time.clock.now += timedelta(seconds=45)
        running -= 1
        return validation.Report(())

    outcome = asyncio.run(
        recovery.watch(
            [],
            parse_plan(START, "2m", "30s"),
            clock=time.clock,
            sleep=time.sleep,
            run_round=slow_round,
        )
    )
    assert [r.started for r in outcome.watch.rounds] == [
        START + timedelta(seconds=s) for s in (0, 45, 90)
    ]
    assert most == 1
    assert time.slept == [0.0, 0.0]
    assert outcome.verdict.ok  # every round ran that the time allowed


def test_a_stop_between_rounds_ends_the_watch_with_the_verdict_so_far(tmp_path: Path) -> None:
    """2 of 11 planned rounds: round 2 fails, then Ctrl-C."""
    time = FakeTime()

    async def main() -> recovery.Outcome:
        stop = asyncio.Event()

        def hook(_: Watch, done: Round) -> None:
            server.routes["/health"] = Answer(500, b"no")
            if done.number == 2:
                stop.set()

        return await recovery.watch(
            specs(tmp_path, server.url),
            parse_plan(START, "5m", "30s"),
            clock=time.clock,
            sleep=time.sleep,
            stop=stop,
            on_round=hook,
        )

    with Http({"/health": OK}) as server:
        outcome = asyncio.run(main())
    verdict = outcome.verdict
    assert (verdict.rounds, verdict.planned, verdict.stopped) == (2, 11, True)
    assert verdict.line().startswith(
        "Recovery failed: 1 of 2 rounds failed (stopped after 2 of 11); "
        "first in round 2 at 2026-11-28T06:00:30Z: api-server (fail)"
    )


def test_a_stop_during_a_round_drops_that_round_and_ends_at_once() -> None:
    """1 round done, the second cut off while its check hangs."""
    time = FakeTime()
    calls = 0

    async def main() -> recovery.Outcome:
        stop = asyncio.Event()
        hang = asyncio.Event()

        async def round_(
            chosen: Sequence[Spec], on_result: Callable[[Result], None] | None
        ) -> validation.Report:
            nonlocal calls
            calls += 1
            if calls == 2:
                stop.set()
                await hang.wait()  # never set: only the stop ends this round
            ok = Result("api", "services", "http", Status.PASS, 200, "", 5, "Healthy")
            return validation.Report((ok,))

        return await recovery.watch(
            [],
            parse_plan(START, "5m", "30s"),
            clock=time.clock,
            sleep=time.sleep,
            stop=stop,
            run_round=round_,
        )

    outcome = asyncio.run(main())
    assert calls == 2
    assert len(outcome.watch.rounds) == 1 and outcome.stopped
    assert outcome.verdict.passed and not outcome.verdict.ok


def test_sigterm_ends_a_sleeping_watch_cleanly_and_puts_the_handlers_back(
    tmp_path: Path,
) -> None:
    """1 of 3 planned rounds, then SIGTERM while the watch sleeps (for real, at most 20s)."""
    before = signal.getsignal(signal.SIGTERM)

    def hook(_: Watch, done: Round) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    async def bounded_sleep(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 20))

    with Http({"/health": OK}) as server:
        outcome = recovery.run(
            specs(tmp_path, server.url)[:1],
            parse_plan(datetime.now(UTC), "2m", "1m"),
            clock=lambda: datetime.now(UTC),
            sleep=bounded_sleep,
            on_round=hook,
        )
    assert len(outcome.watch.rounds) == 1 and outcome.stopped
    assert outcome.verdict.line() == (
        "Recovery not confirmed (stopped after 1 of 3): every check passed so far"
    )
    assert signal.getsignal(signal.SIGTERM) == before
