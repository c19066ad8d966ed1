"""Logging for `maintctl serve`: uvicorn's logs and ours, without the secrets a URL may carry."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

# Calendar apps can only subscribe by URL, so /calendar.ics may carry ?token=...; it must not
# reach the log, however its name or value is percent-encoded (?tok%65n=, %6D%63%74%5F...).
_QUERY = re.compile(r"\?([^\s\"]*)")
_TOKEN = re.compile(r"(?i)(token=)[^&\s\"]+")
_SECRET = re.compile(r"mct_[A-Za-z0-9_\-]+")  # the visible prefix of every maintctl token
_SECRET_NAMES = ("token", "secret", "password")
_DECODE_ROUNDS = 3  # enough for any double or triple encoding a client may send


def _decoded(text: str) -> str:
    for _ in range(_DECODE_ROUNDS):
        plain = unquote_plus(text)
        if plain == text:
            break
        text = plain
    return text


def _pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    plain_name, plain_value = _decoded(name).lower(), _decoded(value)
    if any(s in plain_name for s in _SECRET_NAMES) or _SECRET.search(plain_value):
        return f"{name}{sep}[redacted]"
    return pair


def _query(match: re.Match[str]) -> str:
    return "?" + "&".join(_pair(p) for p in match.group(1).split("&"))


def redact(text: str) -> str:
    """`text` with every token in a query string or in plain sight replaced by [redacted]."""
    text = _QUERY.sub(_query, text)
    return _SECRET.sub("mct_[redacted]", _TOKEN.sub(r"\1[redacted]", text))


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(str(record.msg))
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, the traceback and exception messages included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install() -> None:
    """Redact tokens in uvicorn's access and error logs, and send ours (error IDs with their
    tracebacks) to stderr beside them."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
    # httpx logs every request's full URL at INFO; a webhook's or a chat service's URL is often
    # the secret itself (Slack's incoming webhooks are), so only its warnings may reach a log.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ours = logging.getLogger("maintctl")
    if not any(isinstance(h.formatter, RedactingFormatter) for h in ours.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(RedactingFormatter("%(levelname)s:  %(name)s: %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)
