"""`maintctl calendar`: the month in the terminal, and the RFC 5545 export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console

app = typer.Typer(help="The maintenance calendar.", invoke_without_command=True)


@app.callback()
def month(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(help="YYYY-MM; default this month")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Draw a month: windows, freezes, calendar events and patching weeks."""
    if ctx.invoked_subcommand is not None:
        return
    from maintctl.cli.month import render_month
    from maintctl.cli.output import print_json

    wanted = month or datetime.now(UTC).strftime("%Y-%m")
    with connect() as api:
        data = api.json("GET", "/api/v1/calendar", params={"month": wanted})
    if as_json:
        print_json(data)
        return
    year, number = (int(part) for part in data["month"].split("-"))
    console.print(render_month(year, number, data["items"]))


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="file; default stdout")
    ] = None,
) -> None:
    """Write the windows of the last year and to come as an iCalendar feed (or /calendar.ics)."""
    with connect() as api:
        # Piece by piece: in local mode the feed is read from the database as it is written.
        pieces = api.call("GET", "/calendar.ics").iter_bytes()
        if output is None:
            for piece in pieces:
                typer.echo(piece, nl=False)
            return
        with output.open("wb") as handle:
            handle.writelines(pieces)
    console.print(f"Wrote {output}")
