"""The runbook's Maintenance Request Template: the blank form, a filled one, and reading it back."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from maintctl.domain.approvals import Signature
from maintctl.domain.errors import Problem
from maintctl.domain.model import Window
from maintctl.domain.times import format_duration, format_instant

TYPE_OPTIONS = "zero-downtime | brief-interruption | planned-outage | extended-outage | emergency"

_BLANK = f"""\
# Maintenance Request

## Basic Information
- **Request ID:** MNT-YYYY-XXXX
- **Requested By:** [Name]
- **Date Requested:** [Date]
- **Proposed Date/Time:** [Date/Time UTC]
- **Duration:** [Estimated duration]

## Maintenance Details
- **Type:** [{TYPE_OPTIONS}]
- **Systems Affected:** [List of systems]
- **Customer Impact:** [Description of impact]
- **Risk Level:** [Low | Medium | High]
- **Public Title:** [What customers see; default: the type's wording]
- **Team:** [Accounts doing the work, e.g. alice, bob]
- **Maintenance Mode:** [yes | no]
- **Maintenance Message:** [What services show; default: "Service will resume at HH:MM UTC."]
- **Traffic Mode:** [normal | read-only | maintenance]

## Description
[Detailed description of maintenance activity]

## Public Message
[What customers are told (never the description above)]

## Justification
[Why this maintenance is needed]

## Prerequisites
- [ ] [Prerequisite 1]
- [ ] [Prerequisite 2]

## Execution Plan
1. [Step 1]
2. [Step 2]
3. [Step 3]

## Rollback Plan
1. [Rollback step 1]
2. [Rollback step 2]

## Verification Steps
1. [Verification 1]
2. [Verification 2]

## Approvals
- [ ] Team Lead: _______________
- [ ] Engineering Manager: _______________
- [ ] VP Engineering (if required): _______________
"""

ID_PLACEHOLDER = "MNT-YYYY-XXXX"
_TYPE_WORDING = "[the type's wording]"
_MODE_WORDING = "[the default wording]"

# Bullet labels (lowercased, without the colon) -> the raw field they fill; None is read but unused.
_LABELS: dict[str, str | None] = {
    "request id": "id",
    "id": "id",
    "requested by": "owner",
    "owner": "owner",
    "date requested": None,
    "proposed date/time": "start",
    "start": "start",
    "end": "end",
    "duration": "duration",
    "type": "type",
    "systems affected": "systems",
    "systems": "systems",
    "customer impact": "impact",
    "impact": "impact",
    "risk level": "risk",
    "risk": "risk",
    "public title": "public_title",
    "team": "team",
    "maintenance mode": "maintenance_mode",
    "maintenance message": "maintenance_message",
    "traffic mode": "traffic_mode",
}
_TEXT_SECTIONS = {
    "description": "description",
    "justification": "justification",
    "public message": "public_message",
}
_LIST_SECTIONS = {
    "prerequisites": "prerequisites",
    "execution plan": "execution_plan",
    "rollback plan": "rollback_plan",
    "verification steps": "verification_steps",
}
_IGNORED_SECTIONS = frozenset({"approvals"})

_TITLE = re.compile(r"^#\s+maintenance request\b", re.IGNORECASE)
_HEADING = re.compile(r"^#{2,6}\s+(.*?)\s*#*\s*$")
_BOLD_BULLET = re.compile(r"^[-*+]\s+\*\*(?P<label>[^*]+?)\s*:\s*\*\*\s*(?P<value>.*)$")
_BOLD_LABEL_BULLET = re.compile(r"^[-*+]\s+\*\*(?P<label>[^*]+?)\*\*\s*:?\s*(?P<value>.*)$")
_PLAIN_BULLET = re.compile(r"^[-*+]\s+(?P<label>[A-Za-z][A-Za-z /]*?)\s*:\s*(?P<value>.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(?P<text>.*)$")
_EMPTY_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])(?:\s+\[[ xX]\])?\s*$")
_PLACEHOLDER = re.compile(r"^\[[^\[\]]*\]$")
_FENCE = re.compile(r"^\s*```")
_DURATION_WORD = re.compile(
    r"(\d+)\s*(weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b",
    re.IGNORECASE,
)
_DURATION_GLUE = re.compile(r"^(?:\s|,|and\b)*$", re.IGNORECASE)
_ACRONYMS = {"vp": "VP", "cto": "CTO", "ceo": "CEO", "cio": "CIO", "sre": "SRE"}

# Typed text is data (DESIGN.md, "Conventions"): rendered with these backslash escapes it makes no
# heading, bullet, bold label, list item, link, fence or HTML, and reads back as what was typed.
_ALWAYS = re.compile(r"[\\*`\[\]<>]")
_LINE_START = re.compile(r"^(\s*)(?:([#+=|~_-])|(\d+)([.)]))")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Inside a one-line value a typed line break is a markdown hard break: a backslash ending the line.
_BREAK = "\\\n  "


class TemplateError(ValueError):
    """Text that cannot be read as a Maintenance Request Template."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.line() for p in problems))
        self.problems = problems


def blank_template() -> str:
    """The runbook's Maintenance Request Template, ready to fill in."""
    return _BLANK


def role_title(role: str) -> str:
    """An approver role as the template prints it: "vp-engineering" -> "VP Engineering"."""
    return " ".join(_ACRONYMS.get(word, word.capitalize()) for word in role.split("-") if word)


def _inert_line(line: str) -> str:
    line = _ALWAYS.sub(lambda m: "\\" + m.group(0), line)
    if m := _LINE_START.match(line):
        lead, mark, digits, dot = m.groups()
        head = f"{lead}\\{mark}" if mark else f"{lead}{digits}\\{dot}"
        line = head + line[m.end() :]
    return line


def inert(text: str) -> str:
    """Typed prose as markdown that shows it and makes no structure (parse_request undoes it)."""
    return "\n".join(_inert_line(line) for line in text.split("\n"))


def _inline(text: str) -> str:
    # A value on one bullet or item: further lines follow a hard break, indented.
    return _BREAK.join(_inert_line(line.strip()) for line in text.split("\n"))


def unescape(text: str) -> str:
    """Markdown backslash escapes undone: what was typed."""
    return _ESCAPED.sub(lambda m: m.group(1), text)


def _signature_line(sig: Signature) -> str:
    note = f"; {sig.token_note}" if sig.token_note else ""
    return (
        f"- [x] {role_title(sig.role)}: {_inline(sig.signer)} ({_inline(sig.signer_role)}), "
        f"{format_instant(sig.at)}{_inline(note)}"
    )


def _approval_lines(window: Window, approvals: Sequence[str]) -> list[str]:
    signed = {sig.level: sig for sig in window.signatures}
    lines = [
        _signature_line(signed[level])
        if level in signed
        else f"- [ ] {role_title(role)}: _______________"
        for level, role in enumerate(approvals)
    ]
    return lines or ["No approval required."]


def render_request(window: Window, approvals: Sequence[str]) -> str:
    """The filled template for a stored window; `approvals` is its type's approval chain.

    Every typed value is escaped (`inert`), so no description can add a heading, a field or a
    signature; the approvals section shows the workflow's real signatures.
    """
    spec, details = window.spec, window.spec.details
    lines = [
        "# Maintenance Request",
        "",
        "## Basic Information",
        f"- **Request ID:** {window.id}",
        f"- **Requested By:** {_inline(spec.owner) or '[Name]'}",
        f"- **Date Requested:** {format_instant(window.created_at)[:10]}",
        f"- **Proposed Date/Time:** {format_instant(spec.start)}",
        f"- **Duration:** {format_duration(spec.end - spec.start)}",
        f"- **End:** {format_instant(spec.end)}",
        "",
        "## Maintenance Details",
        f"- **Type:** {_inline(spec.type)}",
        f"- **Systems Affected:** {_inline(', '.join(spec.systems)) or '[List of systems]'}",
        f"- **Customer Impact:** {_inline(spec.impact) or '[Description of impact]'}",
        f"- **Risk Level:** {spec.risk.value.capitalize()}",
        f"- **Public Title:** {_inline(spec.public_title) or _TYPE_WORDING}",
        f"- **Team:** {_inline(', '.join(spec.team)) or '[Accounts doing the work]'}",
        f"- **Maintenance Mode:** {'yes' if spec.maintenance_mode else 'no'}",
        f"- **Maintenance Message:** {_inline(spec.maintenance_message or '') or _MODE_WORDING}",
        f"- **Traffic Mode:** {spec.traffic_mode}",
        "",
        "## Description",
        inert(spec.description) or "[Detailed description of maintenance activity]",
        "",
        "## Public Message",
        inert(spec.public_message) or _TYPE_WORDING,
        "",
        "## Justification",
        inert(details.justification) or "[Why this maintenance is needed]",
        "",
        "## Prerequisites",
        *(f"- [ ] {_inline(item)}" for item in details.prerequisites),
        "",
        "## Execution Plan",
        *_numbered(details.execution_plan),
        "",
        "## Rollback Plan",
        *_numbered(details.rollback_plan),
        "",
        "## Verification Steps",
        *_numbered(details.verification_steps),
        "",
        "## Approvals",
        *_approval_lines(window, approvals),
    ]
    return "\n".join(lines) + "\n"


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{n}. {_inline(item)}" for n, item in enumerate(items, start=1)]


def parse_request(text: str) -> dict[str, Any]:
    """Read a filled template into raw fields; unfilled placeholders are left out.

    The approvals section is never read, whatever it holds: signatures come only from the workflow.
    """
    lines = _unfenced(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    titled = any(_TITLE.match(line.strip()) for line in lines)
    fields: dict[str, Any] = {}
    recognised = False
    section = ""
    body: dict[str, list[str]] = {}
    bullets: list[tuple[str | None, str]] = []
    for line in lines:
        if _TITLE.match(line.strip()):
            section = ""
            continue
        if heading := _HEADING.match(line.strip()):
            section = heading.group(1).strip().lower()
            continue
        if section in _TEXT_SECTIONS or section in _LIST_SECTIONS:
            body.setdefault(section, []).append(line)
            continue
        if section in _IGNORED_SECTIONS:
            continue
        if bullets and line[:1].isspace() and _hard_break(bullets[-1][1]):
            bullets[-1] = (bullets[-1][0], f"{bullets[-1][1][:-1]}\n{line.strip()}")
            continue
        label, value = _bullet(line.strip())
        if label is None:
            continue
        recognised = True
        bullets.append((_LABELS[label], value))
    for name, value in bullets:
        if name is not None and (cleaned := _field_value(name, value)) is not None:
            fields[name] = cleaned
    if not titled and not recognised:
        raise TemplateError([_not_a_template()])
    for heading_name, name in _TEXT_SECTIONS.items():
        if (prose := _prose(body.get(heading_name, []))) is not None:
            fields[name] = prose
    for heading_name, name in _LIST_SECTIONS.items():
        if items := _items(body.get(heading_name, [])):
            fields[name] = items
    return fields


def _unfenced(lines: list[str]) -> list[str]:
    # The runbook shows the template inside a ```markdown fence; people paste it with the fence.
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) >= 2 and _FENCE.match(lines[filled[0]]) and _FENCE.match(lines[filled[-1]]):
        return lines[filled[0] + 1 : filled[-1]]
    return lines


def _bullet(line: str) -> tuple[str | None, str]:
    for pattern in (_BOLD_BULLET, _BOLD_LABEL_BULLET, _PLAIN_BULLET):
        if (m := pattern.match(line)) and (label := _label(m.group("label"))) in _LABELS:
            return label, m.group("value").strip()
    return None, ""


def _label(text: str) -> str:
    return " ".join(text.strip().rstrip(":").split()).lower()


def _hard_break(text: str) -> bool:
    """True when `text` ends with an unescaped backslash: a markdown hard line break."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _field_value(name: str, value: str) -> str | list[str] | None:
    if not value or _PLACEHOLDER.match(value):
        return None
    value = unescape(value)
    if name == "id":
        return None if value.upper() == ID_PLACEHOLDER else value
    if name == "type":
        return "-".join(re.split(r"[\s_]+", value.lower()))
    if name == "risk":
        return value.lower()
    if name in ("systems", "team"):
        return [s.strip() for s in value.split(",") if s.strip()] or None
    if name == "duration":
        return _compact_duration(value)
    return value


def _compact_duration(value: str) -> str:
    """Write "2 hours" as 2h and "1 hour 30 minutes" as 1h30m; leave anything else as written."""
    parts = list(_DURATION_WORD.finditer(value))
    gaps = [value[a.end() : b.start()] for a, b in itertools.pairwise(parts)]
    edges = [value[: parts[0].start()], value[parts[-1].end() :]] if parts else []
    if not parts or not all(_DURATION_GLUE.match(g) for g in [*gaps, *edges]):
        return value
    return "".join(f"{m.group(1)}{_unit(m.group(2))}" for m in parts)


def _unit(word: str) -> str:
    word = word.lower()
    return "m" if word.startswith("mi") or word == "m" else word[0]


def _prose(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip()
    if not text or _PLACEHOLDER.match(text):
        return None
    return unescape(text)


def _items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if not line.strip() or _EMPTY_ITEM.match(line):
            continue
        if m := _ITEM.match(line):
            items.append(m.group("text").strip())
        elif items and line[:1].isspace():
            # An indented line continues the item above it: on a new line after a hard break.
            if _hard_break(items[-1]):
                items[-1] = f"{items[-1][:-1]}\n{line.strip()}"
            else:
                items[-1] = f"{items[-1]} {line.strip()}"
        else:
            items.append(line.strip())
    return [unescape(item) for item in items if item and not _PLACEHOLDER.match(item)]


def _not_a_template() -> Problem:
    return Problem(
        "from-file",
        "template",
        "this is not a Maintenance Request Template: expected a '# Maintenance Request' heading "
        "and bullets such as '- **Type:** planned-outage'",
        "start from the blank Maintenance Request Template and fill in its bullets and sections",
    )
