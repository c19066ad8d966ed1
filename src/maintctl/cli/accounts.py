"""`maintctl user`, `maintctl token`, `maintctl login` and `maintctl approvals`."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from maintctl.cli.client import client_file, connect
from maintctl.cli.output import (
    WINDOW_COLUMNS,
    console,
    errors,
    print_json,
    safe,
    short,
    table,
    window_rows,
)
from maintctl.cli.paths import account, path
from maintctl.cli.window import next_link
from maintctl.domain.bounds import PAGE_DEFAULT, PAGE_MAX

user_app = typer.Typer(help="Accounts and their roles (admin).")
token_app = typer.Typer(help="API tokens.")
approvals_app = typer.Typer(help="What waits for your signature.")

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
APPRISE_HELP = (
    'their own chat or push service, as an Apprise URL ("" clears it); a secret, never shown'
)
AppriseOpt = Annotated[str, typer.Option(help=APPRISE_HELP)]
ROLES = "viewer, requester, team-lead, engineering-manager, vp-engineering, cto or admin"


def _issued(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json({"name": data["name"], "role": data["role"], "token": data["token"]})
        return
    console.print(f"{safe(data['name'])} ({safe(data['role'])}): token {data['id']}")
    console.print("Keep this token now; it is not shown again:", markup=False)
    print(data["token"])


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help=ROLES)],
    email: Annotated[str, typer.Option(help="where messages for them alone go")] = "",
    apprise_url: AppriseOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an account and print its first API token, once."""
    body = {"name": name, "role": role, "email": email, "apprise_url": apprise_url}
    with connect() as api:
        data = api.json("POST", "/api/v1/users", json=body)
    _issued(data, as_json)


@user_app.command("modify")
def user_modify(
    name: Annotated[str, typer.Argument()],
    email: Annotated[str | None, typer.Option(help='where messages go ("" clears it)')] = None,
    apprise_url: Annotated[str | None, typer.Option(help=APPRISE_HELP)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an account's email or Apprise URL (admin)."""
    body = {k: v for k, v in (("email", email), ("apprise_url", apprise_url)) if v is not None}
    with connect() as api:
        data = api.json("PATCH", path("/api/v1/users", account(name)), json=body)
    if as_json:
        print_json(data)
        return
    console.print(
        f"{safe(data['name'])}: email {safe(data['email']) or 'none'}, "
        f"Apprise URL {safe(data['apprise_url'])}."
    )


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """List accounts."""
    with connect() as api:
        users = api.json("GET", "/api/v1/users")
    if as_json:
        print_json(users)
        return
    rows = [
        (
            u["name"],
            u["role"],
            u["email"],
            u.get("apprise_url", ""),
            "disabled" if u["disabled"] else "active",
            short(u["created_at"]),
        )
        for u in users
    ]
    console.print(
        table("Accounts", ("Name", "Role", "Email", "Apprise", "State", "Created"), rows, wide=1)
    )


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument()]) -> None:
    """Disable an account; its tokens stop working."""
    where = path("/api/v1/users", account(name), "disable")
    with connect() as api:
        api.json("POST", where)
    console.print(f"Disabled {safe(name)}.")


@user_app.command("role")
def user_role(
    name: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help=ROLES)],
    as_json: JsonOpt = False,
) -> None:
    """Change an account's role (admin); recorded in the audit trail."""
    where = path("/api/v1/users", account(name), "role")
    with connect() as api:
        data = api.json("POST", where, json={"role": role})
    if as_json:
        print_json(data)
        return
    console.print(f"{safe(data['name'])} is now {safe(data['role'])}.")


@token_app.command("create")
def token_create(
    user: Annotated[str | None, typer.Option(help="for another account (admin)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a new API token for yourself (or, as admin, for another account)."""
    with connect() as api:
        data = api.json("POST", "/api/v1/tokens", json={"name": user})
    _issued(data, as_json)


@token_app.command("list")
def token_list(as_json: JsonOpt = False) -> None:
    """Your tokens (every token, for admin); never the secrets."""
    with connect() as api:
        tokens = api.json("GET", "/api/v1/tokens")
    if as_json:
        print_json(tokens)
        return
    rows = [
        (
            t["id"],
            t["name"],
            t.get("issued_by") or "",
            short(t["created_at"]),
            short(t["revoked_at"] or ""),
        )
        for t in tokens
    ]
    columns = ("ID", "Account", "Issued by", "Created", "Revoked")
    console.print(table("API tokens", columns, rows, wide=1))


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token by its ID (see token list)."""
    with connect() as api:
        api.json("POST", path("/api/v1/tokens", token_id, "revoke"))
    console.print(f"Revoked token {token_id}.")


def login(
    url: Annotated[str, typer.Option(help="the maintctl server, e.g. https://maint.example.com")],
    token: Annotated[
        str | None,
        typer.Option(
            help="your API token (others can see arguments in ps: leave it out to be asked)"
        ),
    ] = None,
) -> None:
    """Store a server's URL and your token in your config (mode 0600) for later commands."""
    secret = token or typer.prompt("API token", hide_input=True)
    os.environ["MAINTCTL_URL"], os.environ["MAINTCTL_TOKEN"] = url, secret
    with connect() as api:
        me = api.json("GET", "/api/v1/me")
    import yaml

    saved = client_file()
    saved.parent.mkdir(parents=True, exist_ok=True)
    # A new 0600 file renamed over the old one: the token is never in a file others can read,
    # even when an older client.yaml had looser permissions.
    fresh = saved.with_name(f".{saved.name}.{os.getpid()}")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"url": url, "token": secret}, handle)
    fresh.replace(saved)
    console.print(
        f"Logged in to {safe(url)} as {safe(me['name'])} ({me['role']}); "
        f"saved in {safe(str(saved))}"
    )


@approvals_app.command("pending")
def approvals_pending(
    limit: Annotated[
        int | None,
        typer.Option(help=f"how many to show (default {PAGE_DEFAULT}, at most {PAGE_MAX})"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Windows whose next approval level you may sign now."""
    with connect() as api:
        response = api.call(
            "GET", "/api/v1/approvals/pending", params={} if limit is None else {"limit": limit}
        )
    waiting = response.json()
    if as_json:
        print_json(waiting)
    elif not waiting:
        console.print("Nothing waits for your signature.")
    else:
        console.print(table("Waiting for you", WINDOW_COLUMNS, window_rows(waiting), wide=1))
    if next_link(response):  # on stderr, as window list says it: --json stays one array
        errors.print(
            f"Showing the first {len(waiting)}; see more with --limit N (up to {PAGE_MAX}).",
            markup=False,
        )
