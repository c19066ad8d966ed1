"""The `maintctl` command. Heavy imports happen inside commands, so --help stays fast."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from maintctl.cli import (
    accounts,
    admin,
    audit,
    calendar,
    calendars,
    checklist,
    emergency,
    execution,
    faults,
    jobs,
    mode,
    notify,
    precheck,
    report,
    review,
    schedule,
    stats,
    suppress,
    validate,
    window,
)
from maintctl.cli import run as walk  # `run` is the console script's name below

app = typer.Typer(
    help="maintctl: plan, check and run maintenance windows by the team's runbook.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    as_user: Annotated[
        str | None,
        typer.Option("--as", envvar="MAINTCTL_AS", help="act as this account (local mode)"),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="show the traceback when a command cannot run")
    ] = False,
) -> None:
    """Without MAINTCTL_URL, work on the local database; with it, talk to that server."""
    faults.debug = debug
    faults.quiet_logs()
    if as_user:
        os.environ["MAINTCTL_AS"] = as_user


app.add_typer(window.app, name="window")
app.add_typer(calendar.app, name="calendar")
app.add_typer(calendars.app, name="calendars")
app.add_typer(admin.policy_app, name="policy")
app.add_typer(admin.db_app, name="db")
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.token_app, name="token")
app.add_typer(accounts.approvals_app, name="approvals")
app.add_typer(notify.app, name="notify")
app.add_typer(suppress.app, name="suppress")
app.add_typer(mode.app, name="mode")
app.add_typer(report.app, name="report")
app.add_typer(review.action_app, name="action")
app.add_typer(emergency.app, name="emergency")
app.command()(accounts.login)
app.command()(audit.audit)
app.command()(schedule.check)
app.command()(schedule.slots)
app.command()(admin.serve)
app.command()(admin.worker)
app.command()(jobs.jobs)
app.command()(execution.start)
app.command()(execution.progress)
app.command()(execution.complete)
app.command()(execution.abort)
app.command(name="run")(walk.run)
app.command()(walk.rollback)
app.command()(walk.log)
app.command()(validate.validate)
app.command()(precheck.precheck)
app.command()(precheck.ack)
app.command()(mode.traffic)
app.command()(stats.stats)
app.command()(review.review)
app.command()(review.close)
app.command()(checklist.checklist)


def run() -> None:
    """The console script: every fault is one `error:` line and exit 3, never a traceback."""
    try:
        app()
    except Exception as exc:
        if faults.debug:
            raise
        sys.exit(faults.report(exc))
    except KeyboardInterrupt as exc:
        sys.exit(faults.report(exc))
