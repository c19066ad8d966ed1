"""Service errors, request validation errors and every unexpected error as RFC 9457 problem+json."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from maintctl.domain.errors import MaintctlError, Problem
from maintctl.faults import EnvironmentFault

PROBLEM_JSON = "application/problem+json"
STATUS = {
    "rule-violation": 422,
    "conflict": 409,
    "not-found": 404,
    "method-not-allowed": 405,
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
    "method-not-allowed": "This path does not take that method",
    "state": "The window's state does not allow this",
    "calendar-feed": "An outside calendar could not be read",
    "unauthenticated": "Authentication needed",
    "forbidden": "Your role does not allow this",
    "stale": "The window changed since you read it",
    "too-large": "The request is larger than the server accepts",
    "unavailable": "The server is busy; try again shortly",
    "internal": "Something went wrong on the server",
}
RETRY_AFTER_S = 2  # a locked SQLite database frees within its busy timeout, or soon after

log = logging.getLogger("maintctl.api")


def problem_response(
    kind: str,
    problems: list[Problem],
    instance: str,
    headers: Mapping[str, str] | None = None,
    status: int | None = None,
) -> JSONResponse:
    status = status or STATUS.get(kind, 400)
    body: dict[str, Any] = {
        "type": f"urn:maintctl:problem:{kind}",
        "title": TITLE.get(kind, "Bad request"),
        "status": status,
        "detail": "; ".join(p.line() for p in problems),
        "instance": instance,
        "problems": [p.as_dict() for p in problems],
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="maintctl"'
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def fault_response(fault: EnvironmentFault, instance: str) -> JSONResponse:
    """503 naming what is unusable; Retry-After where waiting can help."""
    headers = {"Retry-After": str(RETRY_AFTER_S)} if fault.busy else None
    problem = Problem("server", "unavailable", fault.message, fault.fix)
    return problem_response("unavailable", [problem], instance, headers)


def unexpected(exc: BaseException, instance: str, fault: EnvironmentFault | None) -> JSONResponse:
    """503 for an environment fault; else 500 with an error ID that the log holds with the trace."""
    if fault is not None:
        log.warning("unavailable on %s: %s", instance, fault)
        return fault_response(fault, instance)
    error_id = secrets.token_hex(6)
    log.error("error %s on %s", error_id, instance, exc_info=exc)
    problem = Problem(
        "server",
        "internal",
        f"an unexpected error, logged as {error_id}",
        "the server's log holds it with the traceback (in the CLI's local mode, run the "
        "command again with --debug to see it)",
    )
    return problem_response("internal", [problem], instance)


_HTTP_KINDS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    401: "unauthenticated",
}


def install(app: FastAPI) -> None:
    @app.exception_handler(MaintctlError)
    async def _domain(request: Request, exc: MaintctlError) -> JSONResponse:
        return problem_response(exc.kind, exc.problems, request.url.path)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        # The router's own answers (unknown path, wrong method) in the same shape as ours.
        kind = _HTTP_KINDS.get(exc.status_code, "invalid")
        field = "method" if exc.status_code == 405 else "path"
        problem = Problem(
            field, kind, str(exc.detail), "see /openapi.json for the paths and methods"
        )
        return problem_response(kind, [problem], request.url.path, exc.headers, exc.status_code)

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
