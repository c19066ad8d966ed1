"""`maintctl precheck ID` and `maintctl ack ID ITEM [--undo]`: readiness before the work.

Prints the runbook's lines (`[OK] Approvals verified`), then "Ready for maintenance" (exit 0)
or what is missing and how to fix it (exit 1).
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
NOT_READY = 1

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def precheck(window_id: WindowId, as_json: JsonOpt = False) -> None:
    """Is the window ready? Each checklist item [OK] or [FAIL]; exit 1 when anything is missing."""
    with connect() as api:
        report = api.json("GET", path(WINDOWS, checked(window_id), "precheck"))
    if as_json:
        print_json(report)
    else:
        for item in report["items"]:
            print(clean(item["line"]))
        missing = [i for i in report["items"] if not i["ok"]]
        if not missing:
            print("Ready for maintenance")
        else:
            print(f"Not ready: {len(missing)} missing")
            for item in missing:
                fix = f": {item['fix']}" if item["fix"] else ""
                print(clean(f"  {item['item']}{fix}"))
    if not report["ready"]:
        raise typer.Exit(NOT_READY)


def ack(
    window_id: WindowId,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="e.g. precheck.on-call-briefed")],
    undo: Annotated[bool, typer.Option("--undo", help="withdraw your acknowledgement")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge a checklist item on a window, as yourself (--undo withdraws it)."""
    body = {"item": item, "undo": undo}
    with connect() as api:
        done = api.json("POST", path(WINDOWS, checked(window_id), "acks"), json=body)
    if as_json:
        print_json(done)
        return
    verb = "acknowledged" if done["acknowledged"] else "withdrew"
    again = "" if done["changed"] else " (already so)"
    print(clean(f"{done['account']} {verb} {done['item']} on {done['window']}{again}"))
