"""`maintctl validate`: run the configured checks here, printing the runbook's lines as they
finish; exit 1 if any fails. (Through the server's worker, and on a window, come later.)"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from maintctl.cli.client import EXIT_FAULT, fail
from maintctl.cli.output import console, print_json, safe

if TYPE_CHECKING:
    from maintctl.domain.checks import Result

EXIT_FAILED = 1


class Format(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"


_STYLE = {"pass": "green", "fail": "red", "error": "red", "timeout": "red"}


def validate(
    full: Annotated[bool, typer.Option("--full", help="run every check (the default)")] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="run only the checks tagged smoke")
    ] = False,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="only this group (repeatable): infrastructure, services, ..."),
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or junit")] = Format.table,
    report: Annotated[
        Path | None, typer.Option("--report", help="also write a self-contained HTML report")
    ] = None,
) -> None:
    """Run the config's checks concurrently, each within its timeout."""
    from maintctl.config import ConfigError, Settings, load_config
    from maintctl.domain.errors import MaintctlError
    from maintctl.services import validation

    if full and quick:
        fail(["--full and --quick: choose one"])
    settings = Settings()
    try:
        config = load_config(settings.config_path())
    except ConfigError as exc:
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    try:
        specs = validation.select(config.checks, quick=quick, groups=group or ())
    except MaintctlError as exc:
        fail([p.line() for p in exc.problems])
    live = output is Format.table
    with _Progress(len(specs), live) as progress:
        result = validation.run(specs, progress.finished)
    if output is Format.json:
        print_json(result.as_json())
    elif output is Format.junit:
        from maintctl.checks.report import junit

        sys.stdout.write(junit(result.results))
    else:
        _summary(result.results)
    if report is not None:
        _write_report(report, result.results, config.source)
    if not result.passed:
        raise typer.Exit(EXIT_FAILED)


class _Progress:
    """On a terminal, a progress bar with each line printed above it as its check finishes."""

    def __init__(self, total: int, live: bool) -> None:
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
