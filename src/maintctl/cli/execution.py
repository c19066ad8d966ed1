"""`maintctl start|progress|complete|abort ID`: what the operator types during a window."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, safe, short
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked

WINDOWS = "/api/v1/windows"

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _post(window_id: str, move: str, body: dict[str, Any] | None = None) -> Any:
    where = path(WINDOWS, checked(window_id), move)
    with connect() as api:
        return api.json("POST", where, json=body) if body is not None else api.json("POST", where)


def start(
    window_id: WindowId,
    lead: Annotated[
        str | None, typer.Option(help="the account leading the work (default: you)")
    ] = None,
    early: Annotated[
        bool, typer.Option("--early", help="start more than 15 minutes before the scheduled start")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Start a scheduled window: records the actual start and its lead."""
    body: dict[str, Any] = {"early": early}
    if lead is not None:
        body["lead"] = lead
    window = _post(window_id, "start", body)
    if as_json:
        print_json(window)
        return
    console.print(
        f"Started [bold]{safe(window['id'])}[/] at {short(window['actual_start'])}, "
        f"led by {safe(window['lead'])} (scheduled {short(window['start'])} to "
        f"{short(window['end'])})"
    )


def progress(
    window_id: WindowId,
    step: Annotated[int, typer.Option(help="the step now under way")],
    of: Annotated[int, typer.Option("--of", help="how many steps the plan has")],
    task: Annotated[str, typer.Option(help="what is being done now")],
    status: Annotated[str, typer.Option(help="on-track or delayed")] = "on-track",
    eta: Annotated[
        str | None, typer.Option(help="expected completion, e.g. 2026-12-06T03:30Z")
    ] = None,
    public: Annotated[str | None, typer.Option(help="a message for the status page, too")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a progress update; prints the runbook's MAINTENANCE UPDATE block."""
    body: dict[str, Any] = {"step": step, "of": of, "task": task, "status": status}
    if eta is not None:
        body["eta"] = eta
    if public is not None:
        body["public"] = public
    update = _post(window_id, "progress", body)
    if as_json:
        print_json(update)
        return
    at = update["at"][11:16]
    pace = "On Track" if update["status"] == "on-track" else "Delayed"
    lines = [
        f"MAINTENANCE UPDATE [{at} UTC] {safe(update['window'])}",
        "----------------------------------------",
        f"Progress: [Step {update['step']} of {update['of']}]",
        f"Current Task: {safe(update['task'])}",
        f"Status: {pace}",
        f"ETA: {short(update['eta']) if update['eta'] else 'not given'}",
    ]
    if update["public"]:
        lines.append(f"Public: {safe(update['public'])}")
    console.print("\n".join(lines))


def complete(window_id: WindowId, as_json: JsonOpt = False) -> None:
    """Record the actual end; the window is verified (at once while no validation is set)."""
    window = _post(window_id, "complete")
    if as_json:
        print_json(window)
        return
    console.print(
        f"[bold]{safe(window['id'])}[/] is {window['status']}: ended "
        f"{short(window['actual_end'])}, actual duration {window['actual_duration']}"
    )


def abort(
    window_id: WindowId,
    reason: Annotated[str, typer.Option(help="why the work stopped; kept with the window")],
    as_json: JsonOpt = False,
) -> None:
    """Abort a window in progress (a mistaken start, or the work called off)."""
    window = _post(window_id, "abort", {"reason": reason})
    if as_json:
        print_json(window)
        return
    console.print(f"Aborted [bold]{safe(window['id'])}[/]: {safe(window['cancel_reason'])}")
