"""What the OpenAPI document says about refusals and markdown answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import PlainTextResponse


class ProblemDetail(BaseModel):
    field: str
    rule: str
    message: str
    fix: str


class Problem(BaseModel):
    """RFC 9457 problem details, with one entry per problem."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    problems: list[ProblemDetail]


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": Problem.model_json_schema()}},
    }


# Every refusal any route may give; one table so the schema and errors.py cannot drift apart.
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: _problem("No, a bad or a revoked token"),
    403: _problem("Your role does not allow this"),
    404: _problem("Not found"),
    409: _problem("Conflicts with another window, a signature or the window's state"),
    412: _problem("If-Match names an old version"),
    422: _problem("Bad input or a policy rule broken; one entry per problem"),
    413: _problem("The body is larger than the server reads (1 MiB); refused before the token"),
    500: _problem("An unexpected error; the problem names an error ID the server's log holds"),
    502: _problem("An outside calendar could not be read"),
    503: _problem("The database is locked (see Retry-After), read-only or unreachable"),
}
MARKDOWN = {"content": {"text/markdown": {"schema": {"type": "string"}}}}
