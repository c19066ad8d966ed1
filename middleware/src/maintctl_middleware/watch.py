"""The state in memory, refreshed from maintctl's /health by a background daemon thread.

A request reads `Watch.snapshot`, one attribute holding an immutable object that the thread
replaces whole: no lock on the hot path (an attribute store is atomic in CPython).
"""

from __future__ import annotations

# Imported here, not lazily by the first fetch in the thread: a process forked while that thread
# held the import lock (gunicorn --preload) could never import it again ("unknown encoding: idna").
import encodings.idna  # noqa: F401
import json
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from maintctl_middleware.state import (
    MAINTENANCE,
    MAX_BODY,
    NORMAL,
    Malformed,
    Scoped,
    combine,
    format_instant,
    parse,
)

log = logging.getLogger("maintctl_middleware")

KNOWN = "known"
UNKNOWN = "unknown"
STALE = "stale"
# The interval is jittered by this fraction either way, so many replicas do not poll in step.
JITTER = 0.2
# A last success older than this many intervals is stale even if no attempt has failed yet.
STALE_AFTER = 3

_NOT_KNOWN_MESSAGE = "The maintenance state of this service is not known yet."


def header_safe(text: str) -> str:
    """A header value: no CR, LF or other control character, latin-1 only, bounded."""
    kept = "".join(ch if " " <= ch <= "~" or "\xa0" <= ch <= "\xff" else " " for ch in text[:1000])
    return " ".join(kept.split())


@dataclass(frozen=True)
class Snapshot:
    """The effective state and everything a request needs from it, computed once per change."""

    state: Scoped | None
    fetched: float  # time.monotonic() of the last success, 0 before any
    failing: bool  # the latest attempt failed (the state, if any, is the last known one)
    fail_open: bool
    # Derived, so a request does no work beyond reading them:
    plain: bool = field(init=False)  # let the request through untouched
    blocked: bool = field(init=False)  # refuse everything not allow-listed
    read_only: bool = field(init=False)
    headers: tuple[tuple[str, str], ...] = field(init=False)
    raw_headers: tuple[tuple[bytes, bytes], ...] = field(init=False)  # ASGI's form of `headers`
    info: dict[str, Any] | None = field(init=False)

    def __post_init__(self) -> None:
        state = self.state
        set_ = object.__setattr__
        if state is None:
            set_(self, "plain", self.fail_open)
            set_(self, "blocked", not self.fail_open)
            set_(self, "read_only", False)
            set_(self, "headers", ())
            set_(self, "raw_headers", ())
            closed = {"maintenanceMode": False, "trafficMode": MAINTENANCE, "until": None}
            set_(self, "info", None if self.fail_open else {**closed, "message": self.message})
            return
        set_(self, "plain", not state.maintenance_mode and state.traffic_mode == NORMAL)
        set_(self, "blocked", state.traffic_mode == MAINTENANCE)
        set_(self, "read_only", state.traffic_mode != NORMAL)
        headers: tuple[tuple[str, str], ...] = ()
        if state.maintenance_mode:
            headers = (("Maintenance-Mode", "on"),)
            if state.message:
                headers += (("Maintenance-Message", header_safe(state.message)),)
        set_(self, "headers", headers)
        raw = tuple(
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        )
        set_(self, "raw_headers", raw)
        set_(self, "info", None if self.plain else describe(state))

    @property
    def message(self) -> str | None:
        """The message to show: the state's, or why traffic is refused before any is known."""
        if self.state is None:
            return None if self.fail_open else _NOT_KNOWN_MESSAGE
        return self.state.message

    def knowledge(self, refresh: float, now: float) -> str:
        """known, unknown (never fetched) or stale (the last known state, not confirmed lately)."""
        if self.state is None:
            return UNKNOWN
        if self.failing or now - self.fetched > STALE_AFTER * refresh:
            return STALE
        return KNOWN


def describe(state: Scoped) -> dict[str, Any]:
    """The state as the app receives it and the health path shows it."""
    return {
        "maintenanceMode": state.maintenance_mode,
        "trafficMode": state.traffic_mode,
        "message": state.message,
        "until": format_instant(state.until),
    }


class Watch:
    """Polls `<server>/health` in a daemon thread and keeps the service's effective state."""

    def __init__(
        self,
        server: str,
        systems: Iterable[str] = (),
        refresh: float = 5.0,
        timeout: float = 2.0,
        fail_open: bool = True,
        start: bool = True,
    ) -> None:
        if refresh <= 0 or timeout <= 0:
            raise ValueError("refresh and timeout must be positive")
        if not server.startswith(("http://", "https://")):
            raise ValueError("server must be an http:// or https:// URL")
        self.url = server.rstrip("/") + "/health"
        self.systems = tuple(systems)
        self.refresh = float(refresh)
        self.timeout = float(timeout)
        self.fail_open = fail_open
        self.snapshot = Snapshot(None, 0.0, False, fail_open)
        self._fetching = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opener = urllib.request.build_opener()
        if start:
            self.start()
            _after_fork.add(self)

    def start(self) -> None:
        """Start the polling thread (again, e.g. in a forked worker process)."""
        self._stop.clear()
        thread = threading.Thread(target=self._run, name="maintctl-middleware", daemon=True)
        self._thread = thread
        thread.start()

    def close(self) -> None:
        """Stop the polling thread; the last state stays in memory."""
        self._stop.set()
        _after_fork.discard(self)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.timeout + 1.0)
        self._thread = None

    def refresh_now(self) -> Snapshot:
        """Fetch once, now, and return the snapshot in force after it."""
        with self._fetching:
            previous = self.snapshot
            try:
                state = self._fetch()
            except Exception as exc:  # whatever went wrong, the last known state stays
                if not previous.failing:
                    log.warning(
                        "maintctl /health unreachable or malformed (%s): keeping the %s state",
                        _reason(exc),
                        "last known" if previous.state is not None else "unknown",
                    )
                snapshot = Snapshot(previous.state, previous.fetched, True, self.fail_open)
            else:
                if previous.failing:
                    log.info("maintctl /health answers again")
                if state != previous.state:
                    log.info("maintenance state now %s", describe(state))
                snapshot = Snapshot(state, time.monotonic(), False, self.fail_open)
            self.snapshot = snapshot
            return snapshot

    def _fetch(self) -> Scoped:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url, headers={"Accept": "application/health+json, application/json"}
        )
        with self._opener.open(request, timeout=self.timeout) as answer:
            body = answer.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise Malformed("the answer is too large")
        try:
            data = json.loads(body)
        except ValueError:
            raise Malformed("the answer is not JSON") from None
        return combine(parse(data), self.systems)

    def _run(self) -> None:
        stop = self._stop
        while not stop.is_set():
            try:
                self.refresh_now()
            except Exception:  # the thread must outlive any surprise; the state stays as it was
                log.exception("maintctl middleware: refresh failed")
            wait = self.refresh * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
            stop.wait(wait)


def _reason(exc: BaseException) -> str:
    """Why a fetch failed, without the URL (it may carry credentials)."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


# Threads do not survive fork (a pre-forking server such as gunicorn --preload builds the app once,
# then forks its workers): each child starts its own polling thread.
_after_fork: weakref.WeakSet[Watch] = weakref.WeakSet()


def _restart_after_fork() -> None:
    for watch in list(_after_fork):
        # The parent's thread may have held these at the fork: the child gets fresh ones.
        watch._fetching = threading.Lock()
        watch._stop = threading.Event()
        watch.start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_after_fork)
