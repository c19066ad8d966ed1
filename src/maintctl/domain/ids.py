"""Window IDs: MNT-YYYY-NNNN for requests, EMT-YYYYMMDDHHMM for emergencies (the runbook)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from maintctl.domain.errors import Problem

MNT = re.compile(r"^MNT-(\d{4})-(\d{4,6})$")
EMT = re.compile(r"^EMT-(\d{12})(?:-(\d+))?$")


@dataclass(frozen=True)
class WindowId:
    text: str
    year: int | None = None
    number: int | None = None


def parse_id(text: str) -> WindowId:
    """Check an explicit ID's form; raise ValueError naming the expected pattern."""
    value = text.strip().upper()
    if m := MNT.match(value):
        return WindowId(value, int(m.group(1)), int(m.group(2)))
    if EMT.match(value):
        return WindowId(value)
    raise ValueError(value)


def id_problem(text: str) -> Problem:
    return Problem(
        "id",
        "id-format",
        f"{text!r} is not a window ID",
        "use MNT-YYYY-NNNN (e.g. MNT-2024-0123), EMT-YYYYMMDDHHMM for emergencies, "
        "or leave --id out for the next free number",
    )


def mnt_id(year: int, number: int) -> WindowId:
    return WindowId(f"MNT-{year:04d}-{number:04d}", year, number)


def emt_id(start: datetime) -> WindowId:
    return WindowId(f"EMT-{start:%Y%m%d%H%M}")
