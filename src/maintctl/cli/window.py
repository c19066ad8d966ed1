"""`maintctl window ...`: the runbook's maintenance-window.sh."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from maintctl.cli.client import connect, fail
from maintctl.cli.output import (
    WINDOW_COLUMNS,
    conflict_lines,
    console,
    errors,
    print_json,
    safe,
    short,
    table,
    window_rows,
)
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

WINDOWS = "/api/v1/windows"

app = typer.Typer(help="Create, list, show, modify and cancel maintenance windows.")

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
Systems = Annotated[str | None, typer.Option(help="comma-separated systems, e.g. api,db")]
Team = Annotated[
    str | None, typer.Option(help="comma-separated accounts doing the work, e.g. alice,bob")
]


def _file_fields(path: Path) -> dict[str, Any]:
    """A filled request template (markdown) or the same fields as YAML."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        fail([f"from-file: cannot read {path}: {exc.strerror}"])
    except UnicodeDecodeError:
        fail([f"from-file: {path} is not UTF-8 text; give a markdown or YAML file"])
    if path.suffix.lower() in (".yaml", ".yml"):
        from maintctl.yamlsource import load_plain

        try:
            data = load_plain(text)
        except ValueError as exc:
            fail([f"from-file: {path} is not valid YAML: {exc}"])
        if not isinstance(data, dict):
            fail([f"from-file: {path} must hold a mapping of window fields"])
        return {k.replace("-", "_"): v for k, v in data.items()}
    return {"request_markdown": text}


def _fields(**given: Any) -> dict[str, Any]:
    body = {k: v for k, v in given.items() if v is not None}
    for name in ("systems", "team"):
        if name in body and isinstance(body[name], str):
            body[name] = body[name].split(",")
    return body


def _send(method: str, path: str, body: dict[str, Any], as_json: bool, verb: str) -> None:
    with connect() as api:
        window = api.json(method, path, json=body)
    if as_json:
        print_json(window)
    else:
        _created(window, verb)


def _created(window: dict[str, Any], verb: str) -> None:
    on = f" on {', '.join(window['systems'])}" if window["systems"] else ""
    console.print(
        f"{verb} [bold]{safe(window['id'])}[/] ({window['status']}): {safe(window['type'])} "
        f"{short(window['start'])} to {short(window['end'])}{safe(on)}"
    )
    conflict_lines(window)


# A window ID is positional everywhere (DESIGN.md, "Conventions"); `--id` stays accepted where
# it existed (modify, cancel), so scripts written against it keep working.
PositionalId = Annotated[str | None, typer.Argument(metavar="ID", show_default=False)]
OptionId = Annotated[str | None, typer.Option("--id", help="the window (same as ID)")]


def one_id(positional: str | None, option: str | None) -> str:
    """The window named by ID or --id: exactly one of them, or one line saying so (exit 2)."""
    if positional and option and positional != option:
        fail(["ID: both ID and --id are given and differ; give the window once"])
    given = positional or option
    if not given:
        fail(["ID: no window named; give its ID (e.g. MNT-2026-0001)"])
    return given


PublicTitle = Annotated[
    str | None, typer.Option(help="what the status page and customers see; default: the type's")
]
PublicMessage = Annotated[
    str | None, typer.Option(help="what customers are told, never the description")
]
MaintenanceMode = Annotated[
    bool | None,
    typer.Option(
        "--maintenance-mode/--no-maintenance-mode",
        help="switch maintenance mode on for its systems while it runs",
        show_default=False,
    ),
]
MaintenanceMessage = Annotated[
    str | None,
    typer.Option(help="what services show; default: Service will resume at HH:MM UTC."),
]
TrafficMode = Annotated[
    str | None, typer.Option(help="while it runs: normal, read-only or maintenance")
]


