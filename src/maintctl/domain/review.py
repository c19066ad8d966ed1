"""The runbook's Maintenance Review: its Success Metrics computed, its form, and closing.

Pure: the service hands in what the records say (notices' due and sent times, the final
validation run's tally, the emergencies found); nothing here reads a clock or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.domain.model import Status
from maintctl.domain.public import EMERGENCY as EMERGENCY  # the type the incidents count
from maintctl.domain.times import day_bounds, format_duration, parse_day, parse_instant

# A notice is on time when sent no later than this after its due time: the worker sends a due
# notice on its next poll, a few seconds late. A notice sent 3 minutes late is late. One bound,
# shared with `maintctl stats`.
ON_TIME_GRACE = bounds.NOTICE_ON_TIME_GRACE
# The audiences whose notices the Customer Notifications metric counts: customers-all, ...
CUSTOMER_PREFIX = "customers"
CLOSABLE = frozenset({Status.COMPLETED, Status.ROLLED_BACK})
MET, MISSED, NO_DATA = "Met", "Missed", "No data"


@dataclass(frozen=True)
class Metric:
    """One row of the Success Metrics table; `value` holds the numbers behind it."""

    name: str
    target: str
    actual: str
    status: str
    value: dict[str, object] = field(default_factory=dict)


def percent(part: int, whole: int) -> float:
    """part of whole in percent, to one decimal (3 of 4: 75.0; 7 of 8: 87.5)."""
    return round(100 * part / whole, 1)


def percent_text(value: float) -> str:
    return f"{value:g}%"


def duration_metric(planned: timedelta, actual: timedelta, overrun: timedelta) -> Metric:
    """Met when the work ended by the scheduled end; else Exceeded by the overrun."""
    status = MET if overrun <= timedelta(0) else f"Exceeded by {format_duration(overrun)}"
    numbers: dict[str, object] = {
        "planned_s": int(planned.total_seconds()),
        "actual_s": int(actual.total_seconds()),
        "overrun_s": int(overrun.total_seconds()),
    }
    return Metric("Duration", format_duration(planned), format_duration(actual), status, numbers)


@dataclass(frozen=True)
class NoticeRecord:
    """A planned notice as the review sees it: to whom, when due, when sent (None: never)."""

    audience: str
    due_at: datetime
    sent_at: datetime | None


def on_time(notice: NoticeRecord) -> bool:
    """Sent, and no later than ON_TIME_GRACE past its due time."""
    return notice.sent_at is not None and notice.sent_at <= notice.due_at + ON_TIME_GRACE


def notices_metric(notices: Iterable[NoticeRecord]) -> Metric:
    """The share of planned customer notices sent on time; No data when none was planned."""
    planned = [n for n in notices if n.audience.startswith(CUSTOMER_PREFIX)]
    timely = sum(1 for n in planned if on_time(n))
    numbers: dict[str, object] = {"planned": len(planned), "on_time": timely}
    if not planned:
        return Metric("Customer Notifications", "100%", "none planned", NO_DATA, numbers)
    share = percent(timely, len(planned))
    numbers["percent"] = share
    status = MET if timely == len(planned) else MISSED
    actual = f"{percent_text(share)} ({timely}/{len(planned)})"
    return Metric("Customer Notifications", "100%", actual, status, numbers)


def checks_metric(passed: int | None, total: int | None, run: int | None = None) -> Metric:
    """The share of checks passed in the window's final validation run."""
    numbers: dict[str, object] = {"run": run, "passed": passed, "total": total}
    if run is None or not total or passed is None:
        return Metric("Validation Checks", "100%", "no run", NO_DATA, numbers)
    share = percent(passed, total)
    numbers["percent"] = share
    status = MET if passed == total else MISSED
    actual = f"{percent_text(share)} ({passed}/{total}, V-{run})"
    return Metric("Validation Checks", "100%", actual, status, numbers)


