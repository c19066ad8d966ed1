"""`maintctl mode enable|disable|status` and `maintctl traffic --mode ...`.

In local mode the mode hooks run in-process right after the change (cli/inline.py); with a
server, its worker runs them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, safe, short, table
from maintctl.cli.paths import window_id as checked

MODE = "/api/v1/mode"
HOOK_KIND = "mode.hook"

app = typer.Typer(help="Maintenance mode: what services tell their users.", no_args_is_help=True)

SystemsOpt = Annotated[
    str | None, typer.Option("--systems", help="only these systems, comma-separated; default all")
]
WindowOpt = Annotated[
    str | None, typer.Option("--window", help="tie it to this window (its end is the `until`)")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="why; kept in the audit trail")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _body(systems: str | None, window: str | None, reason: str) -> dict[str, Any]:
    body: dict[str, Any] = {"reason": reason}
    if systems:
        body["systems"] = [s for s in systems.split(",") if s.strip()]
    if window:
        body["window"] = checked(window)
    return body


def _send(where: str, body: dict[str, Any], as_json: bool) -> None:
    from maintctl.cli import inline

    with connect() as api:
        found = api.json("POST", where, json=body)
        ran = inline.after(api, (HOOK_KIND,)) if found["change"] is not None else None
        runs = [r for r in api.json("GET", MODE)["hook_runs"] if r["change"] == found["change"]]
    if as_json:
        print_json({**found, "hook_runs": runs if ran is not None else []})
        return
    if found["change"] is None:
        console.print("Nothing to switch off: the window holds no state.")
        return
    where_ = "globally" if found["global"] else f"for {', '.join(found['systems'])}"
    tied = f", tied to {found['window']} until {short(found['until'])}" if found["until"] else ""
    tied = tied or (f", for {found['window']}" if found["window"] else "")
    console.print(
        f"{found['kind'].capitalize()} mode {safe(found['value'])} {safe(where_)}{safe(tied)}"
    )
    if found["message"]:
        console.print(f"Message: {safe(found['message'])}")
    if ran is None and found["hooks"]:
        console.print(f"{found['hooks']} hook(s) planned: the server's worker runs them")
    for run in reversed(runs):
        _hook_line(run)


def _hook_line(run: dict[str, Any]) -> None:
    code = "" if run["exit_code"] is None else f" (exit {run['exit_code']})"
    colour = "green" if run["status"] in ("ok", "superseded") else "red"
    console.print(f"hook {safe(run['hook'])}: [{colour}]{run['status']}[/]{code}")
    last = run["output"].strip().splitlines()[-3:]
    for line in last:
        console.print(f"  {safe(line)}")


@app.command()
def enable(
    message: Annotated[str, typer.Option("--message", help="what services show their users")],
    systems: SystemsOpt = None,
    window: WindowOpt = None,
    reason: ReasonOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Switch maintenance mode on (team-lead or higher)."""
    body = {**_body(systems, window, reason), "enabled": True, "message": message}
    _send(f"{MODE}/maintenance", body, as_json)


@app.command()
def disable(
    systems: SystemsOpt = None,
    window: Annotated[
        str | None,
        typer.Option("--window", help="tie it to this window; alone: what that window holds"),
    ] = None,
    reason: ReasonOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Switch maintenance mode off (team-lead or higher)."""
    _send(f"{MODE}/maintenance", {**_body(systems, window, reason), "enabled": False}, as_json)


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """Maintenance and traffic mode: global, per system, who set them and why; hook runs."""
    with connect() as api:
        found = api.json("GET", MODE)
    if as_json:
        print_json(found)
        return
    on = "on" if found["maintenanceMode"] else "off"
    until = f" until {short(found['until'])}" if found["until"] else ""
    console.print(f"Global: maintenance mode {on}, traffic {found['trafficMode']}{until}")
    if found["message"]:
        console.print(f"Message: {safe(found['message'])}")
    for state in found["states"]:
        console.print(_state_line(state))
    for run in found["hook_runs"][:5]:
        _hook_line(run)


def _state_line(state: dict[str, Any]) -> str:
    """One stored state: scope, kind, value, since, by, window and until, why."""
    scope = state["scope"] or "(global)"
    line = (
        f"{scope}: {state['kind']} {state['value']} since {short(state['since'])} by {state['by']}"
    )
    if state["window"]:
        line += f", {state['window']}"
    if state["until"]:
        line += f" until {short(state['until'])}"
    if state["reason"]:
        line += f": {state['reason']}"
    return safe(line)


def traffic(
    mode: Annotated[str, typer.Option("--mode", help="normal, read-only or maintenance")],
    systems: SystemsOpt = None,
    window: WindowOpt = None,
    reason: ReasonOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Set the traffic mode: what services let through (team-lead or higher)."""
    _send(f"{MODE}/traffic", {**_body(systems, window, reason), "mode": mode}, as_json)


@app.command()
def history(
    limit: Annotated[int, typer.Option(help="how many changes, newest first (at most 1000)")] = 50,
    before: Annotated[int | None, typer.Option(help="only changes older than this ID")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every change of maintenance or traffic mode, newest first: who, why, where."""
    params: dict[str, Any] = {"limit": limit, **({"before": before} if before else {})}
    with connect() as api:
        found = api.json("GET", f"{MODE}/changes", params=params)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            c["id"],
            short(c["at"]),
            c["kind"],
            c["value"],
            "(global)" if c["global"] else ", ".join(c["systems"]),
            c["window"] or "",
            c["by"],
            c["reason"],
        )
        for c in found
    ]
    columns = ("ID", "At (UTC)", "Kind", "State", "Scope", "Window", "By", "Why")
    console.print(table("Mode changes", columns, rows, wide=4))
    if len(found) == limit:
        console.print(f"More: maintctl mode history --limit {limit} --before {found[-1]['id']}")