@app.command()
def create(
    id: Annotated[str | None, typer.Option("--id", help="MNT-YYYY-NNNN; default next free")] = None,
    start: Annotated[str | None, typer.Option(help="e.g. 2024-12-29T02:00:00Z")] = None,
    end: Annotated[str | None, typer.Option(help="e.g. 2024-12-29T04:00:00Z")] = None,
    duration: Annotated[str | None, typer.Option(help="instead of --end, e.g. 2h")] = None,
    type: Annotated[str | None, typer.Option("--type", help="e.g. planned-outage")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option(help="default: you")] = None,
    systems: Systems = None,
    impact: Annotated[str | None, typer.Option(help="customer impact, in words")] = None,
    risk: Annotated[str | None, typer.Option(help="low, medium or high")] = None,
    public_title: PublicTitle = None,
    public_message: PublicMessage = None,
    team: Team = None,
    maintenance_mode: MaintenanceMode = None,
    maintenance_message: MaintenanceMessage = None,
    traffic_mode: TrafficMode = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="filled request template (.md) or YAML")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Request a maintenance window; it is checked against every rule and stored as a draft."""
    body = _file_fields(from_file) if from_file else {}
    body.update(
        _fields(
            id=id,
            start=start,
            end=end,
            duration=duration,
            type=type,
            description=description,
            owner=owner,
            systems=systems,
            impact=impact,
            risk=risk,
            public_title=public_title,
            public_message=public_message,
            team=team,
            maintenance_mode=maintenance_mode,
            maintenance_message=maintenance_message,
            traffic_mode=traffic_mode,
        )
    )
    _send("POST", "/api/v1/windows", body, as_json, "Created")


Many = Annotated[list[str] | None, typer.Option(help="repeatable, or a comma list")]
Types = Annotated[list[str] | None, typer.Option("--type", help="repeatable, or a comma list")]


def next_link(response: Any) -> str | None:
    """The URL of the next page, from a `Link: <url>; rel="next"` header; None on the last."""
    for part in response.headers.get("link", "").split(","):
        url, _, params = part.partition(";")
        if url.strip().startswith("<") and 'rel="next"' in params.replace(" ", ""):
            return str(url.strip()[1:-1])
    return None


@app.command("list")
def list_(
    upcoming: Annotated[bool, typer.Option("--upcoming", help="only those not yet over")] = False,
    status: Many = None,
    start: Annotated[
        str | None, typer.Option("--from", help="only windows ending after this time or date")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="only windows starting before this time or date")
    ] = None,
    system: Many = None,
    type: Types = None,
    limit: Annotated[
        int | None, typer.Option(help="how many to show (default 100, at most 1000)")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="every match, printed page by page")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List windows by start: the first page, or with --all every one (streamed).

    With --json --all the output is still one JSON array, written as the pages arrive.
    """
    given = {"from": start, "to": end, "system": system, "type": type, "status": status}
    params: dict[str, Any] = {k: v for k, v in given.items() if v}
    if upcoming:
        params["upcoming"] = True
    if limit is not None:
        params["limit"] = limit
    elif all_:
        params["limit"] = PAGE_ALL_JSON if as_json else PAGE_ALL_TABLE
    with connect() as api:
        response = api.call("GET", "/api/v1/windows", params=params)
        following = next_link(response)
        if not all_:
            _first_page(response.json(), following, as_json, upcoming)
            return
        _every_page(api, response, as_json, upcoming)


# --all asks for big pages when printing JSON, and table-sized ones when people read them.
PAGE_ALL_JSON = 1_000
PAGE_ALL_TABLE = 100


def _first_page(windows: list[Any], following: str | None, as_json: bool, upcoming: bool) -> None:
    if as_json:
        print_json(windows)
    elif not windows:
        console.print("No maintenance windows" + (" coming up." if upcoming else "."))
    else:
        console.print(table("Maintenance windows", WINDOW_COLUMNS, window_rows(windows), wide=1))
    if following:
        errors.print(
            f"Showing the first {len(windows)}; see more with --limit N (up to 1000) or --all.",
            markup=False,
        )


def _every_page(api: Any, response: Any, as_json: bool, upcoming: bool) -> None:
    """Print each page as it arrives, following the Link header to the last."""
    shown = 0
    if as_json:
        print("[", end="")
    while True:
        windows = response.json()
        if as_json:
            for w in windows:
                print(("," if shown else "") + "\n" + _indented(w), end="", flush=False)
                shown += 1
            sys.stdout.flush()
        elif windows:
            title = "Maintenance windows" if not shown else ""
            console.print(table(title, WINDOW_COLUMNS, window_rows(windows), wide=1))
            shown += len(windows)
        following = next_link(response)
        if following is None:
            break
        response = api.call("GET", following)
    if as_json:
        print("\n]" if shown else "]")
    elif not shown:
        console.print("No maintenance windows" + (" coming up." if upcoming else "."))


