"""/metrics: the Prometheus text exposition (not under /api: the CLI never asks it)."""

from __future__ import annotations

from maintctl.api.handlers import Reply
from maintctl.domain.roles import Principal
from maintctl.services import metrics as service
from maintctl.services.deps import Deps


def metrics(deps: Deps, who: Principal | None) -> Reply:
    """Every gauge, read from the database now."""
    body = service.exposition(deps, who)
    return Reply(body.decode("utf-8"), media_type=service.MEDIA_TYPE)
