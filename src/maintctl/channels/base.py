"""The transport interface, the message it sends, and the table of transports by kind.

Each kind's module loads only when a channel of that kind sends: Apprise and httpx are heavy,
and local commands that send nothing must not pay for them.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from maintctl.config import Channel, Config

# kind -> module holding its `Transport` subclass, named `TRANSPORT`
KINDS: dict[str, str] = {
    "apprise": "maintctl.channels.apprise",
    "email": "maintctl.channels.email",
    "webhook": "maintctl.channels.webhook",
}


class TransportError(Exception):
    """A send failed; `permanent` when trying again cannot help. The text holds no secret."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """One notice, rendered: what every transport needs to send it."""

    subject: str
    text: str
    html: str
    event: str
    window: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "event": self.event,
            "window": self.window,
        }


class Transport(ABC):
    """Sends messages to one channel; reads its secrets when it sends, never before."""

    def __init__(self, channel: Channel, config: Config) -> None:
        self.channel = channel
        self.config = config

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver `message`, or raise TransportError saying whether a retry can help."""

    def secret(self, path: str) -> str:
        """A secret from a file named in the config; its failure names the file, not the secret."""
        try:
            return self.config.path(path).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise TransportError(
                f"channel {self.channel.name}: the secret file {path} cannot be read"
            ) from None


def transport_for(channel: Channel, config: Config) -> Transport:
    """The transport that sends messages to `channel`; a kind that sends none is refused."""
    if channel.kind not in KINDS:  # hosted Statuspage sync is driven by its own jobs, not messages
        raise TransportError(f"channel {channel.name} ({channel.kind}) takes no messages", True)
    module = importlib.import_module(KINDS[channel.kind])
    cls: type[Transport] = module.TRANSPORT
    return cls(channel, config)
