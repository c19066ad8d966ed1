"""`maintctl notify`: the notices about a window (render here; pending, preview, send, log next)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import print_json
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

app = typer.Typer(help="Notices about windows: render one as it would go.")


@app.command("render")
def render(
    window_id: Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")],
    kind: Annotated[
        str, typer.Option(help="initial, reminder-24h, start, progress, completion, cancelled...")
    ],
    channel: Annotated[
        str | None, typer.Option(help="render as this configured channel gets it")
    ] = None,
    audience: Annotated[
        str | None, typer.Option(help="for this audience (default: the channel's)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Preview a notice about a window: its subject and text (docs/templates.md lists kinds)."""
    params: dict[str, Any] = {"kind": kind}
    if channel is not None:
        params["channel"] = channel
    if audience is not None:
        params["audience"] = audience
    with connect() as api:
        done = api.json("GET", path("/api/v1/windows", checked(window_id), "render"), params=params)
    if as_json:
        print_json(done)
        return
    heard = f"channel {done['channel']}, " if done["channel"] else ""
    print(clean(f"# {done['kind']} for {heard}audience {done['audience']}"))
    print(clean(f"Subject: {done['subject']}"))
    print()
    print(clean(done["text"]), end="")
