"""Running a suite: chosen by --quick and --group, concurrently and bounded, results as data."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from maintctl.checks.base import Spec
from maintctl.config import parse_config
from maintctl.domain.checks import Result, Status
from maintctl.domain.errors import RuleViolation
from maintctl.services import validation
from tests.checks.servers import Answer, Http, silent


def specs(tmp_path: Path, body: str) -> list[Spec]:
    return list(parse_config("checks:\n" + body, "m.yaml", tmp_path).checks)


SUITE = (
    "  - {name: a, group: services, kind: tcp, host: 127.0.0.1, port: 1, tags: [smoke]}\n"
    "  - {name: b, group: infrastructure, kind: tcp, host: 127.0.0.1, port: 1}\n"
    "  - {name: c, group: functional, kind: command, command: 'true', tags: [smoke]}\n"
)


def test_quick_runs_the_smoke_checks_and_groups_narrow_further(tmp_path: Path) -> None:
    suite = specs(tmp_path, SUITE)
    assert [s.name for s in validation.select(suite)] == ["a", "b", "c"]
    assert [s.name for s in validation.select(suite, quick=True)] == ["a", "c"]
    assert [s.name for s in validation.select(suite, quick=True, groups=["services"])] == ["a"]


def test_an_unknown_group_or_nothing_to_run_is_refused(tmp_path: Path) -> None:
    suite = specs(tmp_path, SUITE)
    with pytest.raises(RuleViolation, match="unknown group 'misc'"):
        validation.select(suite, groups=["misc"])
    with pytest.raises(RuleViolation, match="no check tagged smoke in infrastructure"):
        validation.select(suite, quick=True, groups=["infrastructure"])
    with pytest.raises(RuleViolation, match="has no checks"):
        validation.select([])


def test_a_hang_and_garbage_are_their_checks_results_and_the_others_still_run(
    tmp_path: Path,
) -> None:
    with (
        Http({"/ok": Answer(200, b"{}"), "/garbage": Answer(200, b"\x00\xff")}) as server,
        silent() as mute,
    ):
        suite = specs(
            tmp_path,
            f"  - {{name: hang, group: services, kind: redis, url: 'redis://127.0.0.1:{mute}/0',"
            " timeout: 300ms}\n"
            f"  - {{name: garbage, group: services, kind: http, url: '{server.url}/garbage',"
            " expect: {json: {a: 1}}}\n"
            f"  - {{name: ok, group: services, kind: http, url: '{server.url}/ok'}}\n",
        )
        seen: list[Result] = []
        report = validation.run(suite, seen.append)
    assert [r.name for r in report.results] == ["hang", "garbage", "ok"]
    assert [r.status for r in report.results] == [Status.TIMEOUT, Status.ERROR, Status.PASS]
    assert sorted(r.name for r in seen) == ["garbage", "hang", "ok"]
    assert not report.passed
    shape = report.as_json()
    assert set(shape) == {"passed", "results"} and shape["passed"] is False
    assert list(shape["results"][2]) == [
        "name",
        "group",
        "kind",
        "status",
        "observed",
        "unit",
        "duration_ms",
        "message",
    ]
    assert shape["results"][0]["status"] == "timeout"


def test_checks_run_at_the_same_time(tmp_path: Path) -> None:
    # Ten requests meet at a barrier: only checks running at once can all pass it.
    barrier = threading.Barrier(10, timeout=5)
    with Http({"/meet": Answer(200, b"ok")}) as server:
        original = server.server.RequestHandlerClass.do_GET  # type: ignore[attr-defined]

        def meet(handler: object) -> None:
            barrier.wait()
            original(handler)

        server.server.RequestHandlerClass.do_GET = meet  # type: ignore[attr-defined]
        body = "".join(
            f"  - {{name: m{i}, group: services, kind: http, url: '{server.url}/meet'}}\n"
            for i in range(10)
        )
        report = validation.run(specs(tmp_path, body))
    assert report.passed, [r.message for r in report.results]


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most
    with Http({"/n": Answer(200, b"ok", delay=0.05)}) as server:
        original = server.server.RequestHandlerClass.do_GET  # type: ignore[attr-defined]

        def count(handler: object) -> None:
            with lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            try:
                original(handler)
            finally:
                with lock:
                    in_flight[0] -= 1

        server.server.RequestHandlerClass.do_GET = count  # type: ignore[attr-defined]
        body = "".join(
            f"  - {{name: n{i}, group: services, kind: http, url: '{server.url}/n'}}\n"
            for i in range(8)
        )
        report = validation.run(specs(tmp_path, body), concurrency=2)
    assert report.passed and in_flight[1] <= 2
