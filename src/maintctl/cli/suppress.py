"""`maintctl suppress status ID [--json]`: what is silenced where for a window, until when.

Exit 1 when a silence the window asked for is not in place (failing or given up).
"""

from __future__ import annotations

from typing import Annotated

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import print_json
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

WINDOWS = "/api/v1/windows"
NOT_SILENCED = 1

app = typer.Typer(help="Alert suppression: Alertmanager silences, PagerDuty maintenance windows.")

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


@app.command("status")
def status(window_id: WindowId, as_json: JsonOpt = False) -> None:
    """Each silence of the window: where, until when, and any failure in plain words."""
    with connect() as api:
        report = api.json("GET", path(WINDOWS, checked(window_id), "suppression"))
    silences = report["silences"]
    if as_json:
        print_json(report)
    elif not silences:
        print(clean(f"No alerts silenced for {report['window']} ({report['status']})."))
    else:
        for silence in silences:
            print(clean(silence["line"]))
    running = report["status"] in ("in_progress", "verifying")
    failing = [
        s
        for s in silences
        if s["state"] == "failed" or (s["state"] == "pending" and s["last_error"])
    ]
    if running and failing:
        raise typer.Exit(NOT_SILENCED)
