"""The team's rules as data: maintenance types, allowed windows, freezes and calendar notes."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from maintctl.domain import bounds
from maintctl.domain.checklists import NAME as CHECKLIST_NAME
from maintctl.domain.checklists import Item as ChecklistItem
from maintctl.domain.times import TimeParseError, format_duration, parse_duration

APPROVER_ROLES = ("team-lead", "engineering-manager", "vp-engineering", "cto")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ANNUAL = re.compile(r"^(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_MONTHS = tuple(calendar.month_name)


def _duration(value: object) -> object:
    # A bare number would be read as seconds by pydantic: refuse it rather than guess the unit.
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration; write it like 30m, 2h, 1h30m or 7d")
    try:
        return parse_duration("duration", value)
    except TimeParseError as exc:
        raise ValueError(exc.problem.message + "; " + exc.problem.fix) from None
    except OverflowError:
        raise ValueError(f"{value!r} is longer than any duration maintctl keeps") from None


def _bounded(value: timedelta) -> timedelta:
    # No policy lifts the hard cap on a window's length (bounds.MAX_WINDOW).
    if value < timedelta(0):
        raise ValueError("a duration cannot be negative")
    if value > bounds.MAX_WINDOW:
        raise ValueError(
            f"{format_duration(value)} is longer than {bounds.MAX_WINDOW.days} days, "
            "the longest any window may be (or need notice for)"
        )
    return value


def _time_of_day(hour: int, minute: int) -> str | None:
    """Why HH:MM is not a time of day, or None."""
    if hour <= 23 and minute <= 59:
        return None
    return (
        f"{hour:02d}:{minute:02d} is not a time of day; write 00:00 to 23:59 "
        "(midnight at the end of a day is 00:00 of the next)"
    )


def _clock(value: object) -> object:
    # The config is read with base-60 numbers kept as typed text, so an unquoted 99:30 arrives
    # here as "99:30" and is refused, never folded into 03:30 as YAML 1.1 would.
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not (m := _CLOCK.match(value)):
        raise ValueError(f'{value!r} is not a clock time; write it as "HH:MM", e.g. "02:00"')
    hour, minute = int(m.group(1)), int(m.group(2))
    wrong = _time_of_day(hour, minute)
    if wrong:
        raise ValueError(f"{value!r}: {wrong}")
    return time(hour, minute)


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone; use a name like UTC or Europe/Berlin"
        ) from None
    return value


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    AfterValidator(_bounded),
    PlainSerializer(format_duration, when_used="json"),
]
Clock = Annotated[
    time, BeforeValidator(_clock), PlainSerializer(lambda t: t.strftime("%H:%M"), when_used="json")
]
IanaZone = Annotated[str, AfterValidator(_zone)]


class PolicyFieldError(ValueError):
    """A rule across several fields is broken; `path` (below the model) names the field to fix."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class PolicyReferenceError(PolicyFieldError):
    """One part of the policy names another that does not exist; `path` says where."""


def annual_problem(value: str) -> str | None:
    """Why an annual date MM-DD [HH:MM] names no moment of the year, or None."""
    month, day, hour, minute = annual_parts(value)
    if not 1 <= month <= 12:
        return f"{value!r}: there is no month {month:02d}; months are 01 to 12"
    # 29 February counts: in a year without it, the moment is 1 March at the same time.
    days = calendar.monthrange(2000, month)[1]
    if not 1 <= day <= days:
        return f"{value!r}: {_MONTHS[month]} has days 01 to {days}"
    wrong = _time_of_day(hour, minute)
    return f"{value!r}: {wrong}" if wrong else None


def annual_parts(value: str) -> tuple[int, int, int, int]:
    """Month, day, hour and minute of MM-DD [HH:MM]; call only on text `_ANNUAL` matches."""
    m = _ANNUAL.match(value)
    if m is None:
        raise ValueError(f"{value!r} is not MM-DD HH:MM")
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AllowedWindow(_Strict):
    """A recurring wall-clock window, e.g. Sundays 02:00-06:00 Europe/Berlin."""

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]
    start: Clock
    end: Clock
    nth: Literal[1, 2, 3, 4, 5, -1] | None = Field(
        default=None, description="only the nth such weekday of the month (-1: the last)"
    )
    zone: IanaZone = "UTC"
    description: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


