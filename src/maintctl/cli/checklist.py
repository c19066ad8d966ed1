"""`maintctl checklist ID [--json]`: the post-maintenance lists of a window that ran.

Each list with its deadline, each item [OK] or [FAIL] with who acknowledged it and when, and
what is overdue. Exit 0: it shows; the lists themselves gate `close`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import print_json
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

WINDOWS = "/api/v1/windows"

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def checklist(window_id: WindowId, as_json: JsonOpt = False) -> None:
    """The post-maintenance checklists: each item, who acked it and when, due time, overdue."""
    with connect() as api:
        report = api.json("GET", path(WINDOWS, checked(window_id), "checklists"))
    if as_json:
        print_json(report)
        return
    print(clean(f"{report['window']} ({report['status']}), completed {report['completed_at']}"))
    for found in report["lists"]:
        state = "done" if found["done"] else "OVERDUE" if found["overdue"] else "open"
        print(clean(f"\n{found['name']}: due {found['due']} ({state})"))
        for item in found["items"]:
            print(clean(f"  {_line(item)}"))


def _line(item: dict[str, Any]) -> str:
    text = f"{'[OK]' if item['ok'] else '[FAIL]'} {item['title']} [{item['item']}]"
    if item["acks"]:
        text += " by " + ", ".join(f"{a['account']} at {a['at']}" for a in item["acks"])
    elif item["detail"]:
        text += f" ({item['detail']})"
    if item["overdue"]:
        text += " OVERDUE"
    if not item["ok"] and item["fix"]:
        text += f": {item['fix']}"
    return text
