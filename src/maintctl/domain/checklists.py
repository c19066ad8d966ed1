"""Checklists as data: their items, who settles each, and the verdict lines (pure).

An item's full name is `list.item` (`precheck.on-call-briefed`): one namespace for every
checklist, so the precheck and the post-maintenance lists share `maintctl ack`. A `judged` item
is settled from the records (approvals, notices, the status page, baselines) and is never
attested; an `attested` item is settled by people acknowledging it, each as themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from maintctl.domain.errors import Problem

NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
JUDGED, ATTESTED = "judged", "attested"
# `each: team`: every member of the window's team acknowledges for themself (n/m);
# `each: one`: one acknowledgement from anyone allowed settles it.
TEAM, ONE = "team", "one"


class Item(BaseModel):
    """One item of a checklist as the policy declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str = Field(pattern=NAME.pattern, description="its name within the list")
    title: str = Field(min_length=1, max_length=100, description="the line printed for it")
    kind: Literal["judged", "attested"]
    each: Literal["team", "one"] = Field(default="one", description="attested: who acknowledges")
    # Said plainly when nothing judges a judged item (a feature not configured).
    unjudged: str = Field(default="", max_length=200)


@dataclass(frozen=True)
class Line:
    """One item's verdict: OK or not, what was found, and how to fix it when not."""

    name: str
    title: str
    kind: str
    ok: bool
    detail: str = ""
    fix: str = ""

    def text(self) -> str:
        """The runbook's line: `[OK] Approvals verified` or `[FAIL] Team available (1/3)`."""
        mark = "[OK]" if self.ok else "[FAIL]"
        return f"{mark} {self.title}" + (f" ({self.detail})" if self.detail else "")


def full_name(checklist: str, item: Item) -> str:
    return f"{checklist}.{item.item}"


def find(checklists: Mapping[str, Sequence[Item]], name: str) -> tuple[str, Item] | None:
    """The (checklist, item) a full name `list.item` names, or None."""
    listed, _, short = name.partition(".")
    for item in checklists.get(listed, ()):
        if item.item == short:
            return listed, item
    return None


def unknown(checklists: Mapping[str, Sequence[Item]], name: str) -> Problem:
    """The problem for an item name no checklist holds, listing those that can be acknowledged."""
    ackable = [
        full_name(listed, i)
        for listed, items in checklists.items()
        for i in items
        if i.kind == ATTESTED
    ]
    return Problem(
        "item",
        "unknown-item",
        f"{name[:80]!r} is not an item of any checklist",
        f"use one of {', '.join(ackable) or 'none (the policy declares no attested item)'}",
    )


def unjudged(name: str, item: Item) -> Line:
    """A judged item with no judge: never passes, and says why."""
    reason = item.unjudged or "nothing in maintctl judges this item"
    return Line(name, item.title, JUDGED, False, f"not judged: {reason}", "configure the feature")


def team_line(name: str, item: Item, window: str, team: Sequence[str], acked: set[str]) -> Line:
    """n/m of the window's team acknowledged; an empty team never passes."""
    if not team:
        return Line(
            name,
            item.title,
            ATTESTED,
            False,
            "no team named",
            f"name it: maintctl window modify {window} --team a,b",
        )
    waiting = [m for m in team if m not in acked]
    done = len(team) - len(waiting)
    fix = f"{', '.join(waiting)}: maintctl ack {window} {name}, each as themself" if waiting else ""
    return Line(name, item.title, ATTESTED, not waiting, f"{done}/{len(team)}", fix)


def attested_line(name: str, item: Item, window: str, acked: Sequence[str]) -> Line:
    """Settled by one acknowledgement, naming who gave it."""
    if acked:
        return Line(name, item.title, ATTESTED, True, f"by {', '.join(sorted(acked))}")
    return Line(
        name, item.title, ATTESTED, False, "not acknowledged", f"maintctl ack {window} {name}"
    )


def ready(lines: Sequence[Line]) -> bool:
    return all(line.ok for line in lines)
