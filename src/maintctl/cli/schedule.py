"""`maintctl check` and `maintctl slots`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import EXIT_NOT_OK, connect
from maintctl.cli.output import console, errors, print_json, safe, short, table

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
Systems = Annotated[str, typer.Option(help="comma-separated systems, e.g. api,db")]

STYLE = {"block": "red", "warn": "yellow", "info": "dim"}


def check(
    date: Annotated[str, typer.Option(help="the UTC day, e.g. 2024-12-29")],
    systems: Systems = "",
    as_json: JsonOpt = False,
) -> None:
    """List what a day holds that new maintenance would conflict with; exit 1 unless clear."""
    with connect() as api:
        report = api.json("GET", "/api/v1/check", params={"date": date, "systems": systems})
    if as_json:
        print_json(report)
    elif report["clear"]:
        console.print(
            f"[green]{report['date']} is clear[/]: no windows, events, handoffs or freezes."
        )
    else:
        rows = [
            (i["severity"], i["kind"], i["name"], short(i["start"]), short(i["end"]), i["detail"])
            for i in report["items"]
        ]
        console.print(
            table(
                f"{report['date']}: not clear",
                ("Severity", "Kind", "Name", "Start", "End", "Detail"),
                rows,
            )
        )
    if not report["clear"]:
        raise typer.Exit(EXIT_NOT_OK)


def slots(
    type: Annotated[str, typer.Option("--type", help="e.g. planned-outage")],
    duration: Annotated[str, typer.Option(help="e.g. 2h, 30m")],
    systems: Systems = "",
    after: Annotated[
        str | None, typer.Option(help="not before this, e.g. 2025-01-01 or an instant")
    ] = None,
    count: Annotated[int, typer.Option(help="how many slots")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Find the earliest starts that satisfy every rule: notice, windows, freezes, conflicts."""
    params: dict[str, Any] = {
        "type": type,
        "duration": duration,
        "systems": systems,
        "count": count,
    }
    if after:
        params["after"] = after
    with connect() as api:
        found = api.json("GET", "/api/v1/slots", params=params)
        hint = {"type": type, "duration": duration, "systems": systems}
        warned = api.json("GET", "/api/v1/stats/duration", params=hint)["warning"]
    if warned:
        errors.print(f"[yellow]warning[/]: {safe(warned)}")
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No slot in the next two years satisfies every rule.")
        raise typer.Exit(EXIT_NOT_OK)
    console.print(
        table(
            f"Earliest slots for {type}, {duration}",
            ("Start (UTC)", "End (UTC)", "Window"),
            [(short(s["start"]), short(s["end"]), s["window"]) for s in found],
        )
    )