# The timeline's parts, in the order a window goes through them; `optional` names some of them.
TimelinePart = Literal["initial", "reminders", "start", "completion"]
# Every class of notice an audience may hear (a reminder's kind is reminder-<offset>, e.g.
# reminder-24h; a rescheduled notice's is rescheduled-<n>): the timeline's, the life cycle's
# progress updates and overdue alert, and the notices for audiences already told of a window.
NoticeClass = Literal[
    "initial", "reminder", "start", "progress", "completion", "overdue", "rescheduled", "cancelled"
]
ChannelKind = Literal["chat", "email", "status-page", "webhook"]
NOTICE_CLASSES: tuple[str, ...] = get_args(NoticeClass)
CHANNEL_KINDS: tuple[str, ...] = get_args(ChannelKind)
_AUDIENCE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def _repeats(values: list[Any]) -> list[Any]:
    """The values that occur more than once, each once, in first-seen order."""
    seen: list[Any] = []
    out: list[Any] = []
    for value in values:
        if value in seen and value not in out:
            out.append(value)
        seen.append(value)
    return out


def _once_each(value: list[str]) -> list[str]:
    repeated = _repeats(value)
    if repeated:
        raise ValueError(f"{', '.join(repeated)} is listed more than once; list each once")
    return value


class Notifications(_Strict):
    """A type's notification timeline (the runbook's Notification Timeline row)."""

    initial: Duration | None = Field(
        default=None, description="how long before the start the initial notice is due; null: none"
    )
    reminders: list[Duration] = Field(
        default_factory=list, description="how long before the start each reminder is due"
    )
    start: bool = Field(default=True, description="a notice when the window actually starts")
    completion: bool = Field(default=True, description="a notice when it actually completes")
    optional: list[TimelinePart] = Field(
        default_factory=list, description="parts only audiences with optional: true hear"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Notifications:
        # Reminders are written longest first, each strictly shorter than the initial notice, so
        # the policy's order is the order they fall due and no two share a time or a kind.
        for i, offset in enumerate(self.reminders):
            if offset <= timedelta(0):
                raise PolicyFieldError(
                    ("reminders", i),
                    "a reminder 0m before the start is the start notice; use start: true",
                )
            if self.initial is not None and offset >= self.initial:
                raise PolicyFieldError(
                    ("reminders", i),
                    f"reminder {format_duration(offset)} is not shorter than the initial notice "
                    f"{format_duration(self.initial)}; a reminder comes after the initial notice",
                )
            if i and offset >= self.reminders[i - 1]:
                what = "repeats" if offset == self.reminders[i - 1] else "is longer than"
                raise PolicyFieldError(
                    ("reminders", i),
                    f"reminder {format_duration(offset)} {what} the one before it; list "
                    "reminders once each, longest first",
                )
        repeated = _repeats(list(self.optional))
        if repeated:
            raise PolicyFieldError(("optional",), f"optional repeats {', '.join(repeated)}")
        absent = [part for part in self.optional if not self._has(part)]
        if absent:
            raise PolicyFieldError(
                ("optional",),
                f"optional names {', '.join(absent)}, which this timeline does not have; "
                "remove it or add it to the timeline",
            )
        return self

    def _has(self, part: str) -> bool:
        if part == "initial":
            return self.initial is not None
        if part == "reminders":
            return bool(self.reminders)
        return bool(getattr(self, part))


class Audience(_Strict):
    """Who hears which notices, by which kinds of channel (the runbook's Communication Channels)."""

    description: str = ""
    # Lists, not a mapping, so that an override replaces them (mappings merge, lists replace).
    channels: list[ChannelKind] = Field(description="the kinds of channel it is told by")
    manual: list[ChannelKind] = Field(
        default_factory=list, description="those of its channels where a person sends a draft"
    )
    notices: list[NoticeClass] = Field(default_factory=list)
    optional: bool = Field(default=False, description="also hears a timeline's optional parts")

    @field_validator("channels")
    @classmethod
    def _some_channel(cls, value: list[str]) -> list[str]:
        if not value:
            kinds = ", ".join(CHANNEL_KINDS)
            raise ValueError(f"an audience needs at least one kind of channel: {kinds}")
        return _once_each(value)

    @field_validator("manual")
    @classmethod
    def _manual_once(cls, value: list[str]) -> list[str]:
        return _once_each(value)

    @model_validator(mode="after")
    def _manual_is_a_channel(self) -> Audience:
        stray = [kind for kind in self.manual if kind not in self.channels]
        if stray:
            raise PolicyFieldError(
                ("manual",),
                f"manual names {', '.join(stray)}, not one of its channels "
                f"({', '.join(self.channels)}); add it to channels or remove it",
            )
        return self

    def is_manual(self, kind: str) -> bool:
        """Whether a channel of this kind needs a person to send (a channel may say otherwise)."""
        return kind in self.manual

    @field_validator("notices")
    @classmethod
    def _notices_once(cls, value: list[str]) -> list[str]:
        return _once_each(value)


class MaintenanceType(_Strict):
    """One maintenance type: how long it may last, how much notice, who signs, when it may run."""

    description: str = ""
    customer_impact: str = ""
    max_duration: Duration | None = None
    notice: Duration = timedelta(0)
    approvals: list[str] = Field(default_factory=list)
    windows: list[str] | Literal["any"] = "any"
    customer_impacting: bool = True
    ignores_freezes: bool = False
    sla_credits: str = "none"  # display text; `sla` is what the SLA report reads
    sla: Literal["excluded", "counted", "per-agreement"] = Field(
        default="excluded",
        description="whether its time counts against the SLA (domain/sla.py; overruns always do)",
    )
    notifications: Notifications = Field(default_factory=Notifications)

    @field_validator("approvals")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in APPROVER_ROLES]
        if unknown:
            raise ValueError(
                f"unknown approver role {', '.join(unknown)}; use {', '.join(APPROVER_ROLES)}"
            )
        return value


