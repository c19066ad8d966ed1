"""`maintctl policy`, `maintctl db`, `maintctl serve` and `maintctl worker`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from maintctl.cli.client import EXIT_FAULT, EXIT_NOT_OK, connect, fail
from maintctl.cli.output import console, print_json

if TYPE_CHECKING:
    from maintctl.config import Settings
    from maintctl.services.deps import Deps
    from maintctl.worker import Worker

policy_app = typer.Typer(help="The effective policy: types, windows, freezes.")
db_app = typer.Typer(help="The database schema.")


@policy_app.command("show")
def policy_show(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Print the effective policy (defaults merged with your config file)."""
    with connect() as api:
        data = api.json("GET", "/api/v1/policy")
    if as_json:
        print_json(data)
        return
    import yaml

    console.print(f"# effective policy; overrides from: {data['source']}", markup=False)
    print(yaml.safe_dump(data["policy"], sort_keys=False, allow_unicode=True), end="")


@policy_app.command("check")
def policy_check(path: Annotated[Path, typer.Argument(metavar="FILE")]) -> None:
    """Validate a config file; each mistake is named with its line."""
    from maintctl.config import ConfigError, channel_problems, load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        fail([p.text() for p in exc.problems])
    late = channel_problems(config)
    if late:
        fail([p.text() for p in late])
    console.print(
        f"{path}: OK ({len(config.policy.types)} types, {len(config.policy.windows)} windows, "
        f"{len(config.policy.freezes)} freezes, {len(config.calendars)} calendars, "
        f"{len(config.channels)} channels)",
        markup=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations (they also run on first use)."""
    from maintctl.config import Settings
    from maintctl.store import migrate
    from maintctl.store.db import Database

    db = Database(Settings().resolved_database_url())
    applied = migrate.upgrade(db)
    console.print(f"schema at {migrate.current(db)}" + (" (upgraded)" if applied else ""))


def _server_deps(settings: Settings) -> Deps:
    """A server's or a worker's dependencies (tokens required), the schema brought up to date."""
    from maintctl.config import ConfigError, channel_problems
    from maintctl.local import build_deps
    from maintctl.store import migrate

    try:
        deps = build_deps(settings, local=False)
    except ConfigError as exc:
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    # What `policy check` checks beyond parsing (an Apprise URL Apprise cannot read), at start
    # rather than at the first send.
    late = channel_problems(deps.config)
    if late:
        fail([p.text() for p in late], EXIT_FAULT)
    migrate.upgrade(deps.db)
    return deps


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8080,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    demo: Annotated[bool, typer.Option("--demo", help="load a few sample windows first")] = False,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="run no background worker in this process")
    ] = False,
) -> None:
    """Run the HTTP API (and /calendar.ics) on uvicorn, with one background worker."""
    import uvicorn

    from maintctl.config import Settings
    from maintctl.domain.roles import Principal, Role
    from maintctl.store import accounts

    settings = Settings()
    deps = _server_deps(settings)
    if demo:
        from maintctl.services.demo import demo_account, load_demo

        operator = Principal(settings.os_user(), Role.ADMIN)
        made = load_demo(deps, operator)
        console.print(
            f"demo: {len(made)} sample windows loaded" if made else "demo: already loaded"
        )
        issued = demo_account(deps, operator)
        if issued is not None:
            console.print(
                "demo: an admin account 'demo' was made; its token, shown once:", markup=False
            )
            print(issued.secret)
            console.print(
                f"  try: MAINTCTL_URL=http://{host}:{port} MAINTCTL_TOKEN=<token> maintctl "
                "calendar\n  or without a server: maintctl calendar (local mode, same database)",
                markup=False,
            )
    with deps.db.read() as session:
        if not accounts.users(session):
            console.print(
                "No accounts yet: the API answers 401 until one exists. Add one on this machine,\n"
                "with the same MAINTCTL_DATABASE_URL:  maintctl user add alice --role admin",
                markup=False,
            )
    # One worker for the whole server, started here and not in the app factory: uvicorn calls
    # the factory once per HTTP process, and `--workers 4` must not mean four workers.
    embedded = None if no_worker else _worker(deps, settings)
    if embedded is not None:
        from maintctl import logs
        from maintctl.worker import start_thread

        logs.install()  # the worker's log beside uvicorn's, whatever process answers HTTP

        thread = start_thread(embedded)
    console.print(f"maintctl API on http://{host}:{port} (OpenAPI at /openapi.json)", markup=False)
    try:
        uvicorn.run(
            "maintctl.local:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    finally:
        if embedded is not None:
            embedded.stop.set()  # the job in flight finishes first
            thread.join(timeout=embedded.tuning.lease.total_seconds())


def _worker(deps: Deps, settings: Settings) -> Worker:
    from datetime import timedelta

    from maintctl.services import jobs
    from maintctl.worker import Worker

    jobs.load_kinds(settings)
    return Worker(
        deps,
        jobs.Tuning.from_settings(settings),
        timedelta(days=settings.job_retention_days),
        concurrency=settings.worker_concurrency,
    )


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="do what is due now and exit (for cron or a timer)")
    ] = False,
) -> None:
    """Run the background worker: every due job (feed refreshes, ...), until SIGTERM."""
    from maintctl import logs
    from maintctl.config import Settings
    from maintctl.worker import stop_on_sigterm

    settings = Settings()
    deps = _server_deps(settings)
    running = _worker(deps, settings)
    stop_on_sigterm(running)
    if once:
        from maintctl.cli.text import clean
        from maintctl.domain.times import format_instant
        from maintctl.worker import LeaseHeld

        try:
            done = running.run_once()
        except LeaseHeld as held:
            # Exit 1 (not OK, as `check` finding conflicts): nothing is broken, but this run did
            # none of the due work; the lease holder does it.
            console.print(
                f"worker: nothing done: the worker {clean(held.holder)} holds the SQLite worker "
                f"lease until {format_instant(held.until)} and does the due jobs",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_NOT_OK) from None
        console.print(f"worker: {done} job{'' if done == 1 else 's'} done", markup=False)
        return
    logs.install()
    console.print(f"worker {running.name} running; SIGTERM stops it", markup=False)
    running.run()
