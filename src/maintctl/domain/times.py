"""Parsing and printing of instants, dates and durations. Everything is UTC inside."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from maintctl.domain import bounds
from maintctl.domain.errors import Problem

_DURATION = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_DURATION_WHOLE = re.compile(r"^\s*(\d+\s*[wdhms]\s*)+$", re.IGNORECASE)
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


class TimeParseError(ValueError):
    """A typed time, date or duration that cannot be read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.line())
        self.problem = problem


# The one grammar of a typed instant (`--start`, `--end`, `--after`, API fields): a date, `T`, `t`
# or a space, HH:MM with optional seconds and fraction, and `Z` or an offset. fromisoformat alone
# takes any character as the separator and forms the CLI never documented.
_INSTANT = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})?$"
)
_EXAMPLE = "2024-12-29T02:00:00Z"
# A duration typed with more digits than this is far past MAX_WINDOW whatever its unit; reading it
# as an int would only cost time (and Python refuses ints of over 4300 digits).
_DURATION_DIGITS = 12
_DURATION_CHARS = 64


def _format_problem(field: str, text: str, fix: str = f"write it like {_EXAMPLE}") -> Problem:
    return Problem(field, "time-format", f"{text!r} is not an ISO 8601 time", fix)


def _range_problem(field: str, text: str) -> Problem:
    return Problem(
        field,
        "time-range",
        f"{text!r} is outside the years {bounds.EARLIEST.year} to {bounds.LATEST.year - 1}",
        f"give a time between {bounds.EARLIEST.year} and {bounds.LATEST.year - 1}",
    )


def _zone(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_instant(field: str, text: str) -> datetime:
    """Read an instant in the one grammar; return it in UTC, whole seconds, within bounds."""
    value = text.strip()
    m = _INSTANT.match(value)
    if m is None:
        raise TimeParseError(_format_problem(field, text))
    day, zone = m["date"], m["zone"]
    if m["h"] is None:
        # A date alone is not an instant; the fix names the day's start, which itself parses.
        fix = f"{day}T00:00:00{zone or 'Z'}"
        rule = "time-format" if zone else "time-zone-required"
        message = f"{text!r} is a date without a time" + ("" if zone else " or time zone")
        raise TimeParseError(Problem(field, rule, message, f"write it like {fix}"))
    if zone is None:
        raise TimeParseError(
            Problem(
                field,
                "time-zone-required",
                f"{text!r} has no time zone",
                f"add Z or an offset, e.g. {value}Z",
            )
        )
    try:
        year, month, mday = (int(part) for part in day.split("-"))
        local = datetime(
            year,
            month,
            mday,
            int(m["h"]),
            int(m["m"]),
            int(m["s"] or 0),
            tzinfo=_zone(zone),
        )
    except ValueError:
        raise TimeParseError(_format_problem(field, text)) from None
    try:
        parsed = local.astimezone(UTC)
    except OverflowError:
        raise TimeParseError(_range_problem(field, text)) from None
    problem = bounds.instant_problem(field, parsed)
    if problem is not None:
        raise TimeParseError(problem)
    return parsed


def parse_day(field: str, text: str) -> date:
    """Read a calendar date, YYYY-MM-DD, within the years maintctl works with."""
    value = text.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise TimeParseError(
            Problem(field, "date-format", f"{text!r} is not a date", "write it like 2024-12-29")
        ) from None
    if not bounds.EARLIEST.date() <= day < bounds.LATEST.date():
        raise TimeParseError(_range_problem(field, text))
    return day


def parse_after(field: str, text: str) -> datetime:
    """A lower bound: an instant in the one grammar, or a plain date meaning its start in UTC."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return day_bounds(parse_day(field, text))[0]
    return parse_instant(field, text)


def parse_duration(field: str, text: str) -> timedelta:
    """Read a duration such as 90m, 2h, 1h30m or 7d; at most bounds.MAX_WINDOW."""
    value = text or ""
    if len(value) > _DURATION_CHARS or not _DURATION_WHOLE.match(value):
        raise TimeParseError(
            Problem(
                field,
                "duration-format",
                f"{text[:_DURATION_CHARS]!r} is not a duration",
                "write it like 30m, 2h, 1h30m or 7d",
            )
        )
    parts = _DURATION.findall(value)
    if any(len(n.lstrip("0")) > _DURATION_DIGITS for n, _ in parts):
        raise TimeParseError(_too_long(field))
    seconds = sum(int(n) * _UNITS[u.lower()] for n, u in parts)
    if seconds > bounds.MAX_WINDOW.total_seconds():
        raise TimeParseError(_too_long(field))
    return timedelta(seconds=seconds)


def _too_long(field: str) -> Problem:
    problem = bounds.window_length_problem(field, bounds.MAX_WINDOW + timedelta(seconds=1))
    assert problem is not None
    return problem


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
