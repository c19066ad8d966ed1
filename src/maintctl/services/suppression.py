"""Alert suppression while a window runs: Alertmanager silences, PagerDuty maintenance windows.

The guards against a forgotten silence:
- STARTED plans a `suppress.begin` job per provider and system (config `systems:` says which
  matchers and services alert for a system); each ENDED move plans a `suppress.end`. A listener
  only writes rows; the jobs call out, retried with backoff, their failures kept on the row.
- A silence is made to end at the window's end plus the provider's `grace`, so a maintctl that
  crashed cannot mute alerts for ever. While the window is still in progress (or verifying) past
  its end, `suppress.extend` moves the end to now + grace every `step`: each extend job plans the
  next one (a chain, keyed by the end it extends, so a repeat is a no-op), never more than one
  grace ahead. An overrun stays muted only while a worker is alive and the window open.
- The worker's housekeeping `sweep`s every silence not ended yet: the window ended → an end
  job (or, past the silence's own end, the row is marked ended: it expired by itself); the window
  running → the chain's next extend, planned again if it was lost.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from maintctl.channels.suppress import Provider, Wanted
from maintctl.config import Config, SuppressionProvider
from maintctl.domain.model import Status, Window
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import events, jobs
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store import silences as store
from maintctl.store import windows as window_store

log = logging.getLogger(__name__)

BEGIN_KIND = "suppress.begin"
EXTEND_KIND = "suppress.extend"
END_KIND = "suppress.end"
RUNNING = (Status.IN_PROGRESS, Status.VERIFYING)
PROVIDERS = ("alertmanager", "pagerduty")
NAMES = {"alertmanager": "Alertmanager", "pagerduty": "PagerDuty"}
SWEEP_PAGE = 200
SWEEP_PAGES = 10  # a sweep looks at most this many pages; the next sweep goes on


def targets(config: Config, systems: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(provider, system) for each of the window's systems mapped to a configured provider."""
    found = []
    for provider in PROVIDERS:
        if settings_of(config, provider) is None:
            continue
        for system in dict.fromkeys(systems):
            mapping = (config.systems or {}).get(system)
            if mapping is None:
                continue
            if mapping.silence if provider == "alertmanager" else mapping.pagerduty_services:
                found.append((provider, system))
    return found


def settings_of(config: Config, provider: str) -> SuppressionProvider | None:
    return config.alerting.alertmanager if provider == "alertmanager" else config.alerting.pagerduty


def client(config: Config, provider: str, system: str) -> Provider | None:
    """The client that silences `system` at `provider`; None when the config does not map it."""
    mapping = (config.systems or {}).get(system)
    if mapping is None:
        return None
    if provider == "alertmanager" and config.alerting.alertmanager and mapping.silence:
        from maintctl.channels.alertmanager import Alertmanager

        return Alertmanager(config.alerting.alertmanager, dict(mapping.silence))
    if provider == "pagerduty" and config.alerting.pagerduty and mapping.pagerduty_services:
        from maintctl.channels.pagerduty import PagerDuty

        return PagerDuty(config.alerting.pagerduty, list(mapping.pagerduty_services), config)
    return None


def _key(kind: str, window_id: str, provider: str, system: str, *more: str) -> str:
    # A long system name is hashed, so every key stays within bounds.JOB_KEY_MAX.
    name = system if len(system) <= 64 else hashlib.sha256(system.encode()).hexdigest()[:32]
    return ":".join((kind, window_id, provider, name, *more))


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _payload(window_id: str, provider: str, system: str) -> dict[str, Any]:
    return {"window": window_id, "provider": provider, "system": system}


def _enqueue(
    deps: Deps, session: Session, kind: str, payload: dict[str, Any], due: datetime, key: str
) -> bool:
    return job_store.enqueue(session, kind, payload, due, key, deps.clock(), deps.config.hash)


