"""`maintctl audit`: the account and token events (admin)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, short, table


def _detail(event: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in event["detail"].items() if v is not None)


def audit(
    limit: Annotated[int, typer.Option(help="how many events, newest first (at most 1000)")] = 50,
    before: Annotated[int | None, typer.Option(help="only events older than this ID")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Who added, disabled or changed which account, and created or revoked which token."""
    params: dict[str, Any] = {"limit": limit}
    if before is not None:
        params["before"] = before
    with connect() as api:
        events = api.json("GET", "/api/v1/audit", params=params)
    if as_json:
        print_json(events)
        return
    if not events:
        console.print("No account or token events.")
        return
    rows = [
        (e["id"], short(e["at"]), e["actor"], e["action"], e["account"], _detail(e)) for e in events
    ]
    columns = ("ID", "When (UTC)", "Who", "Action", "Account", "Detail")
    console.print(table("Account audit trail", columns, rows, wide=2))
    if len(events) == limit:
        console.print(f"More: maintctl audit --limit {limit} --before {events[-1]['id']}")