def incidents_metric(found: Sequence[str], added: Sequence[str]) -> Metric:
    """Emergencies on the same systems during the window, plus those the lead added."""
    count = len(found) + len(added)
    numbers: dict[str, object] = {"emergencies": list(found), "added": len(added)}
    return Metric("Incidents During", "0", str(count), MET if count == 0 else MISSED, numbers)


# What the lead writes: section key, heading in the form and in the review.
SECTIONS = (
    ("went_well", "What Went Well"),
    ("could_improve", "What Could Improve"),
    ("lessons", "Lessons Learned"),
    ("incidents", "Incidents Added"),
)
TEXT_KEYS = ("went_well", "could_improve", "lessons")
MAX_INCIDENTS = 100
_HEADINGS = {f"## {title}".lower(): key for key, title in SECTIONS}
FORM_NOTE = "<!-- Write under each heading; keep the headings. Incidents Added: one per line. -->"


@dataclass(frozen=True)
class Written:
    """The parts of a review a person writes."""

    went_well: str = ""
    could_improve: str = ""
    lessons: str = ""
    incidents: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.went_well or self.could_improve or self.lessons or self.incidents)


def written(
    went_well: str = "",
    could_improve: str = "",
    lessons: str = "",
    incidents: Iterable[str] = (),
) -> Written:
    """Texts trimmed, blank incidents dropped."""
    kept = tuple(i.strip() for i in incidents if i.strip())
    return Written(went_well.strip(), could_improve.strip(), lessons.strip(), kept)


def written_problems(texts: Written) -> list[Problem]:
    """Each text within its bound, incidents one line each and at most MAX_INCIDENTS."""
    problems = []
    for key in TEXT_KEYS:
        problems += bounds.text_problems(key, getattr(texts, key), "review_text")
    if len(texts.incidents) > MAX_INCIDENTS:
        problems.append(
            Problem(
                "incidents",
                "too-many",
                f"{len(texts.incidents)} incidents",
                f"at most {MAX_INCIDENTS}; name them in fewer lines",
            )
        )
    for incident in texts.incidents[:MAX_INCIDENTS]:
        problems += bounds.text_problems("incidents", incident, "comment", multiline=False)
    return problems


def form(texts: Written, window_id: str) -> str:
    """The markdown form `review edit` opens in $EDITOR."""
    parts = [f"# Review of {window_id}", FORM_NOTE, ""]
    for key, title in SECTIONS:
        body = "\n".join(texts.incidents) if key == "incidents" else getattr(texts, key)
        parts += [f"## {title}", body, ""] if body else [f"## {title}", ""]
    return "\n".join(parts)


def parse_form(text: str) -> Written:
    """The section bodies of a filled form, as plain text; only the known headings are read.

    Lines before the first known heading (the title, the note) are dropped; a line that is not
    exactly a known heading is text, whatever markdown it holds.
    """
    bodies: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        key = _HEADINGS.get(line.strip().lower())
        if key is not None:
            current = key
            bodies.setdefault(key, [])
        elif current is not None:
            bodies[current].append(line)
    incidents = [line.strip() for line in bodies.get("incidents", [])]
    return written(
        "\n".join(bodies.get("went_well", [])),
        "\n".join(bodies.get("could_improve", [])),
        "\n".join(bodies.get("lessons", [])),
        [i.removeprefix("- ").strip() for i in incidents],
    )


# Markdown: typed text is data. Characters that make structure anywhere are backslash-escaped;
# so is what starts a block (list, heading, quote, rule) at a line's start.
_INLINE = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
_LINE_START = re.compile(r"^(\s*)(\d*)([-+=.)])", re.MULTILINE)


def md(text: str) -> str:
    """Typed text for a markdown paragraph: no markup of its own survives."""
    escaped = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", escaped)


def md_cell(text: str) -> str:
    """Typed text for a table cell: one line, escaped."""
    return md(" ".join(text.split()))


