"""`maintctl validate`: run the configured checks, printing the runbook's lines as they finish;
exit 1 if any fails (or, comparing, if any value is beyond its tolerance of the baseline).

With MAINTCTL_URL the server's worker runs them: this starts the run through the API and follows
its results as they arrive, so a long run is not bound by one request's timeout. Alone, they run
here; with --window the run and its results are stored on the window (services/runs.py).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from maintctl.cli.client import EXIT_FAULT, fail
from maintctl.cli.output import console, print_json, safe

if TYPE_CHECKING:
    from maintctl.config import Settings
    from maintctl.domain.checks import Result
    from maintctl.domain.recovery import Verdict, Watch

EXIT_FAILED = 1
POLL_S = 0.5  # between two looks at a run the server's worker runs
FOLLOW_MAX_S = 3_600.0  # a run still unfinished after this is left to run; the CLI says where


class Format(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"


class Capture(StrEnum):
    capture = "capture"


_STYLE = {"pass": "green", "fail": "red", "error": "red", "timeout": "red"}
_PURPOSE = {"check": None, "baseline": "capture", "compare": "compare"}


@dataclass
class Outcome:
    """What a run gave, wherever it ran: its results, and a comparison's rows."""

    results: tuple[Result, ...]
    passed: bool
    source: str
    run: str | None = None
    window: str | None = None
    comparison: list[dict[str, Any]] | None = None
    purpose: str = "check"


def validate(
    full: Annotated[bool, typer.Option("--full", help="run every check (the default)")] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="run only the checks tagged smoke")
    ] = False,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="only this group (repeatable): infrastructure, services, ..."),
    ] = None,
    window: Annotated[
        str | None, typer.Option("--window", help="store the run and its results on this window")
    ] = None,
    baseline: Annotated[
        Capture | None,
        typer.Option("--baseline", help="capture: keep every check's value as the baseline"),
    ] = None,
    compare_baseline: Annotated[
        bool,
        typer.Option("--compare-baseline", help="compare with the window's baseline"),
    ] = False,
    output: Annotated[Format, typer.Option("--format", help="table, json or junit")] = Format.table,
    report: Annotated[
        Path | None, typer.Option("--report", help="also write a self-contained HTML report")
    ] = None,
    watch: Annotated[
        str | None,
        typer.Option("--watch", help="run the checks again and again for this long (e.g. 5m)"),
    ] = None,
    every: Annotated[
        str | None, typer.Option("--every", help="with --watch: time between rounds (default 30s)")
    ] = None,
) -> None:
    """Run the config's checks concurrently, each within its timeout."""
    from maintctl.cli.client import remote
    from maintctl.config import Settings

    if full and quick:
        fail(["--full and --quick: choose one"])
    if every is not None and watch is None:
        fail(["--every: it spaces the rounds of --watch; give --watch DURATION too"])
    if watch is not None:
        if baseline or compare_baseline or report is not None:
            fail(["--watch: it cannot be combined with --baseline, --compare-baseline or --report"])
        if output is Format.junit:
            fail(["--format: a watch prints table or json, not junit"])
        if remote(Settings())[0]:
            raise typer.Exit(_follow_watch(window, quick, group or [], watch, every, output.value))
        raise typer.Exit(_watch(Settings(), window, quick, group or [], watch, every, output.value))
    if baseline and compare_baseline:
        fail(["--baseline capture and --compare-baseline: choose one"])
    purpose = "baseline" if baseline else "compare" if compare_baseline else "check"
    if purpose != "check" and window is None:
        fail(["a baseline is kept on a window; name it with --window ID"])
    settings = Settings()
    live = output is Format.table
    if remote(settings)[0]:
        outcome = _follow(window, quick, group or [], purpose, live)
    elif window is not None:
        outcome = _stored(settings, window, quick, group or [], purpose, live)
    else:
        outcome = _here(settings, quick, group or [], live)
    _show(outcome, output)
    if report is not None:
        _write_report(report, outcome.results, outcome.source)
    if not outcome.passed:
        raise typer.Exit(EXIT_FAILED)


