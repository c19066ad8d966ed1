"""The month grid: what touches each UTC day, drawn from the calendar API's items."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from maintctl.cli.text import clean

SEVERITY_STYLE = {"block": "red", "warn": "yellow", "info": ""}
KIND_STYLE = {"window": "bold", "freeze": "bold", "note": "dim italic"}
# Kinds that are marked by a symbol before their name; windows show their ID alone.
KIND_SYMBOL = {"freeze": "❄", "deployment": "▲", "oncall": "☎", "customer-commitment": "★"}
# Kinds that last whole days, so a start time in the grid says nothing.
ALL_DAY = {"freeze", "note"}


@dataclass(frozen=True)
class _Item:
    kind: str
    name: str
    start: datetime
    end: datetime
    severity: str
    detail: str

    @property
    def style(self) -> str:
        parts = (KIND_STYLE.get(self.kind, ""), SEVERITY_STYLE.get(self.severity, ""))
        return " ".join(part for part in parts if part)

    def touches(self, day: date) -> bool:
        first = datetime(day.year, day.month, day.day, tzinfo=UTC)
        last = first + timedelta(days=1)
        if self.start == self.end:  # an instant, such as an on-call handoff
            return first <= self.start < last
        return self.start < last and first < self.end

    def marker(self, day: date) -> Text:
        symbol = KIND_SYMBOL.get(self.kind)
        label = f"{symbol} {self.name}" if symbol else self.name
        if self.kind not in ALL_DAY:
            starts_today = self.start.date() == day
            label += f" {self.start:%H:%M}" if starts_today else " …"
        return Text(clean(label), style=self.style)


def render_month(year: int, month: int, items: Sequence[Mapping[str, Any]]) -> RenderableType:
    """A month as a Mon..Sun grid of ISO weeks, a legend and the list of the month's items."""
    parsed = sorted((_parse(item) for item in items), key=lambda i: (i.start, i.kind, i.name))
    return Group(_grid(year, month, parsed), _legend(), Text(), _listing(parsed))


def _parse(item: Mapping[str, Any]) -> _Item:
    return _Item(
        kind=str(item["kind"]),
        name=str(item["name"]),
        start=_instant(item["start"]),
        end=_instant(item["end"]),
        severity=str(item.get("severity", "info")),
        detail=str(item.get("detail", "")),
    )


def _instant(text: Any) -> datetime:
    return datetime.fromisoformat(str(text)).astimezone(UTC)


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}Z"


def _grid(year: int, month: int, items: Sequence[_Item]) -> Table:
    grid = Table(
        title=f"{calendar.month_name[month]} {year} (UTC)",
        box=box.SQUARE,
        show_lines=True,
        expand=True,
        header_style="bold",
    )
    grid.add_column("Wk", justify="right", style="dim", no_wrap=True)
    for name in calendar.day_abbr:
        grid.add_column(name, ratio=1, vertical="top", overflow="fold")
    for week in calendar.Calendar(calendar.MONDAY).monthdatescalendar(year, month):
        cells = [_cell(day, items) if day.month == month else _outside(day) for day in week]
        grid.add_row(str(week[0].isocalendar().week), *cells)
    return grid


def _cell(day: date, items: Sequence[_Item]) -> Text:
    lines = [Text(str(day.day), style="bold")]
    lines.extend(item.marker(day) for item in items if item.touches(day))
    return Text("\n").join(lines)


def _outside(day: date) -> Text:
    # Days of the next or previous month: the items were asked for this month only.
    return Text(str(day.day), style="dim")


def _legend() -> Text:
    return Text.assemble(
        ("ID 02:00", "bold"),
        " window start   … continues   ",
        ("❄", "bold"),
        " freeze   ▲ deployment   ☎ on-call   ★ customer commitment   ",
        ("note", "dim italic"),
        "   ",
        ("red", "red"),
        " blocks   ",
        ("yellow", "yellow"),
        " warns",
    )


def _listing(items: Sequence[_Item]) -> RenderableType:
    if not items:
        return Text("Nothing on the calendar this month.", style="dim")
    listing = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False)
    listing.add_column("When (UTC)", no_wrap=True)
    listing.add_column("Kind", no_wrap=True)
    listing.add_column("Name", no_wrap=True)
    listing.add_column("Detail")
    for item in items:
        when = _when(item.start)
        if item.end != item.start:
            when += f" → {_when(item.end)}"
        listing.add_row(
            Text(when),
            Text(clean(item.kind)),
            Text(clean(item.name), style=item.style),
            Text(clean(item.detail)),
            style=SEVERITY_STYLE.get(item.severity) or None,
        )
    return listing