def _indented(window: Any) -> str:
    return "  " + json.dumps(window, indent=2, ensure_ascii=False).replace("\n", "\n  ")


@app.command()
def show(
    window_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: JsonOpt = False,
    format: Annotated[str, typer.Option(help="text or markdown (the filled template)")] = "text",
) -> None:
    """Show one window."""
    where = path(WINDOWS, checked(window_id))
    with connect() as api:
        if format == "markdown":
            print(clean(api.call("GET", where, params={"format": "markdown"}).text), end="")
            return
        window = api.json("GET", where)
    if as_json:
        print_json(window)
        return
    rows: list[tuple[str, Any]] = [
        ("ID", window["id"]),
        ("Status", window["status"]),
        ("Type", window["type"]),
        ("Start", window["start"]),
        ("End", window["end"]),
        ("Systems", ", ".join(window["systems"])),
        ("Owner", window["owner"]),
        ("Requested by", window["requested_by"]),
        ("Description", window["description"]),
        ("Impact", window["impact"]),
        ("Risk", window["risk"]),
        ("Public title", window["public_title"] or "(the type's wording)"),
        ("Team", ", ".join(window.get("team", [])) or "(none named)"),
        ("Public message", window["public_message"] or "(the type's wording)"),
        ("Maintenance mode", _asked_mode(window)),
        ("Traffic mode", window.get("traffic_mode", "normal")),
    ]
    if window["cancel_reason"]:
        rows.append(("Cancelled because", window["cancel_reason"]))
    rows += [(f"Signed ({a['role']})", _signature(a)) for a in window.get("approvals", [])]
    for purpose, last in window.get("validation", {}).items():
        rows.append((_VALIDATION[purpose], f"{last['id']} {last['status']} at {last['at']}"))
    for run in window.get("hook_runs", [])[:10]:
        code = "" if run["exit_code"] is None else f" exit {run['exit_code']}"
        rows.append((f"Hook {run['hook']}", f"{run['status']}{code} at {run['finished_at']}"))
    console.print(table(window["id"], ("Field", "Value"), rows))
    _step_lines(window)
    conflict_lines(window)
    if window.get("effects"):
        from maintctl.cli.execution import effect_lines

        effect_lines(window["effects"])


_STEP_LISTS = (("steps", "Steps"), ("rollback_steps", "Rollback steps"), ("verify_steps", "Verify"))


def _step_lines(window: dict[str, Any]) -> None:
    """The steps `maintctl run` walks, with each command as signed."""
    for name, title in _STEP_LISTS:
        for number, step in enumerate(window.get(name) or [], 1):
            if number == 1:
                console.print(f"{title}:")
            console.print(f"  {number}. {safe(step['text'])}")
            if step["command"]:
                console.print(f"     $ {safe(step['command'])}  (timeout {step['timeout']})")


def _asked_mode(window: dict[str, Any]) -> str:
    """What the window asks of maintenance mode while it runs."""
    if not window.get("maintenance_mode"):
        return "no"
    return f"yes: {window.get('maintenance_message') or '(the default wording)'}"


_VALIDATION = {
    "check": "Last validation",
    "baseline": "Baseline",
    "compare": "Last comparison",
    "verify": "Verification",
}


