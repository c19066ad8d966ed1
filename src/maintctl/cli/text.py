"""Typed text on a terminal: data, never control sequences. Standard library only."""

from __future__ import annotations

import re

# Every C0 control but tab and line feed, DEL and every C1 control: typed text must not move the
# cursor, recolour the terminal, ring the bell or rewrite a line (\r) for whoever reads it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Typed text made safe for a terminal: each control character shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)
