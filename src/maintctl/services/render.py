"""Rendering a notice about a window for one audience and channel: the one entry point.

`render_notice` is what the notification planner, `notify preview` and `notify render` call.
The words are Jinja2 templates (the runbook's, shipped in maintctl/templates/notices/, each
replaceable from the config's `templates:` directory); docs/templates.md lists them and the
names they see. Customer-facing audiences see only public fields (domain/public.py): the public
title and message, the times shown and component names, never the window's description.
Typed text is data: it is never evaluated as a template, and is escaped in HTML.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from maintctl.config import Channel
from maintctl.domain import public
from maintctl.domain.errors import Problem, RuleViolation
from maintctl.domain.model import Pace, ProgressUpdate, Status, Window, WindowSpec
from maintctl.services.deps import Deps
from maintctl.services.jobs import JobError
from maintctl.services.notice_context import INTERNAL as INTERNAL  # callers' names, kept
from maintctl.services.notice_context import (
    PERSON,
    notice_context,
    reminder_offset,
)
from maintctl.services.notice_context import is_internal as is_internal

if TYPE_CHECKING:
    from jinja2 import Environment

    from maintctl.config import Config

PERSON_KINDS = (
    "signature-waiting",
    "approved",
    "rejected",
    "progress-reminder",
    "action-overdue",
    "checklist-overdue",
)
# One template per name and output; emergency-* replace start and completion on an emergency.
NAMES = (
    "initial",
    "reminder",
    "start",
    "progress",
    "completion",
    "rolled-back",
    "rescheduled",
    "cancelled",
    "emergency-start",
    "emergency-completion",
    "overdue",
    *PERSON_KINDS,
)
OUTPUTS = ("subject", "txt", "html", "chat")
KIND_CHOICES = (
    "initial, reminder-<offset> (reminder-24h, reminder-3d), start, progress[-n], completion, "
    "rolled-back, rescheduled, cancelled, emergency-start, emergency-completion, overdue, "
    + ", ".join(PERSON_KINDS)
)
_RESCHEDULED = re.compile(r"^rescheduled(-\d{1,6})?$")
_PROGRESS = re.compile(r"^progress-\d{1,6}$")  # the planner's progress-<n>
_CHAT_KINDS = frozenset({"apprise", "webhook"})
_DEFAULTS = "templates/notices"
FIX = "fix the template (docs/templates.md lists the names it may use; `maintctl policy check`)"


@dataclass(frozen=True)
class Notice:
    """What to render: a window, the notice kind (initial, reminder-24h, start...), for whom.

    `extra` carries what the window does not: `previous_start`/`previous_end` (rescheduled),
    `public_reason` (cancelled, for customers), `role`, `by`, `reason`, `last_update`, `quiet`
    (messages to a person). Values are text or datetimes.
    """

    window: Window
    kind: str
    audience: str
    channel: Channel | None = None
    update: ProgressUpdate | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """A rendered notice: the subject, a plain-text body, and an HTML body ("" for chat).

    `chat` is the short form (chat messages, a webhook body's text), always filled.
    """

    subject: str
    text: str
    html: str = ""
    chat: str = ""


class TemplateFailure(JobError):
    """A template did not render: permanent for a send job; names the file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        at = f"{file}:{line}" if line else file
        self.problem = Problem("template", "template-error", f"{at}: {message}", FIX)
        super().__init__(self.problem.line(), permanent=True)


def template_name(window: Window, kind: str) -> str:
    """The template a kind of notice uses on this window; RuleViolation naming the choices."""
    if kind in NAMES and not kind.startswith("reminder"):
        name = kind
    elif _RESCHEDULED.match(kind):
        name = "rescheduled"
    elif _PROGRESS.match(kind):
        name = "progress"
    elif kind.startswith("reminder-") and reminder_offset(kind) is not None:
        name = "reminder"
    else:
        raise RuleViolation(
            [Problem("kind", "unknown-kind", f"unknown kind {kind[:64]!r}", f"use {KIND_CHOICES}")]
        )
    if window.spec.type == public.EMERGENCY and name in ("start", "completion"):
        return f"emergency-{name}"
    return name


def render_notice(deps: Deps, notice: Notice) -> Rendered:
    """The notice's subject and bodies, as the runbook's templates word them."""
    audiences = [*deps.config.policy.audiences, PERSON]
    if notice.audience not in audiences:
        raise RuleViolation(
            [
                Problem(
                    "audience",
                    "unknown-audience",
                    f"unknown audience {notice.audience[:64]!r}",
                    f"use one of {', '.join(audiences)}",
                )
            ]
        )
    return render_with(deps.config, notice)


def render_with(config: Config, notice: Notice) -> Rendered:
    """Render with a config's templates (no database): the body of render_notice."""
    name = template_name(notice.window, notice.kind)
    person = name in PERSON_KINDS
    if person != (notice.audience == PERSON):
        fix = f"use the audience {PERSON!r}" if person else "use an audience of the policy's"
        message = f"{notice.kind} is {'' if person else 'not '}a message to one person"
        raise RuleViolation([Problem("audience", "person-message", message, fix)])
    context = notice_context(config, notice)
    subject, text, html, chat = (_output(config, name, o, context) for o in OUTPUTS)
    if notice.channel is not None and notice.channel.kind in _CHAT_KINDS:
        return Rendered(subject, chat, "", chat)
    return Rendered(subject, text, html, chat)


def _tidy(text: str) -> str:
    """Plain text without trailing spaces or runs of blank lines (left by omitted lines)."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


# --- the templates ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _environments(directory: str | None) -> tuple[Environment, Environment]:
    """Text and HTML environments over the override directory, then the defaults.

    Sandboxed, since an override is a user's file; strict, so a misspelt name fails the check
    instead of rendering empty; HTML autoescaped.
    """
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders: list[Any] = [FileSystemLoader(directory)] if directory else []
    loader = ChoiceLoader([*loaders, PackageLoader("maintctl", _DEFAULTS)])
    common: dict[str, Any] = {"loader": loader, "undefined": StrictUndefined}
    text = SandboxedEnvironment(
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, **common
    )
    html = SandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True, **common)
    return text, html


def _output(config: Config, name: str, output: str, context: Mapping[str, Any]) -> str:
    """One output of a template: a one-line subject, tidy plain text, or HTML."""
    text_env, html_env = _environments(str(config.templates) if config.templates else None)
    rendered = _render(html_env if output == "html" else text_env, f"{name}.{output}", context)
    if output == "subject":
        return " ".join(rendered.split())  # one line: a subject is a header
    return rendered if output == "html" else _tidy(rendered)


def _render(env: Environment, name: str, context: Mapping[str, Any]) -> str:
    from jinja2 import TemplateSyntaxError

    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as exc:
        raise TemplateFailure(exc.filename or name, exc.lineno, exc.message or "") from None
    except Exception as exc:  # any failure inside a user's template is that template's
        file, line = _where(exc, name)
        raise TemplateFailure(file, line, str(exc) or type(exc).__name__) from None


def _where(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line an error was raised at (Jinja maps its frames to them)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".txt", ".html", ".chat", ".subject")):
            return frame.filename, frame.lineno
    return name, None


# --- checking a config's overrides ---------------------------------------------------------------


def template_files() -> list[str]:
    """Every default template's file name."""
    return [f"{name}.{output}" for name in NAMES for output in OUTPUTS]


def override_problems(config: Config) -> list[tuple[str, int | None, str]]:
    """(file, line, message) for each override that is unknown, does not parse or render.

    Each overridden template (all of them when a shared `_` piece is) is test-rendered for
    a customer and an internal audience on a sample window, so a broken override stops
    `policy check` and startup, never a send.
    """
    directory = config.templates
    if directory is None:
        return []
    known = set(template_files())
    found: list[tuple[str, int | None, str]] = []
    touched: set[str] = set()
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        if path.name.startswith("_"):
            touched.update(NAMES)
        if path.name.startswith("_") or path.name in known:
            touched.add(path.name.rsplit(".", 1)[0])
            continue
        found.append(
            (
                str(path),
                None,
                "no template has this name; name an override after the one it replaces: "
                "initial.txt, reminder.html, start.chat, ... (docs/templates.md)",
            )
        )
    for notice in sample_notices(config):
        name = template_name(notice.window, notice.kind)
        if name not in touched:
            continue
        context = notice_context(config, notice)
        for output in OUTPUTS:  # each on its own, so one broken file hides no other
            try:
                _output(config, name, output, context)
            except TemplateFailure as exc:
                problem = (exc.file, exc.line, f"{exc.message}; {FIX}")
                if problem not in found:
                    found.append(problem)
    return found


def sample_notices(config: Config) -> list[Notice]:
    """Every template's notice, for a customer and an internal audience, on a sample window."""
    types = config.policy.types
    kind = "planned-outage" if "planned-outage" in types else next(iter(types), "planned-outage")
    start = datetime(2024, 12, 29, 2, tzinfo=UTC)
    spec = WindowSpec(kind, start, start + timedelta(hours=2), ["api"], "sample", "Sample work")
    window = Window("MNT-2024-0001", Status.SCHEDULED, spec, "sample", start, start, lead="sample")
    window.actual_start, window.actual_end = start, start + timedelta(hours=1, minutes=45)
    urgent = replace(spec, type=public.EMERGENCY)
    emergency = Window("EMT-2024-0001", Status.IN_PROGRESS, urgent, "sample", start, start)
    update = ProgressUpdate(start, 3, 7, "Migrating", Pace.ON_TRACK, "sample", start, "Halfway")
    extra: dict[str, Any] = {
        "previous_start": start - timedelta(days=1),
        "previous_end": start - timedelta(days=1, hours=-2),
        "public_reason": "Postponed",
        "role": "team-lead",
        "by": "sample",
        "reason": "Not now",
        "last_update": start,
    }
    kinds = [n for n in NAMES if not n.startswith(("reminder", "emergency"))]
    notices = []
    for audience in ("customers-all", "internal-engineering"):
        for kind_name in [*kinds, "reminder-24h", "reminder-3d"]:
            who = PERSON if kind_name in PERSON_KINDS else audience
            notices.append(Notice(window, kind_name, who, update=update, extra=extra))
        for kind_name in ("start", "completion"):
            notices.append(Notice(emergency, kind_name, audience, update=update, extra=extra))
    return notices


# --- previews (`maintctl notify render`, GET /api/v1/windows/{id}/render) -------------------------


def preview(
    deps: Deps, window_id: str, kind: str, channel: str | None, audience: str | None
) -> tuple[Notice, Rendered]:
    """A stored window's notice as it would go; a progress notice shows its latest update."""
    from maintctl.domain import bounds
    from maintctl.services.windows import require
    from maintctl.store import updates

    chosen = None
    if channel is not None:
        chosen = deps.config.channel(channel)
        if chosen is None:
            names = ", ".join(c.name for c in deps.config.channels)
            fix = f"use one of {names}" if names else "none are configured: add a channels: list"
            message = f"unknown channel {channel[:64]!r}"
            raise RuleViolation([Problem("channel", "unknown-channel", message, fix)])
    with deps.db.read() as session:
        window = require(session, window_id)
        name = template_name(window, kind)
        update = None
        if name == "progress":  # updates are bounded per window, so one read holds them all
            found = updates.page(session, window.id, None, bounds.MAX_UPDATES)
            update = found[-1][1] if found else None
    if audience is None:
        audience = chosen.audience if chosen else default_audience(deps.config, name)
    notice = Notice(window, kind, audience, chosen, update)
    return notice, render_notice(deps, notice)


def default_audience(config: Config, name: str) -> str:
    """Who a preview is for by default: a person, else the first audience hearing its class."""
    if name in PERSON_KINDS:
        return PERSON
    klass = name.removeprefix("emergency-")
    for audience, rule in config.policy.audiences.items():
        if klass in rule.notices:
            return audience
    return next(iter(config.policy.audiences), PERSON)
