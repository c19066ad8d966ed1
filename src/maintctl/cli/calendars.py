"""`maintctl calendars`: the outside calendar feeds, their freshness, and refreshing them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import EXIT_NOT_OK, connect
from maintctl.cli.output import console, print_json, short, table

app = typer.Typer(help="Outside calendar feeds (deployments, on-call, commitments).")

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """Show each feed and when it was last fetched; exit 1 if any URL feed is stale."""
    with connect() as api:
        found = api.json("GET", "/api/v1/calendars")["calendars"]
    _show(found, as_json)


@app.command()
def refresh(as_json: JsonOpt = False) -> None:
    """Fetch every URL feed now (maintctl serve also does it on a timer; cron can run this).

    Exits 1 when a feed could not be fetched or is stale.
    """
    with connect() as api:
        found = api.json("POST", "/api/v1/calendars/refresh")["calendars"]
    _show(found, as_json)
    if any(f["error"] for f in found):
        raise typer.Exit(EXIT_NOT_OK)


def _show(found: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(found)
    elif not found:
        console.print("No calendars configured (the config file's calendars: list).")
    else:
        rows = [
            (
                f["name"],
                f["severity"],
                f["source"],
                _fetched(f),
                "fresh" if f["fresh"] else f"STALE (max_age {f['max_age']})",
                f["error"] or "",
            )
            for f in found
        ]
        console.print(
            table(
                "Calendars",
                ("Name", "Severity", "Source", "Fetched", "State", "Last error"),
                rows,
            )
        )
    if any(not f["fresh"] for f in found):
        raise typer.Exit(EXIT_NOT_OK)


def _fetched(feed: dict[str, Any]) -> str:
    if feed["fetched_at"]:
        return short(feed["fetched_at"])
    return "never" if "://" in feed["source"] else "(a file, read when it changes)"
