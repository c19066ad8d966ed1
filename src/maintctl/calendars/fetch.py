"""Download one feed: a conditional GET, streamed and cut off at bounds.FEED_MAX_BYTES."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from maintctl.domain import bounds

if TYPE_CHECKING:
    import httpx


class FetchError(Exception):
    """The feed could not be downloaded; the message names the URL without its secrets."""


@dataclass(frozen=True)
class Fetched:
    """A new body with its validators, or `body` None when the server answered 304."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    max_bytes: int | None = None,
) -> Fetched:
    """GET url, sending the validators we hold; raise FetchError naming what went wrong."""
    limit = bounds.FEED_MAX_BYTES if max_bytes is None else max_bytes
    headers = {"Accept": "text/calendar"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    import httpx  # here: `calendars status` reads safe_url and never fetches

    where = safe_url(url)
    # `from None` throughout: httpx errors carry the request, whose URL may hold credentials.
    try:
        with httpx.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=timeout
        ) as response:
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if not response.is_success:
                raise FetchError(f"{where} answered HTTP {response.status_code}")
            body = _read(response, limit, where)
            return Fetched(
                body,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
                response.headers.get("content-type", "none"),
            )
    except httpx.TimeoutException:
        raise FetchError(f"{where} did not answer within {timeout:g}s") from None
    except httpx.ConnectError:
        raise FetchError(f"cannot connect to {where}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"request to {where} failed ({type(exc).__name__})") from None


def _read(response: httpx.Response, max_bytes: int, where: str) -> bytes:
    # Content-Length may be absent or false, so count what actually arrives.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{where} sent more than {max_bytes} bytes, the most a feed may be")
        chunks.append(chunk)
    return b"".join(chunks)


def safe_url(url: str) -> str:
    """The URL without user, password, query or fragment, where tokens usually hide."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
