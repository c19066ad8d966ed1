"""Keyset pages: the page size's bounds and the opaque cursor that names where a page ends."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from maintctl.domain import bounds
from maintctl.domain.errors import Problem, RuleViolation


@dataclass(frozen=True)
class Key:
    """Where a page of windows ended: windows sort by (start, id), both unique together."""

    start: datetime
    id: str


def page_size(limit: int | None) -> int:
    """The page size asked for, refused past the bounds rather than silently cut."""
    if limit is None:
        return bounds.PAGE_DEFAULT
    if 1 <= limit <= bounds.PAGE_MAX:
        return limit
    raise RuleViolation(
        [
            Problem(
                "limit",
                "page-size",
                f"{limit} is not a page size",
                f"ask for 1 to {bounds.PAGE_MAX} items and follow the next link for more",
            )
        ]
    )


def encode(key: Key) -> str:
    """An opaque cursor: clients pass it back, never build or read it."""
    raw = json.dumps([key.start.isoformat(), key.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Key:
    """The key a cursor names; anything this server did not make is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        start, id_ = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        when = datetime.fromisoformat(start)
        if not isinstance(id_, str) or when.tzinfo is None or len(id_) > bounds.TEXT_LIMITS["id"]:
            raise ValueError(cursor)
        if bounds.instant_problem("cursor", when) is not None:
            raise ValueError(cursor)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise RuleViolation(
            [
                Problem(
                    "cursor",
                    "bad-cursor",
                    "is not a cursor this server gave",
                    "follow the next link of the previous page as it is, or start again without it",
                )
            ]
        ) from None
    return Key(when, id_)
