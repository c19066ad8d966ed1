"""Parsing and printing of instants, dates and durations. Everything is UTC inside."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from maintctl.domain.errors import Problem

_DURATION = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_DURATION_WHOLE = re.compile(r"^\s*(\d+\s*[wdhms]\s*)+$", re.IGNORECASE)
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


class TimeParseError(ValueError):
    """A typed time, date or duration that cannot be read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.line())
        self.problem = problem


def parse_instant(field: str, text: str) -> datetime:
    """Read an ISO 8601 instant that carries `Z` or an offset; return it in UTC."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise TimeParseError(
            Problem(
                field,
                "time-format",
                f"{text!r} is not an ISO 8601 time",
                "write it like 2024-12-29T02:00:00Z",
            )
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise TimeParseError(
            Problem(
                field,
                "time-zone-required",
                f"{text!r} has no time zone",
                f"add Z or an offset, e.g. {value}Z",
            )
        )
    return parsed.astimezone(UTC)


def parse_day(field: str, text: str) -> date:
    """Read a calendar date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise TimeParseError(
            Problem(field, "date-format", f"{text!r} is not a date", "write it like 2024-12-29")
        ) from None


def parse_after(field: str, text: str) -> datetime:
    """A lower bound: an instant with Z or an offset, or a date meaning its start in UTC."""
    if "T" not in text.strip().upper():
        return day_bounds(parse_day(field, text))[0]
    return parse_instant(field, text)


def parse_duration(field: str, text: str) -> timedelta:
    """Read a duration such as 90m, 2h, 1h30m or 7d."""
    if not _DURATION_WHOLE.match(text or ""):
        raise TimeParseError(
            Problem(
                field,
                "duration-format",
                f"{text!r} is not a duration",
                "write it like 30m, 2h, 1h30m or 7d",
            )
        )
    seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _DURATION.findall(text))
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Print a duration in the same units parse_duration reads, largest first."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0m"
    parts = []
    # Up to two days reads better in hours, as the runbook writes 24 and 48 hours.
    units = ("d", "h", "m", "s") if seconds >= 3 * 86400 else ("h", "m", "s")
    for unit in units:
        n, seconds = divmod(seconds, _UNITS[unit])
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


def format_instant(value: datetime) -> str:
    """Print an instant as UTC ISO 8601 with Z, to the second."""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def ceil_minute(value: datetime) -> datetime:
    """Round an instant up to the next whole minute (unchanged when already whole)."""
    whole = value.replace(second=0, microsecond=0)
    return whole if whole == value else whole + timedelta(minutes=1)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants that begin and end a calendar day."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)