def on_event(deps: Deps, session: Session, event: events.Event) -> None:
    """STARTED: plan a silence per provider and system; an ENDED move: plan their end."""
    window = event.window
    now = deps.clock()
    if event.name == events.STARTED:
        for provider, system in targets(deps.config, window.spec.systems):
            store.plan(session, window.id, provider, system, now)
            key = _key(BEGIN_KIND, window.id, provider, system)
            _enqueue(deps, session, BEGIN_KIND, _payload(window.id, provider, system), now, key)
    elif event.name in events.ENDED:
        for silence in store.of_window(session, window.id):
            if silence.state in store.OPEN:
                _plan_end(deps, session, silence, now)


def _plan_end(
    deps: Deps, session: Session, silence: store.Silence, now: datetime, *more: str
) -> bool:
    key = _key(END_KIND, silence.window_id, silence.provider, silence.target, *more)
    payload = _payload(silence.window_id, silence.provider, silence.target)
    return _enqueue(deps, session, END_KIND, payload, now, key)


def _plan_extend(
    deps: Deps,
    session: Session,
    silence: store.Silence,
    ends_at: datetime,
    not_before: datetime | None = None,
) -> bool:
    """The chain's next extend: due `step` after the last one (when `grace - step` is left), or
    at `not_before` if later; keyed by its due time. False when it was planned already."""
    settings = settings_of(deps.config, silence.provider)
    if settings is None:
        return False
    due = ends_at - settings.grace + settings.every
    more = [_stamp(due)]
    if not_before is not None:  # another look, not the chain's own: a key of its own
        due = max(due, not_before)
        more = [_stamp(due), "again"]
    key = _key(EXTEND_KIND, silence.window_id, silence.provider, silence.target, *more)
    payload = _payload(silence.window_id, silence.provider, silence.target)
    return _enqueue(deps, session, EXTEND_KIND, payload, due, key)


@dataclass(frozen=True)
class _Job:
    window: Window | None
    silence: store.Silence
    provider: Provider
    settings: SuppressionProvider


def _load(deps: Deps, payload: dict[str, Any]) -> _Job | str:
    """What a job works on, or why there is nothing to do."""
    window_id, provider, system = (payload.get(k) for k in ("window", "provider", "system"))
    if not all(isinstance(v, str) for v in (window_id, provider, system)):
        raise jobs.JobError("the payload names no window, provider and system", permanent=True)
    assert isinstance(window_id, str) and isinstance(provider, str) and isinstance(system, str)
    with deps.db.read() as session:
        window = window_store.get(session, window_id)
        silence = store.get(session, window_id, provider, system)
    if silence is None:
        return f"no silence of {system} at {provider} for {window_id}"
    found = client(deps.config, provider, system)
    settings = settings_of(deps.config, provider)
    if found is None or settings is None:
        raise jobs.JobError(
            f"the config no longer maps {system} to {NAMES.get(provider, provider)}",
            permanent=True,
        )
    return _Job(window, silence, found, settings)


def _wanted(job: _Job, now: datetime, ends_at: datetime) -> Wanted:
    silence = job.silence
    return Wanted(silence.window_id, silence.target, silence.starts_at or now, ends_at)


def _target(window: Window, settings: SuppressionProvider, now: datetime) -> datetime:
    """Where a silence should end now: the window's end (or now, past it) plus the grace."""
    return max(window.spec.end, now) + settings.grace


def _failed(deps: Deps, silence: store.Silence, exc: Exception, permanent: bool) -> jobs.JobError:
    with deps.db.write() as session:
        store.failed_once(session, silence.id, str(exc), deps.clock())
    return jobs.JobError(str(exc), permanent=permanent)