def _watch(
    settings: Settings,
    window: str | None,
    quick: bool,
    groups: list[str],
    duration: str,
    every: str | None,
    form: str,
) -> int:
    """The runbook's monitor-recovery alone: rounds in this process, with this machine's config
    file; with --window each round is a run stored on it, linked to a watch (through a server,
    `_follow_watch`)."""
    from maintctl.cli.recovery import watch
    from maintctl.config import ConfigError, load_config

    if window is None:
        try:
            config = load_config(settings.config_path())
        except ConfigError as exc:
            fail([p.text() for p in exc.problems], EXIT_FAULT)
        return watch(config.checks, quick, groups, duration, every, form)
    from maintctl.cli.transport import LocalTransport
    from maintctl.services import watches

    local = LocalTransport(settings)
    try:
        here = watches.Here(local.deps, local.who(), window)
        try:
            return watch(
                local.deps.config.checks, quick, groups, duration, every, form, stored=here.begin
            )
        finally:
            here.end()
    except ConfigError as exc:
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    finally:
        local.close()


def _here(settings: Settings, quick: bool, groups: list[str], live: bool) -> Outcome:
    """In-process, nothing stored."""
    from maintctl.config import ConfigError, load_config
    from maintctl.domain.errors import MaintctlError
    from maintctl.services import validation

    try:
        config = load_config(settings.config_path())
    except ConfigError as exc:
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    try:
        specs = validation.select(config.checks, quick=quick, groups=groups)
    except MaintctlError as exc:
        fail([p.line() for p in exc.problems])
    with _Progress(len(specs), live) as progress:
        result = validation.run(specs, progress.finished)
    return Outcome(result.results, result.passed, config.source)


def _stored(
    settings: Settings, window: str, quick: bool, groups: list[str], purpose: str, live: bool
) -> Outcome:
    """In-process, stored on the window by the same service the server's worker runs."""
    from maintctl.cli.transport import LocalTransport
    from maintctl.config import ConfigError
    from maintctl.domain.errors import MaintctlError
    from maintctl.services import runs, validation
    from maintctl.store import validation as store

    local = LocalTransport(settings)
    try:
        deps, who = local.deps, local.who()
        ask = runs.Ask(window, quick, tuple(dict.fromkeys(groups)), purpose)
        with deps.db.write() as session:
            number = runs.start(deps, session, who, ask, enqueue=False).id
        total = len(validation.select(deps.config.checks, quick=quick, groups=groups))
        with _Progress(total, live) as progress:
            row = runs.execute(deps, number, progress.finished)
        order = {s.name: i for i, s in enumerate(deps.config.checks)}
        with deps.db.read() as session:
            found = [r for _, r in store.results(session, number)]
            compared = [c.as_dict() for c in runs.comparison(deps, session, row)]
        found.sort(key=lambda r: order.get(r.name, len(order)))
        if row.status == store.ERROR:
            fail([row.message or "the run could not run"], EXIT_FAULT)
        return Outcome(
            tuple(found),
            row.status == store.PASSED,
            deps.config.source,
            runs.public_id(number),
            row.window_id,
            compared if purpose == "compare" else None,
            purpose,
        )
    except ConfigError as exc:
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    except MaintctlError as exc:
        fail([p.line() for p in exc.problems])
    finally:
        local.close()


