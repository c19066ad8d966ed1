"""The prometheus kind against /api/v1/query's documented answers: one number passes, a
vector of several series is an error naming why, a hang times out."""

from __future__ import annotations

import json
from typing import Any

from maintctl.domain.checks import Status
from tests.checks.servers import Answer, Http, make, run


def answer(kind: str, result: Any, status: str = "success") -> Answer:
    body = {"status": status, "data": {"resultType": kind, "result": result}}
    return Answer(200, json.dumps(body).encode(), "application/json")


def sample(value: str, **labels: str) -> dict[str, Any]:
    return {"metric": labels, "value": [1435781451.781, value]}


def test_a_one_sample_vector_and_a_scalar_give_a_number() -> None:
    routes = {"/api/v1/query": answer("vector", [sample("195")])}
    with Http(routes) as server:
        result = run(make("prometheus", url=server.url, query="p99", unit="ms", expect="< 250"))
        routes["/api/v1/query"] = answer("scalar", [1435781451.781, "0.08"])
        scalar = run(make("prometheus", url=server.url, query="err", unit="%"))
    assert server.seen[0].startswith("/api/v1/query?query=p99")
    assert (result.status, result.observed, result.message) == (Status.PASS, 195.0, "195ms")
    assert (scalar.status, scalar.observed, scalar.message) == (Status.PASS, 0.08, "0.08%")


def test_a_number_beyond_its_expectation_fails() -> None:
    with Http({"/api/v1/query": answer("vector", [sample("300")])}) as server:
        result = run(make("prometheus", url=server.url, query="p99", unit="ms", expect="< 250"))
    assert result.status is Status.FAIL and result.message == "300ms (expected < 250.0)"


def test_a_vector_of_several_series_is_an_error_naming_why() -> None:
    several = answer("vector", [sample("1", job="a"), sample("0", job="b")])
    with Http({"/api/v1/query": several}) as server:
        result = run(make("prometheus", url=server.url, query="up"))
    assert result.status is Status.ERROR
    assert "a vector of 2 series, not one number" in result.message


def test_a_refused_query_and_garbage_are_errors() -> None:
    refused = Answer(
        400,
        json.dumps({"status": "error", "errorType": "bad_data", "error": "parse error"}).encode(),
    )
    with Http({"/api/v1/query": refused, "/x/api/v1/query": Answer(200, b"<html>")}) as server:
        bad = run(make("prometheus", url=server.url, query="up{"))
        garbage = run(make("prometheus", url=server.url + "/x", query="up"))
        empty_server = run(make("prometheus", url=server.url + "/none", query="up"))
    assert bad.status is Status.ERROR and "bad_data: parse error" in bad.message
    assert garbage.status is Status.ERROR and "not JSON" in garbage.message
    assert empty_server.status is Status.ERROR


def test_a_prometheus_that_hangs_times_out() -> None:
    slow = answer("vector", [sample("1")])
    slow.delay = 30
    with Http({"/api/v1/query": slow}) as server:
        result = run(make("prometheus", url=server.url, query="up", timeout=0.3))
    assert result.status is Status.TIMEOUT
