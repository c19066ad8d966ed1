"""Prometheus: an instant PromQL query giving one number (p99 latency, error rate, throughput)."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

from pydantic import Field

from maintctl.checks.base import Check, CheckError, Expect, Observation, UrlParams
from maintctl.checks.web import Unreachable, fetch
from maintctl.domain.checks import format_value


class PrometheusParams(UrlParams):
    query: str = Field(min_length=1, max_length=10_000)
    expect: Expect | None = None
    ca_file: str | None = None


def number_of(document: Any) -> float:
    """The one number in /api/v1/query's answer; CheckError naming why when there is none."""
    if not isinstance(document, dict) or document.get("status") not in ("success", "error"):
        raise CheckError("the answer is not a Prometheus query result")
    if document["status"] == "error":
        raise CheckError(
            f"Prometheus refused the query ({document.get('errorType', '?')}: "
            f"{str(document.get('error', ''))[:200]})"
        )
    data = document.get("data")
    kind = data.get("resultType") if isinstance(data, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return _sample(result[1])
    if kind == "vector" and isinstance(result, list):
        if len(result) != 1:
            raise CheckError(
                f"the query returned a vector of {len(result)} series, not one number; "
                "aggregate it (sum, max, ... without by) to one value"
            )
        sample = result[0].get("value") if isinstance(result[0], dict) else None
        if isinstance(sample, list) and len(sample) == 2:
            return _sample(sample[1])
    if kind in ("matrix", "string"):
        raise CheckError(f"the query returned a {kind}, not one number; use an instant query")
    raise CheckError("the answer is not a Prometheus query result")


def _sample(text: Any) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise CheckError(f"the sample {str(text)[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise CheckError(f"the query's value is {text}, not a finite number")
    return value


class PrometheusCheck(Check):
    PARAMS = PrometheusParams

    @classmethod
    def prepare(cls) -> None:
        import h11  # noqa: F401

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, PrometheusParams)
        base = self.url(params).rstrip("/")
        ca = str(self.spec.base_dir / params.ca_file) if params.ca_file else None
        try:
            answer = await fetch(
                f"{base}/api/v1/query?{urlencode({'query': params.query})}", ca_file=ca
            )
        except Unreachable as exc:
            return Observation(False, None, f"Unreachable ({exc})")
        try:
            document = json.loads(answer.body)
        except ValueError:
            raise CheckError(f"the answer ({answer.status}) is not JSON") from None
        value = number_of(document)
        shown = format_value(value, self.spec.unit)
        if params.expect is not None and not params.expect.holds(value):
            return Observation(False, value, f"{shown} (expected {params.expect.text()})")
        return Observation(True, value, shown)


CHECK = PrometheusCheck
