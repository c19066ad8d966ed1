"""Generic webhooks: DESIGN.md's JSON body, HMAC signature and Idempotency-Key, over httpx."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading

import httpx

from maintctl.channels.base import Message, Transport, TransportError

TIMEOUT_S = 10.0
_RETRYABLE_4XX = (408, 429)  # timeout and rate limit: a later try may pass
_client: httpx.Client | None = None
_client_lock = threading.Lock()


def client() -> httpx.Client:
    """One client per process, shared by the worker's threads (httpx.Client is thread-safe): a
    new one per send costs ~25 ms of CPU building its TLS context, and reopens the connection."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(timeout=TIMEOUT_S)
        return _client


def sign(secret: str, body: bytes) -> str:
    """The X-Maintctl-Signature value: sha256=<hex HMAC-SHA256 of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookTransport(Transport):
    def send(self, message: Message) -> None:
        hook = self.channel.webhook
        assert hook is not None
        secret = self.secret(hook.secret_file) if hook.secret_file else self._env(hook.secret_env)
        body = json.dumps(message.as_dict(), separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Maintctl-Signature": sign(secret, body),
            "Idempotency-Key": message.idempotency_key,
        }
        name = self.channel.name
        try:
            answer = client().post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:  # the URL may hold a token: name the channel only
            raise TransportError(f"channel {name}: {type(exc).__name__}") from None
        code = answer.status_code
        if code < 300:
            return
        permanent = 400 <= code < 500 and code not in _RETRYABLE_4XX
        raise TransportError(f"channel {name}: the webhook answered {code}", permanent)

    def _env(self, variable: str | None) -> str:
        value = os.environ.get(variable or "", "")
        if not value:
            raise TransportError(f"channel {self.channel.name}: ${variable} is not set")
        return value


TRANSPORT = WebhookTransport