class Freeze(_Strict):
    """A period when only exempt types may run: every year (MM-DD HH:MM) or once (instants)."""

    name: str
    start: str = Field(alias="from")
    end: str = Field(alias="until")
    zone: IanaZone = "UTC"
    description: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("start", "end")
    @classmethod
    def _form(cls, value: str) -> str:
        if _ANNUAL.match(value):
            wrong = annual_problem(value)
            if wrong:
                raise ValueError(wrong)
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is neither MM-DD HH:MM (every year) nor an instant with Z"
            ) from None
        if moment.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; add Z or an offset")
        out_of_range = bounds.instant_problem("freeze", moment)
        if out_of_range:
            raise ValueError(f"{value!r}: {out_of_range.message}")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Freeze:
        # Both ends every year, or both instants: a mix has no meaning, so it is refused here
        # rather than guessed at (or tripped over) wherever the freeze is used.
        if bool(_ANNUAL.match(self.start)) != bool(_ANNUAL.match(self.end)):
            every_year = self.start if _ANNUAL.match(self.start) else self.end
            raise PolicyFieldError(
                ("until",),
                f"one end is every year ({every_year!r}) and the other an instant; write both "
                "as MM-DD HH:MM (every year) or both as instants with Z (once)",
            )
        if not self.annual and self.instant(self.end) <= self.instant(self.start):
            raise PolicyFieldError(
                ("until",),
                f"{self.end!r} is not after the freeze's start {self.start!r}; "
                "give an end later than the start",
            )
        return self

    @property
    def annual(self) -> bool:
        return bool(_ANNUAL.match(self.start))

    def annual_parts(self, value: str) -> tuple[int, int, int, int]:
        return annual_parts(value)

    def instant(self, value: str) -> datetime:
        return datetime.fromisoformat(value).astimezone(UTC)


