"""Printing: JSON for machines, Rich tables for people. Everything users typed is escaped."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from maintctl.cli.text import clean

# Only inside JSON strings (every other character of the document is ASCII), so escaping them
# keeps the exact same value.
_C1 = re.compile(r"[\x7f-\x9f]")

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def safe(value: Any) -> str:
    """Typed text for Rich markup: control characters replaced, markup escaped."""
    return escape(clean(str(value)))


def print_json(data: Any) -> None:
    """Exact JSON; DEL and C1 controls written as \\u escapes (json.dumps escapes only C0)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    print(_C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))


def short(instant: str) -> str:
    """2024-12-29T02:00:00Z -> 2024-12-29 02:00Z, for tables."""
    return f"{instant[:10]} {instant[11:16]}Z" if instant else ""


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], wide: int = 0
) -> Table:
    """A table; the first `wide` columns (IDs, times) never wrap."""
    grid = Table(title=safe(title), title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        grid.add_column(column, no_wrap=index < wide, overflow="fold")
    for row in rows:
        grid.add_row(*(safe(cell) if cell is not None else "" for cell in row))
    return grid


def window_rows(windows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            w["id"],
            w["status"],
            w["type"],
            short(w["start"]),
            short(w["end"]),
            ", ".join(w["systems"]),
            w["owner"],
            w["description"],
        ]
        for w in windows
    ]


WINDOW_COLUMNS = ("ID", "Status", "Type", "Start (UTC)", "End (UTC)", "Systems", "Owner", "What")


def conflict_lines(window: dict[str, Any]) -> None:
    for c in window.get("conflicts", []):
        errors.print(
            f"[yellow]warning[/]: {safe(c['kind'])} {safe(c['name'])}: {safe(c['detail'])} "
            f"({short(c['start'])} to {short(c['end'])})"
        )
    for text in window.get("warnings", []):
        errors.print(f"[yellow]warning[/]: {safe(text)}")
