"""What an alert-suppression provider does for one window's system, and its errors in plain words.

A provider's client makes a silence (or maintenance window), finds one again by the marker in
its comment (after a create whose answer was lost), moves its end, and ends it. Each call has a
bounded timeout and raises TransportError, whose text names no secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from maintctl.channels.base import TransportError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
ANSWER_CHARS = 200  # of a refusal's body, kept in the error


@dataclass(frozen=True)
class Wanted:
    """One silence: whose alerts, from when to when, and the marker that finds it again."""

    window_id: str
    system: str
    starts_at: datetime
    ends_at: datetime

    @property
    def marker(self) -> str:
        return f"maintctl window {self.window_id} system {self.system}"


class Provider(Protocol):
    name: str

    def create(self, wanted: Wanted) -> str: ...

    def find(self, wanted: Wanted) -> str | None: ...

    def extend(self, external_id: str, wanted: Wanted) -> str: ...

    def end(self, external_id: str) -> None: ...


def call(
    who: str,
    method: str,
    url: str,
    *,
    json: object = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """One HTTP call; a failure to talk at all as a retryable TransportError in plain words."""
    try:
        return httpx.request(
            method, url, json=json, headers=headers, params=params, timeout=TIMEOUT
        )
    except httpx.ConnectError as exc:
        said = "connection refused" if "refused" in str(exc).lower() else "cannot connect"
        raise TransportError(f"{who}: {said}") from None
    except httpx.TimeoutException:
        raise TransportError(f"{who}: no answer within {TIMEOUT.read:.0f} s") from None
    except httpx.HTTPError as exc:
        raise TransportError(f"{who}: {type(exc).__name__}") from None


def refused(who: str, answer: httpx.Response, method: str) -> TransportError:
    """A non-2xx answer as an error: retryable on 408, 429 and 5xx."""
    code = answer.status_code
    permanent = 400 <= code < 500 and code not in (408, 429)
    text = " ".join(answer.text.split())[:ANSWER_CHARS]
    return TransportError(f"{who} answered {code} to {method}: {text}".rstrip(": "), permanent)
