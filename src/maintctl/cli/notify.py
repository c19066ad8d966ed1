"""`maintctl notify pending|preview|send|log|render`: notices planned, drafted, sent, previewed."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, safe, short, table
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

app = typer.Typer(
    help="Notices about windows: what is due, drafts to send, what went out, a preview."
)

NOTIFICATIONS = "/api/v1/notifications"
NotificationId = Annotated[
    str, typer.Argument(metavar="NOTIFICATION", help="the notification, e.g. N-12")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


@app.command()
def pending(
    status: Annotated[
        str | None,
        typer.Option(help="only this state: planned, queued, draft, sent, cancelled, failed..."),
    ] = None,
    limit: Annotated[int, typer.Option(help="how many, soonest due first (at most 1000)")] = 100,
    cursor: Annotated[str | None, typer.Option(help="the next page, as the hint says")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Notices still to go, soonest first: drafts for a person to send, and queued ones."""
    params: dict[str, Any] = {"limit": limit}
    if status is not None:
        params["status"] = status
    if cursor is not None:
        params["cursor"] = cursor
    with connect() as api:
        answer = api.call("GET", NOTIFICATIONS, params=params)
    found = answer.json()
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No notifications waiting.")
        return
    rows = [
        (
            n["id"],
            n["window"],
            n["kind"],
            n["audience"],
            n["channel"],
            short(n["due_at"]),
            n["status"],
        )
        for n in found
    ]
    columns = ("ID", "Window", "Kind", "Audience", "Channel", "Due (UTC)", "Status")
    console.print(table("Notifications", columns, rows))
    link = answer.headers.get("link", "")
    if "cursor=" in link:
        after = link[link.index("cursor=") + 7 :].split("&")[0].split(">")[0]
        console.print(f"More: maintctl notify pending --limit {limit} --cursor {after}")


@app.command()
def preview(notification_id: NotificationId, as_json: JsonOpt = False) -> None:
    """A notification's subject and text as they would go now."""
    with connect() as api:
        shown = api.json("GET", path(NOTIFICATIONS, notification_id))
    if as_json:
        print_json(shown)
        return
    console.print(
        f"{safe(shown['id'])} {safe(shown['kind'])} to {safe(shown['audience'])} "
        f"by {safe(shown['channel'])} ({safe(shown['status'])})"
    )
    console.print(f"Subject: {safe(shown['subject'])}\n")
    console.print(safe(shown["text"]), end="")


@app.command()
def send(notification_id: NotificationId, as_json: JsonOpt = False) -> None:
    """Send a manual draft now (the window's requester or an approver); the worker delivers it."""
    with connect() as api:
        sent = api.json("POST", path(NOTIFICATIONS, notification_id, "send"))
    if as_json:
        print_json(sent)
        return
    console.print(
        f"Queued {safe(sent['id'])} ({safe(sent['kind'])} to {safe(sent['channel'])}): the worker "
        "sends it within seconds (where no server runs: maintctl worker --once). "
        f"maintctl notify log {safe(sent['window'])} shows how it went."
    )


@app.command()
def log(
    window_id: Annotated[str, typer.Argument(metavar="WINDOW", help="e.g. MNT-2026-0001")],
    limit: Annotated[int, typer.Option(help="how many notifications (at most 1000)")] = 100,
    after: Annotated[int | None, typer.Option(help="the next page, as the hint says")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every notification of a window, with every attempt, its result and time."""
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    with connect() as api:
        found = api.json(
            "GET", path("/api/v1/windows", checked(window_id), "notifications"), params=params
        )
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No notifications for this window.")
        return
    rows = []
    for n in found:
        tries = n["attempts"] or [None]
        for i, a in enumerate(tries):
            head = (n["id"], n["kind"], n["channel"], n["status"]) if i == 0 else ("", "", "", "")
            tried = (
                (short(a["at"]), "ok" if a["ok"] else "failed", a["result"]) if a else ("", "", "")
            )
            rows.append((*head, *tried))
    columns = ("ID", "Kind", "Channel", "Status", "Tried (UTC)", "Outcome", "Result")
    console.print(table(f"Notifications of {found[0]['window']}", columns, rows, wide=6))
    if len(found) == limit:
        last = found[-1]["id"].removeprefix("N-")
        console.print(f"More: maintctl notify log {safe(window_id)} --limit {limit} --after {last}")


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