@app.command()
def modify(
    window_id: PositionalId = None,
    id: OptionId = None,
    start: Annotated[str | None, typer.Option()] = None,
    end: Annotated[str | None, typer.Option()] = None,
    duration: Annotated[str | None, typer.Option(help="new length from the (new) start")] = None,
    type: Annotated[str | None, typer.Option("--type")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    systems: Systems = None,
    impact: Annotated[str | None, typer.Option()] = None,
    risk: Annotated[str | None, typer.Option()] = None,
    public_title: PublicTitle = None,
    public_message: PublicMessage = None,
    team: Team = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", help="fields to change as YAML (steps...); flags override it"),
    ] = None,
    maintenance_mode: MaintenanceMode = None,
    maintenance_message: MaintenanceMessage = None,
    traffic_mode: TrafficMode = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a window; every check runs again."""
    body = _file_fields(from_file) if from_file else {}
    body |= _fields(
        start=start,
        end=end,
        duration=duration,
        type=type,
        description=description,
        owner=owner,
        systems=systems,
        impact=impact,
        risk=risk,
        public_title=public_title,
        public_message=public_message,
        team=team,
        maintenance_mode=maintenance_mode,
        maintenance_message=maintenance_message,
        traffic_mode=traffic_mode,
    )
    _send("PATCH", path(WINDOWS, checked(one_id(window_id, id))), body, as_json, "Modified")


@app.command()
def cancel(
    reason: Annotated[str, typer.Option(help="why; kept with the window")],
    window_id: PositionalId = None,
    id: OptionId = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a window; it is kept, with its reason."""
    where = path(WINDOWS, checked(one_id(window_id, id)), "cancel")
    with connect() as api:
        window = api.json("POST", where, json={"reason": reason})
    if as_json:
        print_json(window)
    else:
        console.print(f"Cancelled [bold]{safe(window['id'])}[/]: {safe(window['cancel_reason'])}")


@app.command()
def submit(
    window_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False
) -> None:
    """Send a draft for approval; every rule is checked again."""
    with connect() as api:
        window = api.json("POST", path(WINDOWS, checked(window_id), "submit"))
    _moved(window, as_json)


@app.command()
def approve(
    window_id: Annotated[str, typer.Argument(metavar="ID")],
    comment: Annotated[str, typer.Option(help="kept with your signature")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Sign the next level of a window's approval chain."""
    where = path(WINDOWS, checked(window_id), "approve")
    with connect() as api:
        window = api.json("POST", where, json={"comment": comment})
    _moved(window, as_json)
    if window["status"] == "in_progress" and not as_json:
        # An emergency: the final signature started it, as `maintctl start` would have.
        from maintctl.cli.execution import settle

        settle(window)


@app.command()
def reject(
    window_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="what to revise before resubmitting")],
    as_json: JsonOpt = False,
) -> None:
    """Send a request back to draft, with the reason."""
    where = path(WINDOWS, checked(window_id), "reject")
    with connect() as api:
        window = api.json("POST", where, json={"reason": reason})
    _moved(window, as_json)


def _moved(window: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(window)
        return
    signed = ", ".join(f"{a['role']}: {_signature(a)}" for a in window.get("approvals", []))
    console.print(
        f"[bold]{safe(window['id'])}[/] is {window['status']}"
        + (f" (signed by {safe(signed)})" if signed else "")
    )


def _signature(a: dict[str, Any]) -> str:
    """A signer, when, and a mark when the token was issued by someone else."""
    text = f"{a['signer']} at {short(a['at'])}"
    return f"{text} [{a['token_note']}]" if a.get("token_note") else text


@app.command()
def history(
    window_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False
) -> None:
    """Who did what to a window, and when."""
    window_id = checked(window_id)
    with connect() as api:
        rows = api.json("GET", path(WINDOWS, window_id, "history"))
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"History of {window_id}",
            ("When (UTC)", "Who", "Action", "From", "To", "Comment and changes"),
            [
                (
                    short(r["at"]),
                    r["actor"],
                    r["action"],
                    r["from"] or "",
                    r["to"] or "",
                    "; ".join(
                        [r["comment"]] * bool(r["comment"])
                        + [r["token_note"]] * bool(r.get("token_note"))
                        + [
                            f"{k}: {_plain(v['from'])} → {_plain(v['to'])}"
                            for k, v in r["changes"].items()
                        ]
                    ),
                )
                for r in rows
            ],
        )
    )


def _plain(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


@app.command()
def template() -> None:
    """Print the blank Maintenance Request Template (fill it, then create --from-file)."""
    with connect() as api:
        print(api.call("GET", "/api/v1/template").text, end="")
