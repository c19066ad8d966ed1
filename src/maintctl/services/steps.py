"""Walking a window's steps: begin and finish a step, the execution log, what is left to run.

The operator's machine runs the commands (cli/run.py); the server keeps what happened, so a
crash or Ctrl-C leaves a state that `run` resumes. A step begins only on a window in the
phase's states whose signed fields still hash to what the final signature stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds, lifecycle, pages
from maintctl.domain.errors import Problem, RuleViolation, StateError, refuse
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import Principal, require_operator
from maintctl.domain.steps import FIELDS, FINISHED, Phase, Step, StepState, resume_at, signed_hash
from maintctl.domain.times import format_instant
from maintctl.services.deps import Deps
from maintctl.services.windows import require
from maintctl.store import steps as store
from maintctl.store.tables import LogLineRow, StepResultRow

# Where each phase may run: the work while in progress; verifying and rolling back also after
# `complete` left the window verifying.
STATES = {
    Phase.RUN: frozenset({Status.IN_PROGRESS}),
    Phase.VERIFY: frozenset({Status.IN_PROGRESS, Status.VERIFYING}),
    Phase.ROLLBACK: frozenset({Status.IN_PROGRESS, Status.VERIFYING}),
}
INTERRUPTED = "interrupted: the runner stopped before the step ended"
FULL_MARKER = "[maintctl: the log is full ({lines} lines, {chars} characters); later lines dropped]"


def phase_of(text: str) -> Phase:
    try:
        return Phase(text)
    except ValueError:
        names = ", ".join(p.value for p in Phase)
        raise RuleViolation(
            [Problem("phase", "phase", f"{text[:20]!r} is not a phase", f"use {names}")]
        ) from None


def steps_of(window: Window, phase: Phase) -> list[Step]:
    steps: list[Step] = getattr(window.spec, FIELDS[phase])
    return steps


def require_signed(window: Window) -> None:
    """Refuse a window whose signed fields changed since the final signature (or never signed)."""
    if window.signed_hash is not None and window.signed_hash == signed_hash(window.spec):
        return
    what = "was never signed" if window.signed_hash is None else "changed since it was approved"
    raise RuleViolation(
        [
            Problem(
                "signed_hash",
                "signed-fields-changed",
                f"{window.id} {what}: its steps, times or systems are not what the approvers "
                "signed",
                "send it back for approval (maintctl window modify) and run it once approved",
            )
        ]
    )


def require_runnable(window: Window, phase: Phase) -> None:
    """The phase may run on this window now: the right state and the signed fields unchanged."""
    lifecycle.require(window.status, STATES[phase], f"running its {phase.value} steps", window.id)
    require_signed(window)


def begin(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    phase_name: str,
    number: int,
) -> StepResultRow:
    """Record that step `number` of `phase` runs now; an attempt left running is failed."""
    phase = phase_of(phase_name)
    window = require(session, window_id)
    require_operator(who, window.requested_by, window.lead, f"running {window.id}")
    require_runnable(window, phase)
    count = len(steps_of(window, phase))
    if not 1 <= number <= count:
        raise RuleViolation(
            [
                Problem(
                    "number",
                    "range",
                    f"{window.id} has {count} {phase.value} steps, not a step {number}",
                    f"give 1 to {count}" if count else "this phase has no steps",
                )
            ]
        )
    if store.count(session, window.id) >= bounds.STEP_RESULTS_MAX:
        raise RuleViolation(
            [
                Problem(
                    "number",
                    "too-many",
                    f"{window.id} already keeps {bounds.STEP_RESULTS_MAX} step results",
                    "the plan is retried past reason: abort or roll back the window",
                )
            ]
        )
    now = deps.clock()
    store.interrupt_running(session, window.id, now, INTERRUPTED)
    return store.begin(session, window.id, phase.value, number, who.name, now)


def finish(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    result_id: int,
    state: str,
    exit_code: int | None = None,
    note: str = "",
) -> StepResultRow:
    """Record how a running step ended: passed, failed, skipped or timed out."""
    window = require(session, window_id)
    require_operator(who, window.requested_by, window.lead, f"running {window.id}")
    problems = bounds.text_problems("note", note, "comment")
    if state not in {s.value for s in FINISHED}:
        names = ", ".join(sorted(s.value for s in FINISHED))
        problems.append(Problem("state", "state", f"{state[:20]!r} is not an end", f"use {names}"))
    refuse(problems)
    row = store.result(session, window.id, result_id)
    if row is None or row.state != StepState.RUNNING:
        raise StateError(
            [
                Problem(
                    "result",
                    "not-running",
                    f"step result {result_id} of {window.id} is not running",
                    f"see maintctl run {window.id} --dry-run",
                )
            ]
        )
    now = deps.clock()
    row.state = state
    row.ended_at = now
    row.exit_code = exit_code
    row.duration_ms = int((now - row.started_at).total_seconds() * 1000)
    row.note = note.strip()
    session.flush()
    return row


def result_shape(row: StepResultRow) -> dict[str, Any]:
    """The stable JSON shape of one attempt at one step."""
    return {
        "id": row.id,
        "window": row.window_id,
        "phase": row.phase,
        "number": row.number,
        "state": row.state,
        "started_at": format_instant(row.started_at),
        "ended_at": format_instant(row.ended_at) if row.ended_at else None,
        "exit_code": row.exit_code,
        "duration_ms": row.duration_ms,
        "by": row.by,
        "note": row.note,
    }


def summary(session: Session, window_id: str) -> dict[str, Any]:
    """Each phase's steps with their last result, where `run` resumes, and the signed check."""
    window = require(session, window_id)
    last = {(r.phase, r.number): r for r in store.latest(session, window.id)}
    phases: dict[str, Any] = {}
    for phase in Phase:
        steps = steps_of(window, phase)
        done = {
            n
            for (p, n), r in last.items()
            if p == phase.value and r.state in (StepState.PASSED, StepState.SKIPPED)
        }
        phases[phase.value] = {
            "steps": [
                {
                    "number": n,
                    **step.as_dict(),
                    "last": result_shape(last[(phase.value, n)])
                    if (phase.value, n) in last
                    else None,
                }
                for n, step in enumerate(steps, 1)
            ],
            "resume_at": resume_at(len(steps), done),
        }
    matches = window.signed_hash is not None and window.signed_hash == signed_hash(window.spec)
    return {
        "window": window.id,
        "status": window.status.value,
        "signed_hash": window.signed_hash,
        "signed_fields_match": matches,
        "phases": phases,
    }


