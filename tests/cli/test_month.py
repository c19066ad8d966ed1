from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.style import Style

from maintctl.cli.month import render_month

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def item(
    kind: str, name: str, start: str, end: str, severity: str = "info", detail: str = ""
) -> dict[str, str]:
    return {
        "kind": kind,
        "name": name,
        "start": start,
        "end": end,
        "severity": severity,
        "detail": detail,
    }


WINDOW = item(
    "window",
    "MNT-2024-0123",
    "2024-12-29T02:00:00Z",
    "2024-12-29T06:00:00Z",
    detail="[planned-outage] Upgrade db (scheduled)",
)
FREEZE = item(
    "freeze", "year-end", "2024-12-15T00:00:00Z", "2025-01-01T00:00:00Z", "block", "change freeze"
)
PATCHING = item(
    "note", "patching", "2024-12-08T00:00:00Z", "2024-12-15T00:00:00Z", detail="Patching week"
)


def render(items: Sequence[Mapping[str, Any]], year: int = 2024, month: int = 12) -> str:
    console = Console(record=True, width=140)
    console.print(render_month(year, month, items))
    return console.export_text()


def cell(output: str, week: str, day: str) -> str:
    """The text of one day cell, its wrapped lines joined by spaces."""
    rows: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        parts = [part.strip() for part in line.split("│")[1:-1]]
        if parts[0]:
            current = rows.setdefault(parts[0], [])
        current.append(parts[1:])
    lines = rows[week]
    return " ".join(part for part in (row[DAYS.index(day)] for row in lines) if part)


def styles_of(text: str, items: Sequence[Mapping[str, Any]]) -> list[Style]:
    """The style of every rendered piece of text equal to `text`."""
    console = Console(width=140)
    segments = console.render(render_month(2024, 12, items))
    return [s.style or Style() for s in segments if s.text.strip() == text]


def test_it_draws_a_monday_to_sunday_grid_of_iso_weeks() -> None:
    output = render([])

    assert "December 2024 (UTC)" in output
    header = next(line for line in output.splitlines() if "Mon" in line)
    assert [part.strip() for part in header.split("│")[1:-1]] == ["Wk", *DAYS]
    assert cell(output, "48", "Mon") == "25"
    assert cell(output, "48", "Sun") == "1"
    assert cell(output, "52", "Sun") == "29"
    assert cell(output, "1", "Tue") == "31"
    assert cell(output, "1", "Sun") == "5"


def test_days_outside_the_month_are_dimmed() -> None:
    twenty_sixes = styles_of("26", [])

    assert sorted(bool(style.dim) for style in twenty_sixes) == [False, True]
    assert sorted(bool(style.bold) for style in twenty_sixes) == [False, True]


def test_days_outside_the_month_show_only_their_number() -> None:
    longer = {**FREEZE, "end": "2025-01-03T00:00:00Z"}

    output = render([longer])

    assert cell(output, "1", "Tue") == "31 ❄ year-end"
    assert cell(output, "1", "Wed") == "1"


def test_a_window_shows_its_id_and_start_time_on_its_day() -> None:
    output = render([WINDOW])

    assert cell(output, "52", "Sun") == "29 MNT-2024-0123 02:00"
    assert cell(output, "52", "Sat") == "28"


def test_a_window_across_midnight_continues_on_the_next_day() -> None:
    late = item("window", "MNT-2024-0124", "2024-12-04T22:00:00Z", "2024-12-05T02:00:00Z")

    output = render([late])

    assert cell(output, "49", "Wed") == "4 MNT-2024-0124 22:00"
    assert cell(output, "49", "Thu") == "5 MNT-2024-0124 …"
    assert cell(output, "49", "Fri") == "6"


def test_an_item_ending_at_midnight_does_not_touch_the_next_day() -> None:
    output = render([PATCHING])

    assert cell(output, "50", "Sat") == "14 patching"
    assert cell(output, "50", "Sun") == "15"


