"""How routes reach the use cases' dependencies and units of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from maintctl.services.deps import Deps


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


AppDeps = Annotated[Deps, Depends(_deps)]
