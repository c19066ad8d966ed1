"""A client of Atlassian Statuspage's management API: scheduled maintenances only.

What it follows (the API reference at developer.statuspage.io, "Incidents", as mirrored by the
OpenAPI-generated SDKs; and Atlassian's "Upcoming rate limiting changes to Statuspage REST API"):
- `POST /v1/pages/{page_id}/incidents` creates, `PATCH /v1/pages/{page_id}/incidents/{id}`
  updates, `GET /v1/pages/{page_id}/incidents?limit=&page=` lists (newest first, at most 100);
- the body is JSON `{"incident": {...}}` with Content-Type application/json ("Information can
  be sent in the body as form urlencoded or JSON"); a scheduled maintenance has `status`
  scheduled, in_progress, verifying or completed, `scheduled_for`, `scheduled_until`,
  `component_ids`, `body` (a PATCH's body becomes a new incident update), `metadata` (its
  top-level values must be objects), `scheduled_remind_prior`, `scheduled_auto_in_progress`,
  `scheduled_auto_completed`, `deliver_notifications`;
- `Authorization: OAuth <api key>`;
- "Each API token is limited to 1 request / second as measured on a 60 second rolling window";
  420 or 429 say the limit was passed, with a `Retry-After` header in seconds.
The limit holds per process here (a token bucket per API key); a 420/429 stops this process
from calling with that key until Retry-After passes, and the job is retried by the worker.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from maintctl.channels.base import TransportError
from maintctl.config import Channel, Config

TIMEOUT_S = 10.0
RATE_PER_S = 1.0  # the documented limit per API token
MAX_WAIT_S = 5.0  # wait at most this long for the bucket; past it the job retries later
DEFAULT_RETRY_AFTER_S = 60  # the documented example, when a 420/429 names none
_RATE_LIMITED = (420, 429)
_RETRYABLE_4XX = (408, *_RATE_LIMITED)
LOOKUP_LIMIT = 100  # the documented maximum per page of GET incidents


class Limiter:
    """A token bucket of one request a second, that a 420/429 closes until its Retry-After."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0  # the earliest moment the next request may go
        self._lock = threading.Lock()

    def acquire(self, who: str) -> None:
        """Wait for a turn; a turn further off than MAX_WAIT_S is a retryable error."""
        with self._lock:
            now = self._clock()
            wait = max(0.0, self._next - now)
            if wait > MAX_WAIT_S:
                raise TransportError(f"{who}: rate limited for {wait:.0f} s more")
            self._next = max(now, self._next) + 1.0 / self.rate
        if wait:
            self._sleep(wait)

    def close_for(self, seconds: float) -> None:
        """A 420/429: no request with this key before `seconds` from now."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


_limiters: dict[str, Limiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(api_key: str) -> Limiter:
    """This process's limiter for one API key (the limit is the token's, across channels)."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    with _limiters_lock:
        if digest not in _limiters:
            _limiters[digest] = Limiter(RATE_PER_S)
        return _limiters[digest]


def retry_after(value: str | None) -> float:
    """Retry-After in seconds (delta form), bounded; the documented default when absent."""
    try:
        seconds = float(value) if value is not None else DEFAULT_RETRY_AFTER_S
    except ValueError:
        seconds = DEFAULT_RETRY_AFTER_S
    return min(max(seconds, 1.0), 3600.0)


class Client:
    """The scheduled maintenances of one page, as one channel's key may change them."""

    def __init__(self, channel: Channel, config: Config) -> None:
        assert channel.statuspage is not None
        self.channel = channel
        self.page = channel.statuspage
        self.config = config
        self.who = f"channel {channel.name}"

    def create(self, incident: dict[str, Any]) -> dict[str, Any]:
        """Create a scheduled maintenance; the incident as Statuspage answers it."""
        return self._incident(self._call("POST", "/incidents", {"incident": incident}))

    def update(self, incident_id: str, incident: dict[str, Any]) -> dict[str, Any]:
        """Change a maintenance's fields; a `body` is posted as a new incident update."""
        path = f"/incidents/{_segment(incident_id)}"
        return self._incident(self._call("PATCH", path, {"incident": incident}))

    def _incident(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise TransportError(f"{self.who}: Statuspage answered without an incident id")
        return answer

    def find(self, window_id: str) -> dict[str, Any] | None:
        """The newest incident whose metadata names `window_id`, or None.

        Only after a create that may have reached Statuspage without its answer reaching us:
        the incident is then among the newest.
        """
        found = self._call("GET", f"/incidents?limit={LOOKUP_LIMIT}&page=1", None)
        for incident in found if isinstance(found, list) else []:
            meta = incident.get("metadata") if isinstance(incident, dict) else None
            mine = meta.get("maintctl") if isinstance(meta, dict) else None
            if isinstance(mine, dict) and mine.get("window") == window_id:
                return self._incident(incident)
        return None

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        key = self._key()
        limiter = limiter_for(key)
        limiter.acquire(self.who)
        url = f"{self.page.api_url}/v1/pages/{_segment(self.page.page_id)}{path}"
        headers = {"Authorization": f"OAuth {key}", "Accept": "application/json"}
        try:
            answer = httpx.request(method, url, json=body, headers=headers, timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:  # name the channel, never the key
            raise TransportError(f"{self.who}: {type(exc).__name__}") from None
        code = answer.status_code
        if code in _RATE_LIMITED:
            limiter.close_for(retry_after(answer.headers.get("Retry-After")))
        if code >= 300:
            permanent = 400 <= code < 500 and code not in _RETRYABLE_4XX
            raise TransportError(f"{self.who}: Statuspage answered {code} to {method}", permanent)
        try:
            return answer.json()
        except ValueError:
            raise TransportError(f"{self.who}: Statuspage answered {code} without JSON") from None

    def _key(self) -> str:
        if self.page.api_key_file:
            try:
                text = self.config.path(self.page.api_key_file).read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise TransportError(
                    f"{self.who}: the key file {self.page.api_key_file} cannot be read"
                ) from None
        else:
            text = os.environ.get(self.page.api_key_env or "", "").strip()
        if not text:
            where = self.page.api_key_file or f"${self.page.api_key_env}"
            raise TransportError(f"{self.who}: no API key in {where}")
        return text


def _segment(value: str) -> str:
    return quote(value, safe="")
