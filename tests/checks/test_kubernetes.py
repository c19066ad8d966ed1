"""The kubernetes kind (lightkube, an optional extra) against a loopback API server serving the
documented PodList and NodeList JSON: "Pods: 45/45 Running", "Nodes: 6/6 Ready"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maintctl.domain.checks import Status
from tests.checks.servers import Answer, Http, make, run

pytest.importorskip("lightkube", reason="the [kubernetes] extra is not installed")


def pod(name: str, phase: str = "Running", ready: bool = True) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "prod"},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def node(name: str, ready: bool = True) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


def listing(kind: str, items: list[dict[str, Any]]) -> Answer:
    body = {"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": "7"}, "items": items}
    return Answer(200, json.dumps(body).encode(), "application/json")


def test_all_pods_running_and_all_nodes_ready_pass(tmp_path: Path) -> None:
    pods = [pod(f"api-{i}") for i in range(45)] + [pod("migrate", phase="Succeeded", ready=False)]
    routes = {
        "/api/v1/namespaces/prod/pods": listing("PodList", pods),
        "/api/v1/nodes": listing("NodeList", [node(f"n{i}") for i in range(6)]),
    }
    with Http(routes) as server:
        pods_result = run(
            make("kubernetes", server=server.url, namespace="prod", labels={"app": "api"})
        )
        nodes_result = run(make("kubernetes", server=server.url, resource="nodes"))
    assert (pods_result.status, pods_result.message) == (Status.PASS, "45/45 Running")
    assert (nodes_result.status, nodes_result.message) == (Status.PASS, "6/6 Ready")
    assert any("labelSelector=app%3Dapi" in seen for seen in server.seen)


def test_a_pod_not_ready_or_a_node_down_fails(tmp_path: Path) -> None:
    routes = {
        "/api/v1/pods": listing("PodList", [pod("a"), pod("b", ready=False), pod("c", "Pending")]),
        "/api/v1/nodes": listing("NodeList", [node("n1"), node("n2", ready=False)]),
    }
    with Http(routes) as server:
        pods_result = run(make("kubernetes", server=server.url))
        nodes_result = run(make("kubernetes", server=server.url, resource="nodes"))
        enough = run(make("kubernetes", server=server.url, resource="nodes", min_ready=1))
    assert (pods_result.status, pods_result.message) == (Status.FAIL, "1/3 Running")
    assert (nodes_result.status, nodes_result.message) == (Status.FAIL, "1/2 Ready")
    assert enough.status is Status.PASS


def test_a_refusal_is_an_error_and_a_hang_times_out(tmp_path: Path) -> None:
    refused = Answer(
        403,
        json.dumps(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "reason": "Forbidden",
                "message": "pods is forbidden",
                "code": 403,
            }
        ).encode(),
        "application/json",
    )
    slow = listing("NodeList", [node("n1")])
    slow.delay = 30
    with Http({"/api/v1/pods": refused, "/api/v1/nodes": slow}) as server:
        error = run(make("kubernetes", server=server.url))
        hang = run(make("kubernetes", server=server.url, resource="nodes", timeout=0.3))
    assert error.status is Status.ERROR and "403" in error.message
    assert hang.status is Status.TIMEOUT


def test_a_token_from_a_file_is_sent_and_never_shown(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("tok-123\n")
    with Http({}) as server:
        result = run(make("kubernetes", tmp_path, server=server.url, token_file="token"))
    assert result.status is Status.ERROR and "tok-123" not in result.message