def test_days_are_utc_days() -> None:
    # 01:00 in UTC+2 is 23:00 UTC the day before.
    deploy = item("deployment", "deploys", "2024-12-10T01:00:00+02:00", "2024-12-10T01:30:00+02:00")

    output = render([deploy])

    assert cell(output, "50", "Mon") == "9 ▲ deploys 23:00"
    assert cell(output, "50", "Tue") == "10"


def test_a_handoff_is_marked_on_its_day_only() -> None:
    handoff = item(
        "oncall", "primary", "2024-12-09T09:00:00Z", "2024-12-09T09:00:00Z", "warn", "alice to bob"
    )

    output = render([handoff])

    assert cell(output, "50", "Mon") == "9 ☎ primary 09:00"
    assert cell(output, "50", "Tue") == "10"
    listed = next(line for line in output.splitlines() if "alice to bob" in line)
    assert "2024-12-09 09:00Z" in listed
    assert "→" not in listed


def test_a_freeze_is_marked_in_red_on_every_day_it_covers() -> None:
    output = render([FREEZE])

    assert cell(output, "50", "Sat") == "14"
    assert cell(output, "50", "Sun") == "15 ❄ year-end"
    assert cell(output, "52", "Wed") == "25 ❄ year-end"
    styles = styles_of("❄ year-end", [FREEZE])
    assert len(styles) == 17
    assert all(s.color is not None and s.color.name == "red" and s.bold for s in styles)


def test_notes_are_dimmed_labels() -> None:
    output = render([PATCHING])

    assert cell(output, "49", "Sun") == "8 patching"
    styles = styles_of("patching", [PATCHING])
    assert styles
    assert all(s.dim for s in styles)


def test_warnings_are_yellow_and_information_is_not_coloured() -> None:
    deploy = item("deployment", "deploys", "2024-12-10T14:00:00Z", "2024-12-10T15:00:00Z", "warn")

    (warn,) = styles_of("▲ deploys 14:00", [deploy])
    infos = styles_of("MNT-2024-0123", [WINDOW])

    assert warn.color is not None and warn.color.name == "yellow"
    assert infos
    assert all(info.color is None for info in infos)


def test_it_prints_a_legend() -> None:
    output = render([])

    legend = next(line for line in output.splitlines() if "❄ freeze" in line)
    assert "window start" in legend
    assert "blocks" in legend
    assert "warns" in legend


def test_it_lists_the_months_items_with_full_times() -> None:
    output = render([WINDOW, FREEZE, PATCHING])

    listed = [line for line in output.splitlines() if "Z → " in line]
    assert len(listed) == 3
    assert "2024-12-08 00:00Z → 2024-12-15 00:00Z" in listed[0]
    assert "patching" in listed[0]
    assert "Patching week" in listed[0]
    assert "2024-12-15 00:00Z → 2025-01-01 00:00Z" in listed[1]
    assert "2024-12-29 02:00Z → 2024-12-29 06:00Z" in listed[2]
    assert "MNT-2024-0123" in listed[2]
    assert "[planned-outage] Upgrade db (scheduled)" in listed[2]


def test_a_long_name_wraps_in_its_cell_instead_of_being_cut() -> None:
    freeze = {**FREEZE, "name": "quarter-end-financial-close"}

    output = render([freeze])

    assert cell(output, "50", "Sun").replace(" ", "") == "15❄quarter-end-financial-close"


def test_it_says_when_the_month_is_empty() -> None:
    assert "Nothing on the calendar this month." in render([])


def test_text_from_items_is_printed_literally() -> None:
    window = {
        **WINDOW,
        "name": "MNT-[red]x[/red]",
        "detail": "[planned-outage] Fix [bold]db[/bold] \\[x] (scheduled)",
    }
    freeze = {**FREEZE, "name": "[i]eoy[/i]"}

    output = render([window, freeze])

    assert "[planned-outage] Fix [bold]db[/bold] \\[x] (scheduled)" in output
    assert "MNT-[red]x[/red]" in output
    assert cell(output, "52", "Sun") == "29 ❄ [i]eoy[/i] MNT-[red]x[/red] 02:00"
