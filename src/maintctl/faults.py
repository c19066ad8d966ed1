"""Environment faults: something maintctl needs (a database, a file, a folder) is unusable.

They are not the request's fault and not a bug: the API answers 503 and the CLI exits 3, each
with one line naming the thing and the fix (DESIGN.md, "Conventions").
"""

from __future__ import annotations


class EnvironmentFault(Exception):
    """Something maintctl needs cannot be used; `busy` when trying again shortly can help."""

    def __init__(self, message: str, fix: str, *, busy: bool = False) -> None:
        super().__init__(f"{message}; {fix}")
        self.message = message
        self.fix = fix
        self.busy = busy
