"""The status page's HTML and its Atom feed, rendered with Jinja2 (autoescaped: typed text is
always text, never markup)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from maintctl.domain import status as domain

TEMPLATES = Path(__file__).parent / "templates"
LABELS = {
    domain.SCHEDULED: "Scheduled",
    domain.IN_PROGRESS: "In progress",
    domain.VERIFYING: "Verifying",
    domain.COMPLETED: "Completed",
    domain.OPERATIONAL: "Operational",
    domain.UNDER_MAINTENANCE: "Under maintenance",
    domain.INVESTIGATING: "Investigating",
    domain.IDENTIFIED: "Identified",
    domain.MONITORING: "Monitoring",
    domain.RESOLVED: "Resolved",
}


def _utc(value: datetime) -> str:
    """An instant as a person reads it on the page: `2026-12-06 02:00 UTC`."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def _environment() -> Environment:
    # Autoescape every template, the Atom feed's XML included: &, <, >, " and ' become entities.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["utc"] = _utc
    env.filters["rfc3339"] = _rfc3339
    env.filters["label"] = lambda status: LABELS.get(status, status)
    return env


def status_html(doc: domain.Document, links: dict[str, str]) -> bytes:
    """GET /status: the overall status, components, active, upcoming and the last 90 days."""
    template = _environment().get_template("status.html")
    return template.render(doc=doc, links=links, history_days=90).encode("utf-8")


def history_atom(doc: domain.Document, links: dict[str, str]) -> bytes:
    """GET /history.atom: the public maintenances, newest first (RFC 4287)."""
    template = _environment().get_template("history.atom")
    return template.render(doc=doc, links=links).encode("utf-8")