def _follow(
    window: str | None, quick: bool, groups: list[str], purpose: str, live: bool
) -> Outcome:
    """Through the server: start the run, then poll its results past the last cursor seen."""
    from urllib.parse import quote

    from maintctl.cli.client import connect
    from maintctl.domain import bounds

    body = {
        "window": window,
        "mode": "quick" if quick else "full",
        "groups": groups,
        "baseline": _PURPOSE[purpose],
    }
    results: list[Result] = []
    with connect() as api:
        run = api.json("POST", "/api/v1/validations", json=body)
        where = f"/api/v1/validations/{quote(run['id'], safe='')}"
        cursor: int | None = None
        until = time.monotonic() + FOLLOW_MAX_S
        with _Progress(None, live) as progress:
            while True:
                query: dict[str, Any] = {"limit": bounds.PAGE_MAX}
                if cursor is not None:
                    query["after"] = cursor
                page = api.json("GET", where, params=query)
                for item in page["results"]:
                    results.append(_result(item))
                    progress.finished(results[-1])
                cursor = page["cursor"]
                if page["status"] in ("passed", "failed", "error"):
                    if len(page["results"]) < bounds.PAGE_MAX:
                        break
                    continue
                if time.monotonic() > until:
                    fail([f"{run['id']} is still {page['status']}; see {where}"], EXIT_FAULT)
                if not page["results"]:
                    time.sleep(POLL_S)
    if page["status"] == "error":
        fail([page.get("message") or f"{run['id']} could not run"], EXIT_FAULT)
    return Outcome(
        tuple(results),
        page["status"] == "passed",
        f"the server's config ({page.get('config_hash') or 'unknown'})",
        run["id"],
        page.get("window"),
        page.get("comparison") if purpose == "compare" else None,
        purpose,
    )


def _follow_watch(
    window: str | None, quick: bool, groups: list[str], duration: str, every: str | None, form: str
) -> int:
    """Through the server: start a watch its worker runs a round at a time, then feed each
    finished round to the same view as an in-process watch; the server's verdict decides."""
    from datetime import timedelta
    from urllib.parse import quote

    from maintctl.cli import recovery
    from maintctl.cli.client import connect
    from maintctl.domain import bounds
    from maintctl.domain.recovery import Plan, Watch
    from maintctl.domain.times import parse_instant

    body = {
        "window": window,
        "mode": "quick" if quick else "full",
        "groups": groups,
        "watch": duration,
        "every": every,
    }
    with connect() as api:
        started = api.json("POST", "/api/v1/validations", json=body)
        where = f"/api/v1/watches/{quote(started['id'], safe='')}"
        plan = Plan(
            parse_instant("started_at", started["started_at"]),
            timedelta(seconds=started["duration_s"]),
            timedelta(seconds=started["every_s"]),
        )
        record = Watch(plan)
        # Past the deadline by a round's worth of checks, the watch is left to the server.
        until = time.monotonic() + plan.duration.total_seconds() + FOLLOW_MAX_S
        view = recovery.begin(plan, form)
        try:
            with view:
                while True:
                    seen = api.json("GET", where)
                    for item in seen["rounds"][len(record.rounds) :]:
                        if item["status"] not in ("passed", "failed", "error"):
                            break
                        results = _run_results(api, item["run"], bounds.PAGE_MAX)
                        # A round that could not run: the server's one line saying why.
                        results += tuple(
                            _result(f) for f in item["failures"] if f["name"] == "(run)"
                        )
                        done = record.record(
                            parse_instant("started", item["started"]),
                            parse_instant("finished", item["finished"]),
                            results,
                        )
                        view.update(record, done)
                    if seen["status"] == "finished":
                        break
                    if time.monotonic() > until:
                        fail([f"{started['id']} is still running; see {where}"], EXIT_FAULT)
                    time.sleep(POLL_S)
        except KeyboardInterrupt:
            fail([f"stopped following; {started['id']} runs on at {where}"], EXIT_FAILED)
    verdict = _verdict(seen["verdict"], record)
    out = {"id": seen["id"], **record.as_dict(), "verdict": seen["verdict"]}
    return recovery.end(verdict, form, out)


def _verdict(stored: dict[str, Any], record: Watch) -> Verdict:
    """The server's verdict as the domain's, over the rounds followed (the same rounds)."""
    from maintctl.domain.recovery import Verdict

    numbers = set(stored["failed_rounds"])
    failed = tuple(r for r in record.rounds if r.number in numbers)
    return Verdict(stored["rounds"], stored["planned"], failed, stored["stopped"])


