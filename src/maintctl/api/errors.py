"""Service errors and request validation errors as RFC 9457 problem+json."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from maintctl.api.problems import (
    PROBLEM_JSON,
    STATUS,
    TITLE,
    UNAUTHENTICATED_HEADERS,
    problem_body,
    shape_problems,
)
from maintctl.domain.errors import MaintctlError, Problem

# STATUS and TITLE live in problems.py (framework-free, shared with the CLI's local transport).
__all__ = ["PROBLEM_JSON", "STATUS", "TITLE", "install", "problem_response"]


def problem_response(kind: str, problems: list[Problem], instance: str) -> JSONResponse:
    body = problem_body(kind, problems, instance)
    status = body["status"]
    headers = UNAUTHENTICATED_HEADERS if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(MaintctlError)
    async def _domain(request: Request, exc: MaintctlError) -> JSONResponse:
        return problem_response(exc.kind, exc.problems, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = shape_problems(list(exc.errors()))
        return problem_response("rule-violation", problems, request.url.path)
