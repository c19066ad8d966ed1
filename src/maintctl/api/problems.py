"""Problem+json bodies (RFC 9457), framework-free: shared by the API and the CLI's local mode."""

from __future__ import annotations

from typing import Any

from maintctl.domain.errors import Problem

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
UNAUTHENTICATED_HEADERS = {"WWW-Authenticate": 'Bearer realm="maintctl"'}


def problem_body(kind: str, problems: list[Problem], instance: str) -> dict[str, Any]:
    """The body of a refusal: its kind as a stable type, and one entry per problem."""
    return {
        "type": f"urn:maintctl:problem:{kind}",
        "title": TITLE.get(kind, "Bad request"),
        "status": STATUS.get(kind, 400),
        "detail": "; ".join(p.line() for p in problems),
        "instance": instance,
        "problems": [p.as_dict() for p in problems],
    }


def shape_problems(errors: list[Any]) -> list[Problem]:
    """Pydantic's errors for a request's shape, one problem each, named by the field's path."""
    return [
        Problem(
            ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path")) or "body",
            "request-shape",
            err["msg"],
            "see /openapi.json for the request's shape",
        )
        for err in errors
    ]
