"""`maintctl review`, `maintctl action ...` and `maintctl close`: after the window.

`review ID` prints the runbook's Maintenance Review filled from the records (markdown or JSON);
`review edit ID` opens the written parts in $EDITOR (or reads `--from-file`, markdown or
YAML/JSON) and saves them over the version read. The form's headings are the only structure
read back: every other line is text.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from maintctl.cli.client import Api, connect, fail
from maintctl.cli.output import console, print_json, short, table
from maintctl.cli.paths import account, path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

WINDOWS = "/api/v1/windows"
ACTIONS = "/api/v1/actions"
FILE_MAX_BYTES = 1_048_576
FIELDS = ("went_well", "could_improve", "lessons", "incidents")

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]

action_app = typer.Typer(help="Action items from reviews: add, list, done.")


def review(
    first: Annotated[str, typer.Argument(metavar="ID|edit", help="the window, or `edit`")],
    second: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="after `edit`: the window")
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="markdown or json (review ID)")
    ] = "markdown",
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", help="edit: the written parts from markdown or YAML/JSON"),
    ] = None,
) -> None:
    """The Maintenance Review of a window; `review edit ID` writes its lessons in $EDITOR."""
    if first == "edit":
        if second is None:
            fail(["ID: give the window to edit: maintctl review edit ID"])
        _edit(checked(second), from_file)
        return
    if second is not None or from_file is not None:
        fail(["give one window ID (or: maintctl review edit ID [--from-file FILE])"])
    if output not in ("markdown", "json"):
        fail([f"format: {output[:20]!r} is not a format; use markdown or json"])
    with connect() as api:
        found = api.json("GET", path(WINDOWS, checked(first), "review"))
    if output == "json":
        print_json({k: v for k, v in found.items() if k != "markdown"})
    else:
        print(clean(found["markdown"]), end="")


def _edit(window: str, from_file: Path | None) -> None:
    from maintctl.domain import review as form

    with connect() as api:
        found = api.json("GET", path(WINDOWS, window, "review"))
        current = {k: found[k] for k in FIELDS}
        if from_file is not None:
            body = _file_fields(from_file)
        else:
            texts = form.Written(
                found["went_well"],
                found["could_improve"],
                found["lessons"],
                tuple(found["incidents"]),
            )
            body = _written(form.parse_form(_in_editor(form.form(texts, window))))
        if body == current:
            print(f"No change to the review of {window}.")
            return
        _save(api, window, body, found["version"])


def _save(api: Api, window: str, body: dict[str, Any], version: int) -> None:
    headers = {"If-Match": f'"{version}"'}
    saved = api.json("PUT", path(WINDOWS, window, "review"), json=body, headers=headers)
    print(clean(f"Saved the review of {saved['window']} (version {saved['version']})."))


def _written(texts: Any) -> dict[str, Any]:
    return {
        "went_well": texts.went_well,
        "could_improve": texts.could_improve,
        "lessons": texts.lessons,
        "incidents": list(texts.incidents),
    }


def _in_editor(text: str) -> str:
    """The text after the user edited it in $VISUAL or $EDITOR (vi when neither is set)."""
    command = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    with tempfile.TemporaryDirectory(prefix="maintctl-review-") as folder:
        form = Path(folder) / "review.md"
        form.write_text(text, "utf-8")
        try:
            done = subprocess.run([*command, str(form)], check=False)  # noqa: S603 - the user's editor
        except OSError as exc:
            fail([f"editor: cannot run {command[0]}: {exc.strerror}; set EDITOR"], 3)
        if done.returncode != 0:
            fail([f"editor: {command[0]} exited {done.returncode}; nothing was saved"])
        return _read(form)


def _read(given: Path) -> str:
    try:
        if given.stat().st_size > FILE_MAX_BYTES:
            fail([f"from-file: {given} is larger than {FILE_MAX_BYTES} bytes"])
        return given.read_text("utf-8")
    except OSError as exc:
        fail([f"from-file: cannot read {given}: {exc.strerror}"])
    except UnicodeDecodeError:
        fail([f"from-file: {given} is not UTF-8 text"])


def _file_fields(given: Path) -> dict[str, Any]:
    """The written parts from a filled form (markdown) or a YAML/JSON mapping of them."""
    from maintctl.domain import review as form

    text = _read(given)
    if given.suffix.lower() not in (".yaml", ".yml", ".json"):
        return _written(form.parse_form(text))
    from maintctl.yamlsource import load_plain

    try:
        data = load_plain(text)
    except ValueError as exc:
        fail([f"from-file: {given} is not valid YAML or JSON: {exc}"])
    if not isinstance(data, dict):
        fail([f"from-file: {given} must hold a mapping of {', '.join(FIELDS)}"])
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        fail([f"from-file: unknown fields {', '.join(unknown)[:200]}; use {', '.join(FIELDS)}"])
    texts = {k: data.get(k) or "" for k in FIELDS[:3]}
    incidents = data.get("incidents") or []
    if not all(isinstance(v, str) for v in texts.values()) or not isinstance(incidents, list):
        fail(["from-file: went_well, could_improve and lessons are text; incidents a list"])
    if not all(isinstance(i, str) for i in incidents):
        fail(["from-file: each incident is one line of text"])
    return _written(form.written(**texts, incidents=incidents))


def close(
    window_id: WindowId,
    force: Annotated[bool, typer.Option("--force", help="admin: close with items missing")] = False,
    reason: Annotated[str, typer.Option(help="why a forced close is right")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Close a completed or rolled-back window once its checklists and review are done."""
    if reason and not force:
        fail(["reason: a reason goes with --force"])
    body = {"force": force, "reason": reason}
    with connect() as api:
        moved = api.json("POST", path(WINDOWS, checked(window_id), "close"), json=body)
    if as_json:
        print_json(moved)
        return
    print(clean(f"{moved['id']} closed" + (" (forced)" if force else "")))


