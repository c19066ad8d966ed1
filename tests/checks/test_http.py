"""The http kind against a loopback server: status, latency, JSON path, body; hangs time out."""

from __future__ import annotations

import base64
import json
import ssl
from pathlib import Path
from typing import Any

import trustme

from maintctl.domain.checks import Status
from tests.checks.servers import Answer, Http, free_port, full_backlog, make, resp, run

HEALTH = json.dumps({"maintenanceMode": False, "db": {"ok": True}}).encode()


def test_a_healthy_answer_passes_with_the_runbooks_wording() -> None:
    with Http({"/health": Answer(200, HEALTH, "application/json")}) as server:
        result = run(
            make(
                "http",
                url=server.url + "/health",
                expect={"status": 200, "json": {"maintenanceMode": False, "db.ok": True}},
            )
        )
    assert result.status is Status.PASS
    assert result.message.startswith("Healthy (200 OK, ") and result.message.endswith("ms)")
    assert result.unit == "ms" and isinstance(result.observed, int)


def test_a_json_field_that_differs_fails_naming_it() -> None:
    body = json.dumps({"maintenanceMode": True}).encode()
    with Http({"/health": Answer(200, body, "application/json")}) as server:
        result = run(
            make("http", url=server.url + "/health", expect={"json": {"maintenanceMode": False}})
        )
    assert result.status is Status.FAIL
    assert "maintenanceMode is true, expected false" in result.message


def test_a_wrong_status_or_missing_body_text_fails() -> None:
    with Http({"/down": Answer(503, b"busy"), "/up": Answer(200, b"all good")}) as server:
        down = run(make("http", url=server.url + "/down"))
        body = run(make("http", url=server.url + "/up", expect={"body": "fine"}))
        found = run(
            make("http", url=server.url + "/up", expect={"body": "good", "latency_ms": "< 60000"})
        )
    assert down.status is Status.FAIL and "503 Service Unavailable" in down.message
    assert body.status is Status.FAIL and "does not contain 'fine'" in body.message
    assert found.status is Status.PASS


def test_garbage_where_json_is_expected_is_an_error() -> None:
    with Http({"/h": Answer(200, b"<html>")}) as server:
        result = run(make("http", url=server.url + "/h", expect={"json": {"a": 1}}))
    assert result.status is Status.ERROR and "not JSON" in result.message


def test_a_server_that_hangs_times_out() -> None:
    with Http({"/slow": Answer(200, b"late", delay=30)}) as server:
        result = run(make("http", url=server.url + "/slow", timeout=0.3))
    assert result.status is Status.TIMEOUT and result.message == "Timed out after 0.3s"


def test_a_connect_that_hangs_times_out() -> None:
    with full_backlog() as port:
        result = run(make("http", url=f"http://127.0.0.1:{port}/", timeout=0.3))
    assert result.status is Status.TIMEOUT


def test_an_answer_that_is_not_http_is_an_error() -> None:
    with resp(b"HELLO there\r\n\r\n") as port:
        result = run(make("http", url=f"http://127.0.0.1:{port}/"))
    assert result.status is Status.ERROR and result.message.startswith("the answer is not HTTP")


def test_a_closed_port_fails_as_unreachable() -> None:
    result = run(make("http", url=f"http://127.0.0.1:{free_port()}/"))
    assert result.status is Status.FAIL and result.message.startswith("Unreachable (")


def test_https_verifies_against_the_given_authority(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with Http({"/health": Answer(200, b"ok")}) as server:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost").configure_cert(context)
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        url = f"https://localhost:{server.port}/health"
        trusted = run(make("http", tmp_path, url=url, ca_file="ca.pem"))
        untrusted = run(make("http", tmp_path, url=url))
    assert trusted.status is Status.PASS, trusted.message
    assert untrusted.status is Status.FAIL and "certificate not trusted" in untrusted.message


def test_a_url_from_a_file_sends_its_user_as_basic_auth_and_never_shows_it(tmp_path: Path) -> None:
    with Http({"/private": Answer(200, b"ok")}) as server:
        seen: list[str] = []
        original = server.server.RequestHandlerClass.do_GET  # type: ignore[attr-defined]

        def record(handler: Any) -> None:
            seen.append(handler.headers.get("Authorization", ""))
            original(handler)

        server.server.RequestHandlerClass.do_GET = record  # type: ignore[attr-defined]
        (tmp_path / "url").write_text(f"http://ops:pa%40ss@127.0.0.1:{server.port}/private\n")
        result = run(make("http", tmp_path, url_file="url"))
    assert result.status is Status.PASS
    assert seen == ["Basic " + base64.b64encode(b"ops:pa@ss").decode()]
    assert "pa%40ss" not in result.message and "ops:" not in result.message
