"""The status page: Statuspage's /api/v2/*.json, /status (HTML) and /history.atom (Atom).

Thin wrappers over api/handlers/status.py; each sends the body the handler encoded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from maintctl.api.auth import StatusReader
from maintctl.api.deps import AppDeps
from maintctl.api.handlers import NO_BODY, Reply
from maintctl.api.handlers import status as handlers
from maintctl.domain.roles import Principal
from maintctl.services.deps import Deps

router = APIRouter(tags=["status page"])
IfNoneMatch = Annotated[str | None, Header(description="an ETag this path gave")]
Handler = Callable[[Deps, Principal | None, str | None], Reply]


def _send(reply: Reply) -> Response:
    if reply.status in NO_BODY or reply.stream is None:
        return Response(status_code=reply.status, headers=reply.headers)
    kind = reply.media_type + ("" if reply.media_type == "application/json" else "; charset=utf-8")
    return Response(b"".join(reply.stream), reply.status, reply.headers, media_type=kind)


def _route(path: str, handler: Handler, media_type: str, summary: str) -> None:
    def route(deps: AppDeps, who: StatusReader, if_none_match: IfNoneMatch = None) -> Any:
        return _send(handler(deps, who, if_none_match))

    route.__name__ = handler.__name__
    responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {media_type: {"schema": {"type": "object"}}}},
        304: {"description": "Not modified since the ETag named in If-None-Match"},
    }
    if media_type != "application/json":
        responses[200] = {"content": {media_type: {"schema": {"type": "string"}}}}
    router.add_api_route(
        path,
        route,
        methods=["GET"],
        response_class=Response,
        response_model=None,
        responses=responses,
        summary=summary,
    )


_JSON = "application/json"
_route("/api/v2/summary.json", handlers.summary, _JSON, "Statuspage summary")
_route("/api/v2/status.json", handlers.overall, _JSON, "Statuspage status rollup")
_route("/api/v2/components.json", handlers.components, _JSON, "Statuspage components")
_route(
    "/api/v2/scheduled-maintenances.json",
    handlers.maintenances,
    _JSON,
    "The 50 most recent scheduled maintenances",
)
_route(
    "/api/v2/scheduled-maintenances/upcoming.json",
    handlers.upcoming,
    _JSON,
    "Scheduled maintenances still scheduled",
)
_route(
    "/api/v2/scheduled-maintenances/active.json",
    handlers.active,
    _JSON,
    "Scheduled maintenances in progress or verifying",
)
_route("/api/v2/incidents.json", handlers.incidents, _JSON, "The 50 most recent incidents")
_route(
    "/api/v2/incidents/unresolved.json",
    handlers.unresolved,
    _JSON,
    "Incidents investigating, identified or monitoring",
)
_route("/status", handlers.page, handlers.HTML, "The status page (HTML)")
_route("/history.atom", handlers.feed, handlers.ATOM, "The public maintenances as an Atom feed")
