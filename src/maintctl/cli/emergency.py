"""`maintctl emergency start|resolve`: the runbook's emergency maintenance."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, safe, short
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked

app = typer.Typer(help="Emergency maintenance: start one, resolve it.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


@app.command()
def start(
    reason: Annotated[str, typer.Option(help="why it cannot wait (the window's description)")] = "",
    impact: Annotated[str, typer.Option(help="the expected impact")] = "",
    duration: Annotated[str, typer.Option(help="how long it should take, e.g. 1h or 90m")] = "",
    systems: Annotated[
        str | None, typer.Option(help="the systems it touches, comma-separated")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="the public title (default: Emergency Maintenance)")
    ] = None,
    maintenance_mode: Annotated[
        bool,
        typer.Option(
            "--maintenance-mode/--no-maintenance-mode",
            help="switch maintenance mode on for its systems while it runs",
        ),
    ] = False,
    maintenance_message: Annotated[
        str | None, typer.Option(help="what services show (default: Service will resume at ...)")
    ] = None,
    traffic_mode: Annotated[
        str, typer.Option(help="while it runs: normal, read-only or maintenance")
    ] = "normal",
    as_json: JsonOpt = False,
) -> None:
    """File an emergency (EMT-YYYYMMDDHHMM) and page vp-engineering or higher: the final
    signature (maintctl window approve ID) starts it at once."""
    body: dict[str, Any] = {
        "reason": reason,
        "impact": impact,
        "duration": duration,
        "systems": [s.strip() for s in (systems or "").split(",") if s.strip()],
    }
    if title is not None:
        body["title"] = title
    body["maintenance_mode"] = maintenance_mode
    body["traffic_mode"] = traffic_mode
    if maintenance_message is not None:
        body["maintenance_message"] = maintenance_message
    with connect() as api:
        window = api.json("POST", "/api/v1/emergencies", json=body)
    if as_json:
        print_json(window)
        return
    wid = safe(window["id"])
    console.print(
        f"Created [bold]{wid}[/] (emergency, {window['status']}): {short(window['start'])} to "
        f"{short(window['end'])}"
    )
    for conflict in window.get("conflicts", []):
        if conflict.get("severity") == "warn":
            console.print(f"[yellow]warning:[/] {safe(conflict.get('detail', ''))}")
    console.print(
        f"vp-engineering or higher must sign it: maintctl window approve {wid} starts it at once"
    )
    from maintctl.cli.execution import effect_lines

    effect_lines(window.get("effects", []))


@app.command()
def resolve(
    window_id: Annotated[str, typer.Argument(metavar="ID", help="the emergency, e.g. EMT-...")],
    as_json: JsonOpt = False,
) -> None:
    """Run the quick validation; when it passes the emergency is completed, its incident
    resolved and the completion sent (exit 1 while it fails, as complete)."""
    from maintctl.cli import execution

    execution.finish(path("/api/v1/emergencies", checked(window_id), "resolve"), as_json)