def begin_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Make the silence of one system at one provider, unless the window ran out first."""
    from maintctl.channels.base import TransportError

    job = _load(deps, payload)
    if isinstance(job, str):
        return job
    silence, now = job.silence, deps.clock()
    name = NAMES[silence.provider]
    if silence.state in (store.ACTIVE, store.ENDED):
        return f"already {silence.state}"
    if job.window is None or job.window.status not in RUNNING:
        with deps.db.write() as session:
            if silence.sent:  # a create may have gone out: the end job finds and ends it
                _plan_end(deps, session, silence, now, "late")
            else:
                store.record(session, silence.id, now, state=store.ENDED, last_error=None)
        return "the window is no longer running: nothing silenced"
    wanted = _wanted(job, now, _target(job.window, job.settings, now))
    try:
        external = job.provider.find(wanted) if silence.sent else None
        if external is None:
            with deps.db.write() as session:  # committed before the call: a retry looks first
                store.record(session, silence.id, now, sent=True, starts_at=wanted.starts_at)
            external = job.provider.create(wanted)
    except TransportError as exc:
        raise _failed(deps, silence, exc, exc.permanent) from None
    with deps.db.write() as session:
        store.record(
            session,
            silence.id,
            deps.clock(),
            external_id=external,
            starts_at=wanted.starts_at,
            ends_at=wanted.ends_at,
            state=store.ACTIVE,
            last_error=None,
        )
        _plan_extend(deps, session, silence, wanted.ends_at)
        window = window_store.get(session, silence.window_id)
        if window is None or window.status not in RUNNING:
            # The window ended while the silence was being made: end it at once.
            _plan_end(deps, session, silence, deps.clock(), "late")
    return (
        f"silenced {silence.target} in {name} until {format_instant(wanted.ends_at)} ({external})"
    )


def extend_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Move a running window's silence to now + grace (its end job ends it otherwise)."""
    from maintctl.channels.base import TransportError

    job = _load(deps, payload)
    if isinstance(job, str):
        return job
    silence, now, window = job.silence, deps.clock(), job.window
    if window is None or window.status not in RUNNING:
        return "the window is no longer running: nothing to extend"
    if silence.state != store.ACTIVE or silence.external_id is None or silence.ends_at is None:
        return f"the silence is {silence.state}: nothing to extend"
    target = _target(window, job.settings, now)
    if target <= silence.ends_at:  # early, or the window's end moved: look again a step on
        with deps.db.write() as session:
            _plan_extend(deps, session, silence, silence.ends_at, now + job.settings.every)
        return f"already until {format_instant(silence.ends_at)}"
    try:
        external = job.provider.extend(silence.external_id, _wanted(job, now, target))
    except TransportError as exc:
        raise _failed(deps, silence, exc, exc.permanent) from None
    with deps.db.write() as session:
        store.record(
            session, silence.id, deps.clock(), external_id=external, ends_at=target, last_error=None
        )
        _plan_extend(deps, session, silence, target)
    return f"extended to {format_instant(target)} ({external})"


def end_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Lift a silence (one already over, or never made, is simply marked ended)."""
    from maintctl.channels.base import TransportError

    job = _load(deps, payload)
    if isinstance(job, str):
        return job
    silence, now = job.silence, deps.clock()
    if silence.state == store.ENDED:
        return "already ended"
    external = silence.external_id
    try:
        if external is None and silence.sent:
            external = job.provider.find(_wanted(job, now, silence.ends_at or now))
        if external is not None:
            job.provider.end(external)
    except TransportError as exc:
        raise _failed(deps, silence, exc, exc.permanent) from None
    with deps.db.write() as session:
        store.record(session, silence.id, deps.clock(), state=store.ENDED, last_error=None)
    return f"ended ({external})" if external else "nothing was silenced"


def _begin_died(deps: Deps, session: Session, job: job_store.Job) -> None:
    """A begin out of tries: the silence is failed, for `suppress status` to say so."""
    payload = job.payload
    found = store.get(
        session,
        str(payload.get("window")),
        str(payload.get("provider")),
        str(payload.get("system")),
    )
    if found is not None and found.state == store.PENDING:
        store.record(session, found.id, deps.clock(), state=store.FAILED)


def sweep(deps: Deps) -> int:
    """Bring every silence not ended in step with its window (bounded); how many jobs planned."""
    now = deps.clock()
    planned = 0
    after = 0
    for _ in range(SWEEP_PAGES):
        with deps.db.write() as session:
            found = store.still_open(session, after, SWEEP_PAGE)
            for silence, status in found:
                planned += _swept(deps, session, silence, Status(status), now)
        if len(found) < SWEEP_PAGE:
            break
        after = found[-1][0].id
    return planned


def _swept(
    deps: Deps, session: Session, silence: store.Silence, status: Status, now: datetime
) -> int:
    if status in RUNNING:
        if silence.state == store.ACTIVE and silence.ends_at is not None:
            return int(_plan_extend(deps, session, silence, silence.ends_at))
        return 0
    if silence.state == store.PENDING and not silence.sent:
        store.record(session, silence.id, now, state=store.ENDED)
        return 0
    if silence.ends_at is not None and silence.ends_at <= now:
        store.record(session, silence.id, now, state=store.ENDED)  # it expired by itself
        return 0
    ending = [
        _key(END_KIND, silence.window_id, silence.provider, silence.target, *more)
        for more in ((), ("late",))
    ]
    if any(_waiting(session, key) for key in ending):
        return 0  # its end job is still to run
    # An end job lost or dead: another, at most one an hour.
    return int(_plan_end(deps, session, silence, now, "sweep", now.strftime("%Y%m%d%H")))


def _waiting(session: Session, key: str) -> bool:
    job = job_store.get(session, key)
    return job is not None and job.status in (job_store.PENDING, job_store.RUNNING)


@dataclass(frozen=True)
class Entry:
    """One silence as `suppress status` shows it."""

    provider: str
    system: str
    state: str
    external_id: str | None
    ends_at: datetime | None
    last_error: str | None
    attempts: int
    retry_at: datetime | None
    line: str


def status(
    deps: Deps, session: Session, window_id: str, who: Principal
) -> tuple[Window, list[Entry]]:
    """A window's silences in plain words (any account may read them)."""
    from maintctl.services.windows import require

    window = require(session, window_id)
    return window, _entries(deps.config, session, window, deps.clock())


