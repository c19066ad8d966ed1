"""`maintctl start|progress|complete|abort ID`: what the operator types during a window.

Each move prints what it set in motion (the status page, notices, jobs and their states), and a
repeat of a move on a window already there says so and exits 0: run again, a command finishes
what its first run left, never half of it.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, safe, short
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.domain import bounds

WINDOWS = "/api/v1/windows"
# What a move sets in motion that reaches the user's production: mode hooks and silences. In
# local mode no worker may run, so the command runs the due ones itself (cli/inline.py).
SETTLED_KINDS = ("mode.hook", "suppress.begin", "suppress.end")
SETTLE_WAIT_S = 5.0  # on a server: how long to wait for its worker's first try of each silence
EXIT_NOT_OK = 1  # the quick validation failed: the window is still verifying
POLL_S = 0.5
FOLLOW_MAX_S = 3_600.0  # as `validate` follows a run

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
    done = "was already started" if window.get("already") else "Started"
    console.print(
        f"{done} [bold]{safe(window['id'])}[/] at {short(window['actual_start'])}, "
        f"led by {safe(window['lead'])} (scheduled {short(window['start'])} to "
        f"{short(window['end'])})"
    )
    settle(window)


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
    """Record the actual end and run the quick validation (checks tagged smoke) where one is
    configured: the window is completed when it passes; while it fails it stays verifying,
    exit 1, and `complete` again runs it again."""
    finish(path(WINDOWS, checked(window_id), "complete"), as_json)


def finish(where: str, as_json: bool) -> None:
    """POST `where` (complete, or an emergency's resolve), follow the verification, report."""
    with connect() as api:
        window = api.json("POST", where)
    check = window.get("verification")
    if check and check["status"] in ("queued", "running") and window["status"] == "verifying":
        window = _follow(window, check["id"])  # the server's worker runs it
    check = window.get("verification")
    if as_json:
        print_json(window)
    elif window["status"] == "verifying":
        _failed(window, check)
    else:
        done = "was already" if window.get("already") else "is"
        console.print(
            f"[bold]{safe(window['id'])}[/] {done} {window['status']}: ended "
            f"{short(window['actual_end'])}, actual duration {window['actual_duration']}"
        )
        if check and check["status"] == "passed":
            console.print(f"[green]Quick validation {safe(check['id'])} passed[/]")
        settle(window)
    if window["status"] == "verifying":
        raise typer.Exit(EXIT_NOT_OK)


def _follow(window: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Wait for the worker's verification run to end, then read the window and the run again."""
    run_path = path("/api/v1/validations", run_id)
    with connect() as api:
        until = time.monotonic() + FOLLOW_MAX_S
        while True:
            run = api.json("GET", run_path, params={"limit": bounds.PAGE_MAX})
            if run["status"] in ("passed", "failed", "error") or time.monotonic() > until:
                break
            time.sleep(POLL_S)
        shown = api.json("GET", path(WINDOWS, checked(window["id"])))
    failures = [r for r in run["results"] if r["status"] != "pass"]
    verification = {
        "id": run_id,
        "status": run["status"],
        "message": run.get("message"),
        "failures": failures,
    }
    return {**window, **shown, "verification": verification, "already": False}


def _failed(window: dict[str, Any], check: dict[str, Any] | None) -> None:
    """The window stays verifying: why, and what to do next."""
    wid = safe(window["id"])
    status = check["status"] if check else "not run"
    name = safe(check["id"]) if check else "the quick validation"
    if status in ("queued", "running"):
        console.print(f"[bold]{wid}[/] is verifying: {name} is still {status}")
    else:
        console.print(f"[bold]{wid}[/] is verifying: quick validation {name} {status}")
    for failure in (check or {}).get("failures", []):
        message = f": {safe(failure['message'])}" if failure.get("message") else ""
        console.print(f"  [red]✗[/] {safe(failure['name'])} ({failure['status']}){message}")
    if check and check.get("message"):
        console.print(f"  {safe(check['message'])}")
    console.print(
        f"Mode, traffic and silences stay on. Fix it and run maintctl complete {wid} again, "
        f"or end the window with maintctl rollback {wid} or maintctl abort {wid}."
    )
    effect_lines(window.get("effects", []))


def abort(
    window_id: WindowId,
    reason: Annotated[str, typer.Option(help="why the work stopped; kept with the window")],
    as_json: JsonOpt = False,
) -> None:
    """Abort a window in progress or verifying (a mistaken start, or the work called off):
    what start set in motion is undone."""
    window = _post(window_id, "abort", {"reason": reason})
    if as_json:
        print_json(window)
        return
    done = "was already aborted" if window.get("already") else "Aborted"
    console.print(f"{done} [bold]{safe(window['id'])}[/]: {safe(window['cancel_reason'])}")
    settle(window)


def settle(window: dict[str, Any]) -> None:
    """After a move: run its hooks and silences in local mode (or give the server's worker a
    moment), then print what it set in motion and, plainly, where alerts are not silenced."""
    from maintctl.cli import inline

    where = path(WINDOWS, checked(window["id"]))
    with connect() as api:
        local = inline.after(api, SETTLED_KINDS) is not None
        until = time.monotonic() + (0.0 if local else SETTLE_WAIT_S)
        silences = api.json("GET", path(where, "suppression"))["silences"]
        while _untried(silences) and time.monotonic() < until:
            time.sleep(POLL_S)
            silences = api.json("GET", path(where, "suppression"))["silences"]
        shown = api.json("GET", where)
    effect_lines(shown.get("effects", []))
    for silence in silences:
        style = "red" if silence["state"] in ("pending", "failed") else "green"
        if silence["state"] == "ended":
            style = "dim"
        console.print(f"[{style}]{safe(silence['line'])}[/]")


def _untried(silences: list[dict[str, Any]]) -> bool:
    """Whether a silence of the window waits for its first try."""
    return any(s["state"] == "pending" and not s["attempts"] for s in silences)


def effect_lines(effects: list[dict[str, Any]]) -> None:
    """What the move set in motion: "Status page: updated; Start notice (customers): queued"."""
    if not effects:
        return
    styles = {"failed": "red", "retrying": "yellow"}
    parts = []
    for e in effects:
        style = styles.get(e["state"])
        state = f"[{style}]{safe(e['state'])}[/]" if style else safe(e["state"])
        parts.append(f"{safe(e['what'])}: {state}")
    console.print("; ".join(parts))
    for e in effects:
        if e["state"] in styles and e.get("detail"):
            console.print(f"  {safe(e['what'])}: {safe(e['detail'])} (the worker retries it)")
