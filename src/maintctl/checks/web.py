"""One HTTP/1.1 request over h11, for the http and prometheus checks.

A check makes one request and closes: no pool, no redirects, no proxy. httpx's client costs
about 1.5 ms of CPU per request in set-up and pooling, which 500 checks at once turn into a
second of waiting; h11 (the HTTP/1.1 protocol library under httpx) with asyncio's streams costs
a fraction of that.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from maintctl.checks.base import CheckError
from maintctl.domain import bounds


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    body: bytes


class Unreachable(Exception):
    """The connection could not be made or broke before an answer: the target is down."""


@lru_cache(maxsize=16)
def tls_context(ca_file: str | None, verify: bool) -> ssl.SSLContext:
    """One context per CA for a whole run: building one costs milliseconds, 500 of them seconds."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_file)


async def fetch(
    url: str, method: str = "GET", ca_file: str | None = None, verify: bool = True
) -> Answer:
    """The answer to one request; Unreachable when there is none, CheckError when it is garbage."""
    import h11

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CheckError("the URL is not valid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckError("the URL must be http(s)://host/...")
    secure = parts.scheme == "https"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        reader, writer = await asyncio.open_connection(
            parts.hostname,
            port or (443 if secure else 80),
            ssl=tls_context(ca_file, verify) if secure else None,
        )
    except ssl.SSLCertVerificationError as exc:
        raise Unreachable(f"certificate not trusted: {exc.verify_message}") from None
    except (OSError, ssl.SSLError) as exc:
        raise Unreachable(
            getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        ) from None
    try:
        return await _exchange(
            h11.Connection(h11.CLIENT), reader, writer, parts.netloc, method, target
        )
    except h11.RemoteProtocolError as exc:
        raise CheckError(f"the answer is not HTTP ({exc})") from None
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        raise Unreachable(f"the connection broke ({type(exc).__name__})") from None
    finally:
        writer.close()


async def _exchange(
    conn: object,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    method: str,
    target: str,
) -> Answer:
    import h11

    assert isinstance(conn, h11.Connection)
    user, _, host = host.rpartition("@")  # a URL's user and password are never the Host
    headers = [
        ("Host", host),
        ("User-Agent", "maintctl"),
        ("Connection", "close"),
        ("Accept", "*/*"),
    ]
    if user:
        # Basic auth from a URL read from url_file or url_env (an inline one holds no password).
        name, _, password = user.partition(":")
        pair = f"{unquote(name)}:{unquote(password)}".encode()
        headers.append(("Authorization", "Basic " + base64.b64encode(pair).decode()))
    request = h11.Request(method=method, target=target, headers=headers)
    writer.write(conn.send(request) + conn.send(h11.EndOfMessage()))
    status, reason, body = 0, "", bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(65_536)
            conn.receive_data(data)
            continue
        if isinstance(event, h11.Response):
            status, reason = event.status_code, event.reason.decode("latin-1")
        elif isinstance(event, h11.Data):
            if len(body) < bounds.CHECK_READ_MAX_BYTES:
                body += event.data[: bounds.CHECK_READ_MAX_BYTES - len(body)]
            else:
                break  # enough read: the rest is not our business
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            break
    if not status:
        raise CheckError("the server closed the connection without an answer")
    return Answer(status, reason, bytes(body))
