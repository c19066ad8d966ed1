"""/metrics for Prometheus: a viewer's token, or none when the config says `metrics.public`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from maintctl.api.auth import MetricsReader
from maintctl.api.deps import AppDeps
from maintctl.api.handlers import metrics as handlers

router = APIRouter(tags=["meta"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(deps: AppDeps, who: MetricsReader) -> Any:
    """maintctl's state in the Prometheus text format (docs/after.md lists the series)."""
    reply = handlers.metrics(deps, who)
    headers = {"Cache-Control": "no-store"}
    return Response(reply.body, reply.status, headers, media_type=reply.media_type)
