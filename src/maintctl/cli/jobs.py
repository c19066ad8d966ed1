"""`maintctl jobs`: the worker's job table (what is pending, running, failed, dead)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, short, table


def jobs(
    status: Annotated[
        str | None, typer.Option(help="only jobs in this state: pending, running, done, dead")
    ] = None,
    limit: Annotated[int, typer.Option(help="how many jobs, newest first (at most 1000)")] = 50,
    before: Annotated[int | None, typer.Option(help="only jobs older than this ID")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The worker's jobs, newest first: what is pending, running, done or dead, and why."""
    params: dict[str, Any] = {"limit": limit}
    if status is not None:
        params["status"] = status
    if before is not None:
        params["before"] = before
    with connect() as api:
        found = api.json("GET", "/api/v1/jobs", params=params)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No jobs.")
        return
    rows = [
        (
            j["id"],
            j["kind"],
            j["status"],
            short(j["due_at"]),
            j["attempts"],
            short(j["next_try_at"]) if j["next_try_at"] else "",
            j["result"] or "",
        )
        for j in found
    ]
    columns = ("ID", "Kind", "Status", "Due (UTC)", "Tries", "Next try (UTC)", "Result")
    console.print(table("Jobs", columns, rows, wide=6))
    if len(found) == limit:
        more = f" --status {status}" if status else ""
        console.print(f"More: maintctl jobs --limit {limit}{more} --before {found[-1]['id']}")
