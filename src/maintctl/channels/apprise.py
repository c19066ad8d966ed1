"""Chat and push services through the Apprise library, one URL per channel.

Apprise is heavy, so it is imported inside the functions here and nowhere else.
"""

from __future__ import annotations

import logging
from types import ModuleType

from maintctl.channels.base import Message, Transport, TransportError


def _apprise() -> ModuleType:
    import apprise

    # Apprise logs the URLs it parses and posts to (an unparsable one at ERROR), and urllib3 each
    # request's path at DEBUG; a URL holds the service's tokens. Failures are ours to say.
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return apprise


def parses(url: str) -> bool:
    """Whether Apprise knows this URL's service and form (checked by `policy check`)."""
    apprise = _apprise()
    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


class AppriseTransport(Transport):
    def send(self, message: Message) -> None:
        apprise = _apprise()
        name = self.channel.name
        url = self.channel.url or self.secret(self.channel.url_file or "")
        target = apprise.Apprise()
        if not target.add(url):  # the URL never appears in the error: it holds tokens
            raise TransportError(f"channel {name}: Apprise cannot parse its URL", permanent=True)
        # Chat gets the plain text: it is written for it; HTML goes to email only.
        if not target.notify(body=message.text, title=message.subject):
            raise TransportError(f"channel {name}: Apprise could not deliver the message")


TRANSPORT = AppriseTransport
