"""HTTP: the status, the latency, a JSON path or a body match ("Healthy (200 OK, 45ms)")."""

from __future__ import annotations

import json
import time
from http import HTTPStatus
from typing import Any

from pydantic import Field, field_validator

from maintctl.checks.base import Check, CheckError, Expect, Observation, Params, UrlParams, millis
from maintctl.checks.web import Unreachable, fetch
from maintctl.domain.checks import Expectation


class HttpExpect(Params):
    status: list[int] = Field(default_factory=lambda: [200], max_length=20)
    json_: dict[str, Expect] = Field(default_factory=dict, alias="json", max_length=50)
    body: str | None = Field(default=None, max_length=1_000)
    latency_ms: Expect | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, int) else value


class HttpParams(UrlParams):
    method: str = Field(default="GET", pattern=r"^(GET|HEAD|POST|OPTIONS)$")
    expect: HttpExpect = Field(default_factory=HttpExpect)
    ca_file: str | None = None
    verify: bool = True


def json_path(document: Any, path: str) -> tuple[bool, Any]:
    """The value at a dotted path (`data.items.0.ready`), and whether it is there."""
    here = document
    for part in path.split("."):
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            return False, None
    return True, here


class HttpCheck(Check):
    PARAMS = HttpParams
    UNIT = "ms"

    @classmethod
    def prepare(cls) -> None:
        import h11  # noqa: F401

    async def observe(self) -> Observation:
        params = self.params
        url = self.url(params)
        ca = str(self.spec.base_dir / params.ca_file) if params.ca_file else None
        started = time.monotonic()
        try:
            answer = await fetch(url, params.method, ca, params.verify)
        except Unreachable as exc:
            return Observation(False, None, f"Unreachable ({exc})")
        elapsed = millis(time.monotonic() - started)
        try:
            phrase = HTTPStatus(answer.status).phrase
        except ValueError:
            phrase = answer.reason
        said = f"{answer.status} {phrase}".strip()
        wrong = self._mismatches(answer.status, answer.body, elapsed)
        if wrong:
            return Observation(False, elapsed, f"Unhealthy ({said}, {elapsed}ms; {wrong})")
        return Observation(True, elapsed, f"Healthy ({said}, {elapsed}ms)")

    @property
    def params(self) -> HttpParams:
        assert isinstance(self.spec.params, HttpParams)
        return self.spec.params

    def _mismatches(self, status: int, body: bytes, elapsed: int) -> str:
        expect = self.params.expect
        if status not in expect.status:
            return f"expected {' or '.join(map(str, expect.status))}"
        if expect.latency_ms is not None and not expect.latency_ms.holds(elapsed):
            return f"latency expected {expect.latency_ms.text()}ms"
        text = body.decode("utf-8", "replace")
        if expect.body is not None and expect.body not in text:
            return f"the body does not contain {expect.body!r}"
        if expect.json_:
            return _json_mismatch(text, expect.json_)
        return ""


def _json_mismatch(text: str, wanted: dict[str, Expectation]) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        raise CheckError("the answer is not JSON, but the check expects JSON fields") from None
    for path, expectation in wanted.items():
        found, value = json_path(document, path)
        if not found:
            return f"{path} is missing"
        shown = json.dumps(value) if not isinstance(value, str) else value
        if not expectation.holds(value if isinstance(value, int | float | str | bool) else shown):
            return f"{path} is {shown[:80]}, expected {json.dumps(expectation.value)}"
    return ""


CHECK = HttpCheck