@dataclass(frozen=True)
class Appended:
    """How many of the lines were kept, and whether the log is now full."""

    kept: int
    full: bool


def append_log(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    lines: list[str],
    phase: str | None = None,
    step: int | None = None,
) -> Appended:
    """Append lines to a window's log, up to its cap; past it one marker line says so."""
    window = require(session, window_id)
    require_operator(who, window.requested_by, window.lead, f"logging to {window.id}")
    if phase is not None:
        phase_of(phase)
    if len(lines) > bounds.LOG_BATCH_MAX:
        raise RuleViolation(
            [
                Problem(
                    "lines",
                    "too-many",
                    f"{len(lines)} lines in one append",
                    f"send at most {bounds.LOG_BATCH_MAX} at a time",
                )
            ]
        )
    tail = store.log_tail(session, window.id)
    seq, chars = (tail.seq, tail.chars) if tail else (0, 0)
    full = seq > bounds.LOG_LINES_MAX or chars > bounds.LOG_BYTES_MAX
    if full:
        return Appended(0, True)
    now = deps.clock()
    rows: list[LogLineRow] = []
    for raw in lines:
        line = _clean(raw)
        if seq + 1 > bounds.LOG_LINES_MAX or chars + len(line) > bounds.LOG_BYTES_MAX:
            marker = FULL_MARKER.format(lines=seq, chars=chars)
            # The marker goes one past the cap, so a later append sees the log as full.
            seq, chars = seq + 1, bounds.LOG_BYTES_MAX + 1
            rows.append(_row(window.id, seq, now, None, None, marker, chars))
            full = True
            break
        seq, chars = seq + 1, chars + len(line)
        rows.append(_row(window.id, seq, now, phase, step, line, chars))
    store.add_lines(session, rows)
    return Appended(len(rows) - (1 if full else 0), full)


def _clean(raw: str) -> str:
    """One line as kept: cut to its bound, NUL and lone surrogates (PostgreSQL refuses them) out."""
    line = raw[: bounds.LOG_LINE_MAX_CHARS].replace("\x00", "")
    return line.encode("utf-8", "replace").decode("utf-8")


def _row(
    window_id: str,
    seq: int,
    at: datetime,
    phase: str | None,
    step: int | None,
    line: str,
    chars: int,
) -> LogLineRow:
    return LogLineRow(
        window_id=window_id, seq=seq, at=at, phase=phase, step=step, line=line, chars=chars
    )


@dataclass(frozen=True)
class LogPage:
    window_id: str
    lines: list[dict[str, Any]]
    next: int | None


def log_page(
    session: Session, window_id: str, *, after: int | None = None, limit: int | None = None
) -> LogPage:
    """A window's log, oldest first, one bounded page (`after`: the last seq seen)."""
    window = require(session, window_id)
    size = pages.page_size(limit)
    found = store.log_page(session, window.id, after or 0, size + 1)
    shaped = [
        {
            "seq": r.seq,
            "at": format_instant(r.at),
            "phase": r.phase,
            "step": r.step,
            "line": r.line,
        }
        for r in found[:size]
    ]
    return LogPage(window.id, shaped, found[size - 1].seq if len(found) > size else None)
