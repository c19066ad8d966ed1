"""Service errors and request validation errors as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from maintctl.domain.errors import MaintctlError, Problem

PROBLEM_JSON = "application/problem+json"
STATUS = {
    "rule-violation": 422,
    "conflict": 409,
    "not-found": 404,
    "state": 409,
    "calendar-feed": 502,
    "unauthenticated": 401,
    "forbidden": 403,
    "stale": 412,
    "too-large": 413,
    "unavailable": 503,
    "internal": 500,
}
TITLE = {
    "rule-violation": "The request breaks a rule",
    "conflict": "The request conflicts with something already planned",
    "not-found": "Not found",
    "state": "The window's state does not allow this",
    "calendar-feed": "An outside calendar could not be read",
    "unauthenticated": "Authentication needed",
    "forbidden": "Your role does not allow this",
    "stale": "The window changed since you read it",
    "too-large": "The request is larger than the server accepts",
    "unavailable": "The server is busy; try again shortly",
    "internal": "Something went wrong on the server",
}


def problem_response(kind: str, problems: list[Problem], instance: str) -> JSONResponse:
    status = STATUS.get(kind, 400)
    body: dict[str, Any] = {
        "type": f"urn:maintctl:problem:{kind}",
        "title": TITLE.get(kind, "Bad request"),
        "status": status,
        "detail": "; ".join(p.line() for p in problems),
        "instance": instance,
        "problems": [p.as_dict() for p in problems],
    }
    headers = {"WWW-Authenticate": 'Bearer realm="maintctl"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(MaintctlError)
    async def _domain(request: Request, exc: MaintctlError) -> JSONResponse:
        return problem_response(exc.kind, exc.problems, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(
                ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path"))
                or "body",
                "request-shape",
                err["msg"],
                "see /openapi.json for the request's shape",
            )
            for err in exc.errors()
        ]
        return problem_response("rule-violation", problems, request.url.path)
