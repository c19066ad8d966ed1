"""Logging for `maintctl serve`: uvicorn's access log without the secrets a URL may carry."""

from __future__ import annotations

import logging
import re

# Calendar apps can only subscribe by URL, so /calendar.ics may carry ?token=...; it must not
# reach the log.
_TOKEN = re.compile(r"(?i)(token=)[^&\s\"]+")


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(str(record.msg))
        return True


def install() -> None:
    """Redact tokens in uvicorn's access and error logs."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
