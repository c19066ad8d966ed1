"""The `notify.send` job: deliver one rendered message to one configured channel, durably.

The payload names the channel and carries the message; secrets stay in the config's files
and the environment, so neither the payload nor the result ever holds one.
"""

from __future__ import annotations

from typing import Any

from maintctl.services import jobs
from maintctl.services.deps import Deps

SEND_KIND = "notify.send"


def send_job(deps: Deps, payload: dict[str, Any]) -> str:
    """Send payload["message"] to the channel payload["channel"] names; the outcome, no secret."""
    from maintctl.channels.base import Message, TransportError, transport_for

    name = payload.get("channel")
    channel = deps.config.channel(name) if isinstance(name, str) else None
    if channel is None:
        raise jobs.JobError(f"no channel named {name!r} in the config", permanent=True)
    body = payload.get("message")
    if not isinstance(body, dict):
        raise jobs.JobError("the payload has no message", permanent=True)
    try:
        message = Message(
            subject=str(body["subject"]),
            text=str(body["text"]),
            html=str(body.get("html") or ""),
            event=str(body["event"]),
            window=dict(body.get("window") or {}),
            idempotency_key=jobs.current_key(),
        )
    except (KeyError, TypeError, ValueError):
        raise jobs.JobError("the payload's message is malformed", permanent=True) from None
    try:
        transport_for(channel, deps.config).send(message)
    except TransportError as exc:
        raise jobs.JobError(str(exc), permanent=exc.permanent) from None
    return f"sent to {channel.name}"


def plan_send(deps: Deps, channel: str, message: dict[str, Any], key: str) -> bool:
    """Queue a message for a channel now; False when the key was queued already."""
    payload = {"channel": channel, "message": message}
    return jobs.enqueue(deps, SEND_KIND, payload, deps.clock(), key)


def channel_concurrency(deps: Deps, name: str) -> int:
    """Sends to one channel a worker makes at once (its lane's limit)."""
    channel = deps.config.channel(name)
    return channel.concurrency if channel else 1


jobs.register(SEND_KIND, send_job, jobs.Lane("channel", channel_concurrency))
