"""`maintctl run|rollback|log ID`: walk a window's steps on the operator's machine.

Each command is what the approvers signed, run through /bin/sh in a process group of its own
(a timeout or Ctrl-C kills the whole tree). The server keeps each step's result and the output,
so a crash leaves a state the next `run` resumes; the rules (who, which state, the signed hash)
are the server's.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.markup import escape

from maintctl.cli.client import EXIT_NOT_OK, Api, connect, fail
from maintctl.cli.output import console, print_json, safe
from maintctl.cli.paths import path
from maintctl.cli.paths import window_id as checked
from maintctl.cli.text import clean

WINDOWS = "/api/v1/windows"
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by SIGINT
FLUSH_LINES = 200  # output lines sent to the server at once (the server takes up to 500)
FLUSH_EVERY = 1.0  # seconds between sends while a step prints
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL to a timed-out step's process group
READ_MAX = 16_384  # bytes of one output line read at once; a longer line arrives in pieces

WindowId = Annotated[str, typer.Argument(metavar="ID", help="the window, e.g. MNT-2026-0001")]
Yes = Annotated[
    bool, typer.Option("--yes", help="ask nothing; stop at the first failure and exit 1")
]


@dataclass
class Outcome:
    """How one attempt ended, as the server records it."""

    state: str
    exit_code: int | None = None
    note: str = ""


class Interrupted(Exception):
    """Ctrl-C while a step ran: the step was killed and recorded as failed."""


@dataclass
class Runner:
    """One walk over one phase of one window's steps."""

    api: Api
    window_id: str
    phase: str
    steps: list[dict[str, Any]]
    yes: bool
    pending: list[str] = field(default_factory=list)
    log_full: bool = False
    last_flush: float = 0.0
    step: int | None = None
    choice: str = "stop"  # what the operator chose at the failure that stopped the walk

    def where(self, *segments: str | int) -> str:
        return path(WINDOWS, self.window_id, *segments)

    def walk(self, first: int, progress: bool) -> bool:
        """Run steps first..last; False when the operator stopped at a failure."""
        count = len(self.steps)
        for number in range(first, count + 1):
            step = self.steps[number - 1]
            self.step = number
            console.print(f"[bold]Step {number} of {count}:[/] {safe(step['text'])}")
            if not self.attempt(number, step, progress):
                return False
        return True

    def attempt(self, number: int, step: dict[str, Any], progress: bool) -> bool:
        """Run one step until it passes or is skipped; False when the operator stopped."""
        first = True
        while True:
            began = self.api.json(
                "POST", self.where("steps"), json={"phase": self.phase, "number": number}
            )
            if first and progress:
                self.progress(number, step["text"])
            first = False
            try:
                outcome = self.execute(step)
            except Interrupted:
                self.finish(began["id"], Outcome("failed", None, "interrupted (Ctrl-C)"))
                raise
            self.finish(began["id"], outcome)
            if outcome.state == "passed":
                return True
            choice = "stop" if self.yes else self.ask(number, outcome)
            if choice == "retry":
                continue
            if choice == "skip":
                skipped = self.api.json(
                    "POST", self.where("steps"), json={"phase": self.phase, "number": number}
                )
                self.finish(skipped["id"], Outcome("skipped", None, "skipped by the operator"))
                return True
            self.choice = choice
            return False

    def ask(self, number: int, outcome: Outcome) -> str:
        """What to do after a failed step: retry, skip, abort, roll back (run only), or stop."""
        options = {"r": "retry", "s": "skip"}
        if self.phase == "run":
            options |= {"a": "abort", "b": "rollback"}
        options["q"] = "stop"
        words = {
            "retry": "[r]etry",
            "skip": "[s]kip",
            "abort": "[a]bort the window",
            "rollback": "roll [b]ack",
            "stop": "[q]uit (resume later)",
        }
        menu = ", ".join(words[v] for v in options.values())
        console.print(escape(f"Step {number} {outcome.state.replace('_', ' ')}. {menu}?"))
        while True:
            answer = typer.prompt("choice", default="q").strip().lower()[:1]
            if answer in options:
                return options[answer]

    def progress(self, number: int, text: str) -> None:
        """The runbook's progress update; a refused one is said, never fatal to the run."""
        body = {"step": number, "of": len(self.steps), "task": text[:500]}
        response = self.api.http.request("POST", self.where("progress"), json=body)
        if response.status_code >= 300:
            print("warning: the progress update was not recorded", file=sys.stderr)

    def finish(self, result_id: int, outcome: Outcome) -> None:
        self.flush(force=True)
        body = {"state": outcome.state, "exit_code": outcome.exit_code, "note": outcome.note}
        self.api.json("POST", self.where("steps", result_id, "finish"), json=body)
        took = "" if outcome.exit_code is None else f" (exit {outcome.exit_code})"
        console.print(f"  {outcome.state.replace('_', ' ')}{took}")

    def execute(self, step: dict[str, Any]) -> Outcome:
        """Run the step's command, or ask about a manual step."""
        command = step.get("command")
        if not command:
            if self.yes:
                return Outcome("passed", None, "manual step, confirmed by --yes")
            done = typer.confirm("  a manual step: is it done?", default=False)
            return Outcome("passed" if done else "failed", None, "manual step")
        timeout = parse_seconds(step["timeout"])
        return self.command(command, timeout)

    def command(self, command: str, timeout: float) -> Outcome:
        """Run `command` through /bin/sh in its own process group, streaming its output."""
        # The command is what the approvers signed (the server checked the signed hash).
        proc = subprocess.Popen(  # noqa: S603
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        timed_out = False
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    _kill(proc)
                    break
                try:
                    line = lines.get(timeout=min(left, 0.2))
                except queue.Empty:
                    self.flush()
                    continue
                if line is None:
                    break
                self.line(line)
        except KeyboardInterrupt:
            _kill(proc)
            self.drain(lines, reader)
            raise Interrupted from None
        code = proc.wait()
        self.drain(lines, reader)
        if timed_out:
            return Outcome("timed_out", None, f"killed after {timeout:g}s")
        return Outcome("passed" if code == 0 else "failed", code)

    def drain(self, lines: queue.Queue[str | None], reader: threading.Thread) -> None:
        """What the step printed before it ended (a bounded wait: a survivor may hold the pipe)."""
        reader.join(KILL_GRACE)
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                return
            if line is not None:
                self.line(line)

    def line(self, text: str) -> None:
        print(clean(text), flush=True)
        self.pending.append(text)
        self.flush()

    def flush(self, force: bool = False) -> None:
        """Send the output gathered so far, in batches; a full log is said once."""
        now = time.monotonic()
        if not self.pending or not (
            force or len(self.pending) >= FLUSH_LINES or now - self.last_flush >= FLUSH_EVERY
        ):
            return
        batch, self.pending = self.pending, []
        self.last_flush = now
        if self.log_full:
            return
        for start in range(0, len(batch), FLUSH_LINES):
            body: dict[str, Any] = {"lines": batch[start : start + FLUSH_LINES]}
            body |= {"phase": self.phase, "step": self.step}
            sent = self.api.json("POST", self.where("log"), json=body)
            if sent["full"]:
                self.log_full = True
                print("warning: the window's log is full; later lines not kept", file=sys.stderr)
                return


def _pump(proc: subprocess.Popen[bytes], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    for raw in iter(lambda: proc.stdout.readline(READ_MAX) if proc.stdout else b"", b""):
        lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
    lines.put(None)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End the step's whole process group: SIGTERM, then SIGKILL after a grace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(KILL_GRACE)
            if sig == signal.SIGTERM:
                # The leader is gone; its children may not be.
                os.killpg(proc.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def parse_seconds(text: str) -> float:
    """A timeout as the server shows it ("10m", "1h30m", "45s") in seconds."""
    total, number = 0.0, ""
    units = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
    for char in text:
        if char.isdigit():
            number += char
        elif char in units and number:
            total, number = total + int(number) * units[char], ""
    return total or 600.0


def _plan(api: Api, window_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.json("GET", path(WINDOWS, checked(window_id), "steps"))
    return found


def _print_plan(phase: str, steps: list[dict[str, Any]], first: int) -> None:
    for number, step in enumerate(steps, 1):
        mark = "  (done)" if number < first else ""
        console.print(f"Step {number} of {len(steps)}: {safe(step['text'])}{mark}")
        if step.get("command"):
            console.print(f"    $ {safe(step['command'])}  [dim](timeout {step['timeout']})[/]")
        else:
            console.print("    (a manual step)")


def _start_at(plan: dict[str, Any], phase: str, from_step: int | None) -> int:
    """--from-step, else the first step not passed or skipped (said when it is not the first)."""
    steps = plan["phases"][phase]["steps"]
    if from_step is not None:
        if not 1 <= from_step <= max(len(steps), 1):
            count = len(steps)
            fail([f"from-step: {plan['window']} has {count} {phase} steps; give 1 to {count}"])
        return from_step
    first: int = plan["phases"][phase]["resume_at"]
    if 1 < first <= len(steps):
        console.print(
            f"Resuming at step {first} of {len(steps)}: steps before it passed or were skipped "
            "(--from-step N to choose)"
        )
    return first


def run(
    window_id: WindowId,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan; run nothing")] = False,
    from_step: Annotated[
        int | None, typer.Option("--from-step", help="start at this step (default: resume)")
    ] = None,
    yes: Yes = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="run the verify steps (in progress or verifying)")
    ] = False,
) -> None:
    """Walk the window's steps: run each command, stream its output, record each result."""
    phase = "verify" if verify else "run"
    with connect() as api:
        plan = _plan(api, window_id)
        wid = plan["window"]
        steps = plan["phases"][phase]["steps"]
        if not steps:
            console.print(f"{safe(wid)} has no {phase} steps; nothing to run")
            return
        first = _start_at(plan, phase, from_step)
        if dry_run:
            _print_plan(phase, steps, first)
            return
        if first > len(steps):
            console.print(f"All {len(steps)} {phase} steps of {safe(wid)} passed; nothing to run")
            return
        runner = Runner(api, wid, phase, steps, yes)
        try:
            done = runner.walk(first, progress=phase == "run")
        except (Interrupted, KeyboardInterrupt):
            print(
                f"interrupted at step {runner.step}; resume with: maintctl run {wid}"
                + (" --verify" if verify else ""),
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if done:
            nxt = "maintctl complete" if phase == "run" else "maintctl validate"
            console.print(f"All {len(steps)} {phase} steps passed. Next: {nxt} {safe(wid)}")
            return
        _after_failure(api, runner, wid)


def _after_failure(api: Api, runner: Runner, wid: str) -> None:
    """The operator's choice after a failed step; every way out of here exits 1."""
    if runner.choice == "abort":
        reason = typer.prompt("reason for the abort")
        api.json("POST", path(WINDOWS, wid, "abort"), json={"reason": reason})
        console.print(f"Aborted {safe(wid)}")
    elif runner.choice == "rollback":
        _rollback(api, wid, yes=False, reason=f"step {runner.step} failed")
    else:
        print(
            f"stopped at step {runner.step}; resume with: maintctl run {wid}, or roll back "
            f"with: maintctl rollback {wid}",
            file=sys.stderr,
        )
    raise typer.Exit(EXIT_NOT_OK)


def _rollback(api: Api, wid: str, *, yes: bool, reason: str) -> None:
    """Run the rollback steps (resuming where a rollback stopped), then end it rolled_back."""
    plan = _plan(api, wid)
    steps = plan["phases"]["rollback"]["steps"]
    if steps:
        first = _start_at(plan, "rollback", None)
        runner = Runner(api, wid, "rollback", steps, yes)
        try:
            done = runner.walk(first, progress=False)
        except (Interrupted, KeyboardInterrupt):
            print(f"interrupted; resume with: maintctl rollback {wid}", file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if not done:
            print(
                f"rollback stopped at step {runner.step}; {wid} is not rolled back. "
                f"Fix it and run: maintctl rollback {wid}",
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_NOT_OK)
    window = api.json("POST", path(WINDOWS, wid, "rollback"), json={"reason": reason})
    console.print(
        f"[bold]{safe(wid)}[/] is {window['status']}: {len(steps)} rollback steps run; "
        "service restored to its previous version"
    )


def rollback(
    window_id: WindowId,
    yes: Yes = False,
    reason: Annotated[str, typer.Option(help="why; kept with the window")] = "",
) -> None:
    """Run the rollback steps and end the window rolled_back (also with none to run)."""
    from maintctl.cli.execution import settle

    with connect() as api:
        wid = _plan(api, window_id)["window"]
        _rollback(api, wid, yes=yes, reason=reason)
        shown = api.json("GET", path(WINDOWS, checked(wid)))
    if shown["status"] == "rolled_back":
        settle(shown)


def log(
    window_id: WindowId,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing new lines (Ctrl-C to stop)")
    ] = False,
    after: Annotated[int, typer.Option(help="start after this line number")] = 0,
) -> None:
    """Print the window's execution log, page by page."""
    where = path(WINDOWS, checked(window_id), "log")
    gathered: list[dict[str, Any]] = []
    with connect() as api:
        try:
            while True:
                page = api.json("GET", where, params={"after": after, "limit": 1_000})
                for line in page:
                    if as_json:
                        gathered.append(line)
                    else:
                        tag = f"[{line['phase']} {line['step']}] " if line["step"] else ""
                        print(f"{tag}{clean(line['line'])}", flush=True)
                    after = line["seq"]
                if page:
                    continue
                if not follow:
                    break
                time.sleep(1.0)
        except KeyboardInterrupt:
            pass
    if as_json:
        print_json(gathered)
