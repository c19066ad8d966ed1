"""`maintctl report sla`: a month's maintenance per component and what counts against the SLA."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from maintctl.cli.client import connect
from maintctl.cli.output import console, print_json, table
from maintctl.cli.text import clean

app = typer.Typer(help="Reports over the windows that ran.", no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


COLUMNS = (
    "component",
    "name",
    "windows",
    "maintenance_minutes",
    "counted_minutes",
    "per_agreement_minutes",
    "availability",
    "availability_with_planned",
)


def _percent(value: float) -> str:
    return f"{value * 100:.3f}%"


def _csv(report: dict[str, Any]) -> None:
    """One row per component; a `minutes:<type>` column per type that ran in the month."""
    rows = report["components"]
    types = sorted({t for c in rows for t in c["by_type"]})
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([*COLUMNS, *(f"minutes:{t}" for t in types)])
    for c in rows:
        fixed = [c["id"], c["name"], *(c[k] for k in COLUMNS[2:])]
        by_type = [c["by_type"].get(t, {}).get("minutes", 0.0) for t in types]
        out.writerow([clean(str(v)) for v in (*fixed, *by_type)])


def _tables(report: dict[str, Any]) -> None:
    rows = report["components"]
    console.print(
        table(
            f"SLA {report['month']} ({report['period_minutes']:g} minutes)",
            (
                "Component",
                "Windows",
                "Maintenance",
                "Counted",
                "Per agreement",
                "Avail.",
                "With planned",
            ),
            [
                (
                    c["id"],
                    c["windows"],
                    f"{c['maintenance_minutes']:g}m",
                    f"{c['counted_minutes']:g}m",
                    f"{c['per_agreement_minutes']:g}m",
                    _percent(c["availability"]),
                    _percent(c["availability_with_planned"]),
                )
                for c in rows
            ],
            wide=1,
        )
    )
    by_type = [
        (
            c["id"],
            name,
            f"{t['minutes']:g}m",
            f"{t['counted_minutes']:g}m",
            f"{t['per_agreement_minutes']:g}m",
        )
        for c in rows
        for name, t in c["by_type"].items()
    ]
    if by_type:
        columns = ("Component", "Type", "Minutes", "Counted", "Per agreement")
        console.print(table("By type", columns, by_type, wide=2))


@app.command()
def sla(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM (UTC)")],
    component: Annotated[str | None, typer.Option(help="only this component")] = None,
    format: Annotated[Format, typer.Option(help="table, json or csv")] = Format.TABLE,
) -> None:
    """Per component: maintenance minutes by type, what counts against the SLA, availability."""
    params = {"month": month, **({"component": component} if component else {})}
    with connect() as api:
        report = api.json("GET", "/api/v1/reports/sla", params=params)
    if format == Format.JSON:
        print_json(report)
    elif format == Format.CSV:
        _csv(report)
    else:
        _tables(report)