@dataclass(frozen=True)
class ActionLine:
    id: int
    what: str
    owner: str
    due: str
    done: bool


@dataclass(frozen=True)
class Summary:
    """The Maintenance Summary: the window's facts as recorded."""

    id: str
    date: str
    planned: timedelta
    actual: timedelta
    type: str
    lead: str


def markdown(
    summary: Summary,
    metrics: Sequence[Metric],
    texts: Written,
    actions: Sequence[ActionLine],
) -> str:
    """The runbook's Maintenance Review Template, filled."""
    out = [
        "# Maintenance Review",
        "",
        "## Maintenance Summary",
        f"- **ID:** {md(summary.id)}",
        f"- **Date:** {md(summary.date)}",
        f"- **Duration:** Planned {format_duration(summary.planned)} / "
        f"Actual {format_duration(summary.actual)}",
        f"- **Type:** {md(summary.type)}",
        f"- **Lead:** {md(summary.lead)}",
        "",
        "## Success Metrics",
        "| Metric | Target | Actual | Status |",
        "|--------|--------|--------|--------|",
        *(f"| {m.name} | {m.target} | {md_cell(m.actual)} | {m.status} |" for m in metrics),
        "",
        "## What Went Well",
        md(texts.went_well) or "_(not written)_",
        "",
        "## What Could Improve",
        md(texts.could_improve) or "_(not written)_",
        "",
        "## Action Items",
        "| Action | Owner | Due Date |",
        "|--------|-------|----------|",
        *(
            f"| {'~~' if a.done else ''}A-{a.id} {md_cell(a.what)}{'~~ (done)' if a.done else ''}"
            f" | {md_cell(a.owner)} | {a.due} |"
            for a in actions
        ),
        "",
        "## Lessons Learned",
        md(texts.lessons) or "_(not written)_",
    ]
    if texts.incidents:
        out += ["", "## Incidents Added", *(f"- {md_cell(i)}" for i in texts.incidents)]
    return "\n".join(out) + "\n"


def never_ran(window_id: str) -> Problem:
    return Problem(
        "id",
        "never-ran",
        f"{window_id} never started: there is nothing to review",
        f"a review follows the work; see maintctl window show {window_id}",
    )


def close_problems(status: Status, missing: Sequence[tuple[str, str]]) -> list[Problem]:
    """Why a window cannot close: its state, then each missing item (name, fix)."""
    if status not in CLOSABLE:
        names = ", ".join(sorted(s.value for s in CLOSABLE))
        return [Problem("status", "state", f"{status.value}; close needs one of {names}", "")]
    return [
        Problem(name, "not-ready-to-close", f"{name} is not done", fix) for name, fix in missing
    ]


def parse_due(text: str) -> datetime:
    """An action's due time: an instant with Z or an offset, or a date: its last second, UTC."""
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return day_bounds(parse_day("due", value))[1] - timedelta(seconds=1)
    return parse_instant("due", value)


def action_problems(what: str, count: int) -> list[Problem]:
    """An action names what is to be done, within bounds, on a window with room for it."""
    problems = []
    if not what.strip():
        problems.append(Problem("what", "required", "an action says what is to be done", ""))
    problems += bounds.text_problems("what", what, "action", multiline=False)
    if count >= bounds.ACTIONS_PER_WINDOW_MAX:
        problems.append(
            Problem(
                "what",
                "too-many",
                f"the window has {count} action items",
                f"at most {bounds.ACTIONS_PER_WINDOW_MAX}; group the work in fewer items",
            )
        )
    return problems


def action_label(action_id: int) -> str:
    return f"A-{action_id}"


def parse_action_label(text: str) -> int | None:
    """A-12 or 12 as typed: the action's id, or None when it is neither."""
    m = re.fullmatch(r"(?:[aA]-)?(\d{1,9})", text.strip())
    return int(m.group(1)) if m else None
