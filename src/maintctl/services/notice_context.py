"""What a notice template sees: the names docs/templates.md lists, built from a window.

Customer-facing audiences get public fields only (domain/public.py): the public title and
message, the times shown and component names; `internal` is None for them. Times are UTC,
worded as the runbook writes them ("Sunday, 2024-12-29", "02:00 - 04:00 UTC", "2 hours").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from maintctl.domain import public
from maintctl.domain.model import Pace, ProgressUpdate, Status, Window
from maintctl.domain.times import TimeParseError, parse_duration

if TYPE_CHECKING:
    from maintctl.config import Config
    from maintctl.services.render import Notice

INTERNAL = frozenset({"internal-engineering", "internal-all"})
# What a message to one person may say (docs/templates.md), from the Notice's extra.
_PERSON_KEYS = (
    *("role", "by", "reason", "last_update", "quiet"),
    *("checklist", "missing", "due"),  # checklist-overdue
    *("action", "what"),  # action-overdue (and its due)
)
PERSON = "person"  # the audience of a message to one account (signature waiting, approved...)


def is_internal(audience: str) -> bool:
    """Internal audiences may see the window's ID, type, systems and description."""
    return audience in INTERNAL or audience.startswith("internal-") or audience == PERSON


def product_name(config: Config) -> str:
    """The runbook's "AgentOS": `product:` in the config, or the status page's title less
    a trailing "Status" ("Example Status" gives "Example"), or "our service"."""
    return config.product or _from_title(config) or "our service"


def _from_title(config: Config) -> str:
    return re.sub(r"\s*\bstatus\s*$", "", config.status_page.title, flags=re.IGNORECASE).strip()


def notice_context(config: Config, notice: Notice) -> dict[str, Any]:
    """The names a template sees; customer audiences get public fields only (`internal` None)."""
    window = notice.window
    rule = config.policy.types.get(window.spec.type)
    start, end = public.shown_times(window)
    began = window.actual_start or start
    ended = window.actual_end or end
    internal = is_internal(notice.audience)
    components = public.components_of(config.components, window.spec.systems)
    extra = notice.extra
    context: dict[str, Any] = {
        "product": product_name(config),
        "signature": f"The {config.product or _from_title(config) or 'Maintenance'} Team",
        "status_url": config.status_page.url or "",
        "kind": notice.kind,
        "audience": notice.audience,
        "title": public.title(window),
        "message": public.message(window, rule),
        "impact": rule.customer_impact if rule and rule.customer_impact else "",
        "components": [c.name for c in components],
        "emergency": window.spec.type == public.EMERGENCY,
        "cancelled": window.status == Status.CANCELLED,
        **_span("", start, end),
        **_span("actual_", began, ended),
        "reminder": _reminder(notice.kind),
        "previous": None,
        "update": None,
        "public_reason": str(extra.get("public_reason") or ""),
        "internal": None,
        "person": None,
    }
    old_start, old_end = _instant(extra.get("previous_start")), _instant(extra.get("previous_end"))
    if old_start and old_end:
        context["previous"] = _span("", old_start, old_end)
    if notice.update is not None:
        context["update"] = _update(notice.update, internal)
    if internal:
        context["internal"] = _internal(window)
    if notice.audience == PERSON:
        context["person"] = {key: _text(extra.get(key)) for key in _PERSON_KEYS}
        context["person"]["quiet"] = context["person"]["quiet"] or "30 minutes"
    return context


def _span(prefix: str, start: datetime, end: datetime) -> dict[str, str]:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    times = f"{start:%H:%M} - {end:%H:%M} UTC"
    if end.date() != start.date():
        times += f" (ends {_day(end)})"
    return {
        f"{prefix}date": _day(start),
        f"{prefix}day": f"{start:%Y-%m-%d}",
        f"{prefix}start_time": f"{start:%H:%M}",
        f"{prefix}end_time": f"{end:%H:%M}",
        f"{prefix}times": times,
        f"{prefix}duration": human_duration(end - start),
    }


def _day(value: datetime) -> str:
    return f"{value.astimezone(UTC):%A, %Y-%m-%d}"


def human_duration(value: timedelta) -> str:
    """A duration as the runbook words it: "2 hours", "1 hour 30 minutes", "3 days"."""
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return "less than a minute" if seconds else "0 minutes"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {unit}{'' if n == 1 else 's'}")
    return " ".join(parts)


def reminder_offset(kind: str) -> timedelta | None:
    try:
        offset = parse_duration("kind", kind.removeprefix("reminder-"))
    except TimeParseError:
        return None
    return offset if offset > timedelta(0) else None


def _reminder(kind: str) -> dict[str, Any] | None:
    offset = reminder_offset(kind) if kind.startswith("reminder-") else None
    if offset is None:
        return None
    suffix = kind.removeprefix("reminder-")
    if suffix.endswith("d") and suffix[:-1].isdigit():
        words = human_duration(offset)  # 3d reads "3 days", as the policy wrote it
    else:  # 24h and 48h stay in hours, as the runbook writes them
        hours, rest = divmod(int(offset.total_seconds()), 3600)
        words = f"{hours} hour{'' if hours == 1 else 's'}" if not rest else human_duration(offset)
    return {
        "offset": words,
        "in_words": f"in {words}",
        "tomorrow": offset == timedelta(hours=24),
    }


def _update(update: ProgressUpdate, internal: bool) -> dict[str, Any]:
    return {
        "at": f"{update.at.astimezone(UTC):%H:%M}",
        "step": update.step,
        "of": update.of,
        "status": "On Track" if update.status == Pace.ON_TRACK else "Delayed",
        "eta": f"{update.eta.astimezone(UTC):%H:%M} UTC" if update.eta else "",
        "public": update.public or "",
        # The task is the operator's own words: for engineers, not customers.
        "task": update.task if internal else "",
        "by": update.by if internal else "",
    }


def _internal(window: Window) -> dict[str, Any]:
    spec = window.spec
    return {
        "id": window.id,
        "type": spec.type,
        "status": str(window.status),
        "systems": list(spec.systems),
        "description": spec.description,
        "impact": spec.impact,
        "risk": str(spec.risk),
        "owner": spec.owner,
        "requested_by": window.requested_by,
        "lead": window.lead or "",
        "cancel_reason": window.cancel_reason or "",
    }


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return "" if value is None else str(value)
