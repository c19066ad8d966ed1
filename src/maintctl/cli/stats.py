"""`maintctl stats`: what history teaches, per type and system."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, table


def _length(seconds: int) -> str:
    from maintctl.domain.times import format_duration

    return format_duration(timedelta(seconds=seconds))


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def stats(
    type: Annotated[str | None, typer.Option("--type", help="only this maintenance type")] = None,
    system: Annotated[str | None, typer.Option(help="only this system")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Per type and system over the last two years: windows run, planned vs actual duration
    (median, p90), overrun and rollback rates, notices sent on time."""
    params: dict[str, Any] = {}
    if type:
        params["type"] = type
    if system:
        params["system"] = system
    with connect() as api:
        found = api.json("GET", "/api/v1/stats", params=params)
    if as_json:
        print_json(found)
        return
    if not found["groups"]:
        console.print("No window has run in the last two years.")
        return
    rows = [
        (
            g["type"],
            g["system"],
            g["windows"],
            f"{_length(g['planned_median_s'])} / {_length(g['planned_p90_s'])}",
            f"{_length(g['actual_median_s'])} / {_length(g['actual_p90_s'])}",
            _rate(g["overrun_rate"]),
            _rate(g["rollback_rate"]),
            _rate(g["notices_on_time_rate"]),
        )
        for g in found["groups"]
    ]
    columns = (
        "Type",
        "System",
        "Run",
        "Planned med/p90",
        "Actual med/p90",
        "Overrun",
        "Rolled back",
        "Notices on time",
    )
    console.print(table(f"Since {found['from'][:10]}", columns, rows, wide=2))
