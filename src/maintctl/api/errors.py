"""Service errors, request validation errors and every unexpected error as RFC 9457 problem+json."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from maintctl.api.problems import (
    PROBLEM_JSON,
    STATUS,
    TITLE,
    UNAUTHENTICATED_HEADERS,
    problem_body,
    shape_problems,
)
from maintctl.domain.errors import MaintctlError, Problem
from maintctl.faults import EnvironmentFault

# STATUS and TITLE live in problems.py (framework-free, shared with the CLI's local transport).
__all__ = ["PROBLEM_JSON", "STATUS", "TITLE", "install", "problem_response"]

RETRY_AFTER_S = 2  # a locked SQLite database frees within its busy timeout, or soon after

log = logging.getLogger("maintctl.api")


def problem_response(
    kind: str,
    problems: list[Problem],
    instance: str,
    headers: Mapping[str, str] | None = None,
    status: int | None = None,
) -> JSONResponse:
    body = problem_body(kind, problems, instance)
    if status is not None:
        body["status"] = status
    status = body["status"]
    headers = dict(headers or {})
    if status == 401:
        headers.update(UNAUTHENTICATED_HEADERS)
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
        problems = shape_problems(list(exc.errors()))
        return problem_response("rule-violation", problems, request.url.path)