@action_app.command("add")
def action_add(
    window_id: WindowId,
    what: Annotated[str, typer.Option("--what", help="what is to be done")],
    owner: Annotated[str, typer.Option("--owner", help="the account that does it")],
    due: Annotated[str, typer.Option("--due", help="a date (its end, UTC) or an instant with Z")],
    as_json: JsonOpt = False,
) -> None:
    """Add an action item to a window's review."""
    body = {"what": what, "owner": account(owner), "due": due}
    with connect() as api:
        item = api.json("POST", path(WINDOWS, checked(window_id), "actions"), json=body)
    if as_json:
        print_json(item)
        return
    print(
        clean(f"{item['label']} added to {item['window']}: {item['owner']}, due {item['due_at']}")
    )


@action_app.command("list")
def action_list(
    open_only: Annotated[bool, typer.Option("--open", help="only items not done")] = False,
    owner: Annotated[str | None, typer.Option(help="only this account's items")] = None,
    limit: Annotated[int, typer.Option(help="how many (at most 1000)")] = 100,
    after: Annotated[int | None, typer.Option(help="only items after this number")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Action items in the order added, a page at a time."""
    params: dict[str, Any] = {"limit": limit}
    if open_only:
        params["open"] = True
    if owner is not None:
        params["owner"] = account(owner)
    if after is not None:
        params["after"] = after
    with connect() as api:
        response = api.call("GET", ACTIONS, params=params)
    found = response.json()
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No action items.")
        return
    rows = [
        (a["label"], a["window"], a["owner"], short(a["due_at"]), _state(a), a["what"])
        for a in found
    ]
    columns = ("Action", "Window", "Owner", "Due (UTC)", "State", "What")
    console.print(table("Action items", columns, rows, wide=4))
    if "link" in response.headers:
        more = " --open" if open_only else ""
        more += f" --owner {owner}" if owner else ""
        console.print(f"More: maintctl action list{more} --after {found[-1]['id']}")


def _state(item: dict[str, Any]) -> str:
    return f"done {short(item['done_at'])}" if item["done"] else "open"


@action_app.command("done")
def action_done(
    number: Annotated[str, typer.Argument(metavar="N", help="the action, e.g. A-3 or 3")],
    as_json: JsonOpt = False,
) -> None:
    """Mark an action item done."""
    from maintctl.domain.review import parse_action_label

    action_id = parse_action_label(number)
    if action_id is None or action_id < 1:
        fail([f"N: {number[:20]!r} is not an action; give A-3 or 3 (maintctl action list)"])
    with connect() as api:
        item = api.json("POST", path(ACTIONS, action_id, "done"))
    if as_json:
        print_json(item)
        return
    again = "" if item["changed"] else " (already)"
    print(clean(f"{item['label']} done{again}"))