def summary(session: Session, config: Config, window_id: str, now: datetime) -> list[str]:
    """One plain line per silence of the window (for `start`'s output); [] when none."""
    window = window_store.get(session, window_id)
    return [] if window is None else [e.line for e in _entries(config, session, window, now)]


def _entries(config: Config, session: Session, window: Window, now: datetime) -> list[Entry]:
    found = []
    for silence in store.of_window(session, window.id):
        retry_at = None
        if silence.last_error:
            kind = BEGIN_KIND if silence.state != store.ACTIVE else END_KIND
            job = job_store.get(session, _key(kind, window.id, silence.provider, silence.target))
            if job is not None and job.status == job_store.PENDING:
                retry_at = job.next_try_at
        found.append(
            Entry(
                silence.provider,
                silence.target,
                silence.state,
                silence.external_id,
                silence.ends_at,
                silence.last_error,
                silence.attempts,
                retry_at,
                _line(config, silence, window, retry_at, now),
            )
        )
    return found


def shown_time(value: datetime, now: datetime) -> str:
    """03:01Z today, else the whole instant."""
    return value.strftime("%H:%MZ") if value.date() == now.date() else format_instant(value)


def _line(
    config: Config, silence: store.Silence, window: Window, retry_at: datetime | None, now: datetime
) -> str:
    name = NAMES.get(silence.provider, silence.provider)
    where = name
    mapping = (config.systems or {}).get(silence.target)
    if silence.provider == "pagerduty" and mapping is not None:
        where = f"{name} (services {', '.join(mapping.pagerduty_services)})"
    subject = f"alerts for {silence.target}"
    retry = f"; retrying at {shown_time(retry_at, now)}" if retry_at else ""
    error = (silence.last_error or "").removeprefix(f"{name}: ")
    if silence.state == store.ACTIVE:
        until = f" until {shown_time(silence.ends_at, now)}" if silence.ends_at else ""
        line = f"{subject} are silenced in {where}{until}"
        if error and window.status not in RUNNING:
            line += f", but ending it failed: {error}{retry}"
        elif error:
            line += f", but extending it failed: {error} (the worker tries again)"
        return line
    if silence.state == store.ENDED:
        return f"{subject} are no longer silenced in {where}"
    if silence.state == store.FAILED:
        gave_up = f"gave up after {silence.attempts} tries"
        return f"{subject} are NOT silenced in {where}: {gave_up}: {error}"
    if error:
        return f"{subject} are NOT silenced in {where}: {error}{retry}"
    return f"{subject} are not silenced in {where} yet: the worker has not made the silence"


jobs.register(BEGIN_KIND, begin_job, on_dead=_begin_died)
jobs.register(EXTEND_KIND, extend_job)
jobs.register(END_KIND, end_job)
