"""Mode hooks: the config's commands run on every mode change, as `mode.hook` jobs.

A hook is told the new state in its environment (MAINTCTL_MAINTENANCE_MODE on|off,
MAINTCTL_TRAFFIC_MODE, MAINTCTL_SYSTEMS, MAINTCTL_WINDOW, MAINTCTL_MESSAGE). It runs on the
worker (in-process in local mode: cli/inline.py), its exit code and the tail of its output are
recorded as a row per run, and a failure or a timeout is retried with the job's backoff. A
hook whose change was overtaken by a later one over the same scopes does not run: the later
change's run tells the newer state, so a retry never turns back what came after it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from datetime import datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from maintctl.config import Hook
from maintctl.domain import bounds, mode
from maintctl.domain.mode import GLOBAL, Effective, Kind, Traffic
from maintctl.domain.times import format_instant
from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import modes as store
from maintctl.store.tables import HookRunRow, ModeChangeRow

KIND = "mode.hook"
OK, FAILED, TIMEOUT, ERROR, SUPERSEDED = "ok", "failed", "timeout", "error", "superseded"


def plan(deps: Deps, session: Session, change_id: int, kind: Kind) -> int:
    """Plan the hooks a change of `kind` runs, in the change's transaction; how many."""
    now = deps.clock()
    planned = 0
    for hook in deps.config.hooks:
        if hook.runs_on(kind.value):
            payload = {"change": change_id, "hook": hook.name}
            key = f"{KIND}:{change_id}:{hook.name}"
            planned += job_store.enqueue(session, KIND, payload, now, key, now, deps.config.hash)
    return planned


def environment(change: ModeChangeRow) -> dict[str, str]:
    """What a hook is told: the state its change's scopes are in after the change."""
    scoped = [
        Effective(
            maintenance=bool(s["maintenance"]),
            traffic=Traffic(s["traffic"]),
            message=s.get("message"),
        )
        for s in change.after.values()
    ]
    state = mode.combine(Effective(), scoped)
    return {
        "MAINTCTL_CHANGE": change.kind,
        "MAINTCTL_MAINTENANCE_MODE": "on" if state.maintenance else "off",
        "MAINTCTL_TRAFFIC_MODE": state.traffic.value,
        "MAINTCTL_SYSTEMS": ",".join(s for s in change.scopes if s != GLOBAL),
        "MAINTCTL_WINDOW": change.window_id or "",
        "MAINTCTL_MESSAGE": state.message or "",
        "MAINTCTL_UNTIL": format_instant(change.until) if change.until else "",
    }


def _overtaken(session: Session, change: ModeChangeRow, hook: Hook) -> int | None:
    """A later change that runs this hook over at least the same scopes, or None."""
    kinds = ("maintenance", "traffic") if hook.on == "any" else (hook.on,)
    for later in store.later_changes(session, change.id, kinds):
        if set(change.scopes) <= set(later.scopes):
            return later.id
    return None


def _tail(out: IO[bytes]) -> str:
    """The last HOOK_OUTPUT_CHARS characters a hook wrote (the file may be far longer)."""
    out.seek(0, os.SEEK_END)
    size = out.tell()
    out.seek(max(0, size - bounds.HOOK_OUTPUT_CHARS * 4))
    text = out.read().decode("utf-8", errors="replace")
    return text[-bounds.HOOK_OUTPUT_CHARS :]


def inherited() -> dict[str, str]:
    """The worker's environment less maintctl's own settings (a database URL, a token): a
    hook's output is recorded where viewers read it."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("MAINTCTL_")}


def run_hook(hook: Hook, env: dict[str, str], cwd: str | None) -> tuple[str, int | None, str]:
    """Run one hook's argv with its timeout; (status, exit code, output tail). Never a shell."""
    with tempfile.TemporaryFile() as out:
        try:
            process = subprocess.Popen(  # noqa: S603 - the config's argv, never a shell
                hook.command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**inherited(), **env},
                cwd=cwd,
                start_new_session=True,  # its own process group: a timeout kills its children too
            )
        except OSError as exc:
            return ERROR, None, f"cannot run {hook.command[0]!r}: {exc.strerror or exc}"
        try:
            code = process.wait(timeout=hook.timeout.total_seconds())
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return TIMEOUT, None, _tail(out)
        return (OK if code == 0 else FAILED), code, _tail(out)


def handle(deps: Deps, payload: dict[str, Any]) -> str:
    """The `mode.hook` job: run one hook for one change and record the run."""
    name = str(payload.get("hook", ""))
    hook = next((h for h in deps.config.hooks if h.name == name), None)
    if hook is None:
        raise jobs.JobError(f"no hook named {name[:64]!r} in this config", permanent=True)
    with deps.db.read() as session:
        change = store.change(session, int(payload.get("change", 0)))
        if change is None:
            raise jobs.JobError("the mode change is gone (pruned)", permanent=True)
        session.expunge(change)
        later = _overtaken(session, change, hook)
    started = deps.clock()
    if later is not None:
        _record(deps, change, hook, SUPERSEDED, None, f"overtaken by change {later}", started)
        return f"superseded by change {later}"
    cwd = str(deps.config.base_dir) if str(deps.config.base_dir) else None
    status, code, output = run_hook(hook, environment(change), cwd)
    _record(deps, change, hook, status, code, output, started)
    if status == OK:
        return f"hook {hook.name} exited 0"
    what = f"exited {code}" if status == FAILED else status
    if status == TIMEOUT:
        what = f"timed out after {hook.timeout.total_seconds():g}s"
    raise jobs.JobError(f"hook {hook.name} {what}", permanent=status == ERROR)


def _record(
    deps: Deps,
    change: ModeChangeRow,
    hook: Hook,
    status: str,
    code: int | None,
    output: str,
    started: datetime,
) -> None:
    with deps.db.write() as session:
        store.add_run(
            session,
            change_id=change.id,
            window_id=change.window_id,
            hook=hook.name,
            status=status,
            exit_code=code,
            output=output,
            started_at=started,
            finished_at=deps.clock(),
        )


def run_json(row: HookRunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "change": row.change_id,
        "hook": row.hook,
        "window": row.window_id,
        "status": row.status,
        "exit_code": row.exit_code,
        "output": row.output,
        "started_at": format_instant(row.started_at),
        "finished_at": format_instant(row.finished_at),
    }


def recent(session: Session, window_id: str | None = None) -> list[dict[str, Any]]:
    """The latest hook runs (of one window), newest first."""
    return [run_json(row) for row in store.runs(session, window_id=window_id)]


jobs.register(KIND, handle)
