"""API paths built from typed text: every segment quoted, IDs and names checked first."""

from __future__ import annotations

from urllib.parse import quote

from maintctl.cli.client import fail
from maintctl.domain.ids import id_problem, parse_id
from maintctl.domain.roles import account_name_problem


def path(base: str, *segments: str | int) -> str:
    """`base` (a constant) then each segment, quoted so no typed text can change the route."""
    return "/".join([base.rstrip("/"), *(quote(str(s), safe="") for s in segments)])


def window_id(text: str) -> str:
    """A window ID as typed, checked against the ID grammar before any request (exit 2)."""
    try:
        return parse_id(text).text
    except ValueError:
        fail([id_problem(text).line()])


def account(text: str) -> str:
    """An account name as typed, checked before any request (exit 2)."""
    if problem := account_name_problem(text):
        fail([problem.line()])
    return text