class CalendarNote(_Strict):
    """An informational calendar entry: week N of some months (the runbook's patching weeks)."""

    name: str
    title: str = ""
    week: Literal[1, 2, 3, 4, 5]
    months: list[int] = Field(default_factory=lambda: list(range(1, 13)))

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(m < 1 or m > 12 for m in value):
            raise ValueError("months are numbers from 1 to 12")
        return value

    def days(self, year: int, month: int) -> tuple[date, date] | None:
        """First and last day of this note's week in a month, or None when it does not apply."""
        if month not in self.months:
            return None
        length = calendar.monthrange(year, month)[1]
        first_day = 7 * (self.week - 1) + 1
        if first_day > length:
            return None
        return date(year, month, first_day), date(year, month, min(first_day + 6, length))


class Execution(_Strict):
    """The worker's timers during a window (it reminds and alerts; only people move a window)."""

    progress_reminder: Duration = Field(
        default=timedelta(minutes=30),
        description="a window in progress this long without an update reminds its lead, once",
    )
    overdue_grace: Duration = Field(
        default=timedelta(0),
        description="a window still in progress this long past its end alerts engineering, once",
    )

    @field_validator("progress_reminder")
    @classmethod
    def _some_silence(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("progress_reminder must be at least 1m")
        return value


class Policy(_Strict):
    """The whole effective policy."""

    types: dict[str, MaintenanceType]
    windows: dict[str, AllowedWindow] = Field(default_factory=dict)
    freezes: list[Freeze] = Field(default_factory=list)
    notes: list[CalendarNote] = Field(default_factory=list)
    audiences: dict[str, Audience] = Field(default_factory=dict)
    execution: Execution = Field(default_factory=Execution)
    # Checklists by name (`precheck`, and the review's post-maintenance lists): items `list.item`.
    checklists: dict[str, list[ChecklistItem]] = Field(default_factory=dict)
    # A post-maintenance list's deadline after the window's completion (its actual end); a list
    # named here is a post list: its items are due then and acknowledged only after the work.
    checklist_due: dict[str, Duration] = Field(default_factory=dict)

    @field_validator("checklists")
    @classmethod
    def _checklist_names(
        cls, value: dict[str, list[ChecklistItem]]
    ) -> dict[str, list[ChecklistItem]]:
        for name, items in value.items():
            if not CHECKLIST_NAME.match(name):
                raise PolicyFieldError(
                    (name,), f"checklist name {name!r} is not lower-case letters, digits, dashes"
                )
            if _repeats([i.item for i in items]):
                twice = _repeats([i.item for i in items])[0]
                raise PolicyFieldError((name,), f"item {twice!r} is listed twice")
        return value

    @model_validator(mode="after")
    def _due_lists_exist(self) -> Policy:
        for name in self.checklist_due:
            if name not in self.checklists:
                raise PolicyFieldError(
                    ("checklist_due", name), f"{name!r} is not a checklist under checklists:"
                )
        return self

    @field_validator("audiences")
    @classmethod
    def _audience_names(cls, value: dict[str, Audience]) -> dict[str, Audience]:
        wrong = [name for name in value if not _AUDIENCE_NAME.match(name)]
        if wrong:
            raise PolicyFieldError(
                (wrong[0],),
                f"audience name {wrong[0]!r} is not 1 to 64 lower-case letters, digits and "
                "dashes starting with a letter, e.g. customers-all",
            )
        return value

    @model_validator(mode="after")
    def _windows_exist(self) -> Policy:
        for name, rule in self.types.items():
            if rule.windows == "any":
                continue
            missing = [w for w in rule.windows if w not in self.windows]
            if missing:
                raise PolicyReferenceError(
                    ("types", name, "windows"),
                    f"unknown window {', '.join(missing)}; define it under windows or use "
                    f"one of {', '.join(self.windows) or 'none'}",
                )
        return self

    def type_names(self) -> list[str]:
        return list(self.types)

    def as_json(self) -> dict[str, Any]:
        """The policy as plain data, in the same form the YAML file takes."""
        return self.model_dump(mode="json", by_alias=True)