def _run_results(api: Any, run: str, limit: int) -> tuple[Result, ...]:
    """A finished run's results, every page."""
    from urllib.parse import quote

    found: list[Result] = []
    cursor = None
    from maintctl.domain import bounds

    # Every configured check, a page at a time, at most.
    for _ in range(bounds.MAX_CHECKS // limit + 2):
        query: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            query["after"] = cursor
        page = api.json("GET", f"/api/v1/validations/{quote(run, safe='')}", params=query)
        found += [_result(item) for item in page["results"]]
        cursor = page["cursor"]
        if len(page["results"]) < limit:
            break
    return tuple(found)


def _result(item: dict[str, Any]) -> Result:
    from maintctl.domain.checks import Result, Status

    return Result(
        name=str(item["name"]),
        group=str(item["group"]),
        kind=str(item["kind"]),
        status=Status(item["status"]),
        observed=item.get("observed"),
        unit=str(item.get("unit") or ""),
        duration_ms=int(item.get("duration_ms") or 0),
        message=str(item.get("message") or ""),
    )


def _show(outcome: Outcome, output: Format) -> None:
    if output is Format.json:
        body: dict[str, Any] = {
            "passed": outcome.passed,
            "results": [r.as_dict() for r in outcome.results],
        }
        if outcome.run is not None:
            body["run"] = outcome.run
            body["window"] = outcome.window
        if outcome.comparison is not None:
            body["comparison"] = outcome.comparison
        print_json(body)
    elif output is Format.junit:
        from maintctl.checks.report import junit

        sys.stdout.write(junit(outcome.results))
    elif outcome.comparison is not None:
        _comparison(outcome.comparison)
    else:
        _summary(outcome.results)
        if outcome.purpose == "baseline" and outcome.run is not None:
            console.print(
                f"baseline captured on {safe(outcome.window or '')} ({safe(outcome.run)}): "
                f"{len(outcome.results)} values"
            )


def _comparison(rows: list[dict[str, Any]]) -> None:
    """The runbook's table: Metric | Baseline | Current | Status, with each tolerance."""
    from rich.table import Table

    table = Table("Metric", "Baseline", "Current", "Status", "Tolerance")
    for row in rows:
        style = "green" if row["passed"] else "red"
        table.add_row(
            safe(row["metric"]),
            safe(row["baseline"]),
            safe(row["current"]),
            f"[{style}]{safe(row['status'])}[/]",
            safe(row["tolerance"]),
        )
    console.print(table)
    beyond = [r for r in rows if not r["passed"]]
    if beyond:
        names = ", ".join(f"{r['metric']} ({r['status']})" for r in beyond)
        console.print(f"[red]{len(beyond)} of {len(rows)} beyond the baseline:[/] {safe(names)}")
    else:
        console.print(f"[green]All {len(rows)} within the baseline's tolerance[/]")


class _Progress:
    """On a terminal, a progress bar with each line printed above it as its check finishes."""

    def __init__(self, total: int | None, live: bool) -> None:
        self.live = live
        self.bar = None
        if live and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("validating"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self.task = self.bar.add_task("checks", total=total)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def finished(self, result: Result) -> None:
        if not self.live:
            return
        style = _STYLE[result.status.value]
        console.print(f"[{style}]{'✓' if result.passed else '✗'}[/] {safe(result.line())}")
        if self.bar is not None:
            self.bar.advance(self.task)


def _summary(results: tuple[Result, ...]) -> None:
    failed = [r for r in results if not r.passed]
    if failed:
        names = ", ".join(f"{r.name} ({r.status.value})" for r in failed)
        console.print(f"[red]{len(failed)} of {len(results)} checks failed:[/] {safe(names)}")
    else:
        console.print(f"[green]All {len(results)} checks passed[/]")


def _write_report(path: Path, results: tuple[Result, ...], source: str) -> None:
    from datetime import UTC, datetime

    from maintctl.checks.report import page

    try:
        path.write_text(page(results, datetime.now(UTC), source), "utf-8")
    except OSError as exc:
        fail([f"cannot write the report {path}: {exc.strerror or exc}"], EXIT_FAULT)
    if sys.stdout.isatty():
        console.print(f"report written to {safe(path)}")
