"""The middleware in real servers over HTTP: each test runs on uvicorn (ASGI) and wsgiref (WSGI).

The state comes from a loopback fake of maintctl's public /health that serves contract §3's shape.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.middleware.conftest import FakeMaintctl, Serve, dead_url, health

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def client() -> httpx.Client:
    return httpx.Client(trust_env=False, timeout=5)


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_it_answers_503_with_retry_after_and_the_message_in_traffic_maintenance(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    until = later(2)
    maintctl.answer(health(trafficMode="maintenance", message="Back at 04:00 UTC.", until=until))
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    with client() as http:
        for method in ("GET", "POST"):
            answer = http.request(method, f"{service.url}/orders", headers={"Accept": "*/*"})
            assert answer.status_code == 503
            assert answer.headers["content-type"] == "application/problem+json"
            assert 7100 < int(answer.headers["retry-after"]) <= 7200
            problem = answer.json()
            assert problem["status"] == 503
            assert problem["title"] == "Service under maintenance"
            assert problem["detail"] == "Back at 04:00 UTC."
            assert problem["until"] == until


def test_it_escapes_the_message_in_the_html_page_a_browser_gets(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    maintctl.answer(
        health(trafficMode="maintenance", message='<script>alert("x")</script> & back soon')
    )
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with client() as http:
        answer = http.get(f"{service.url}/", headers={"Accept": browser})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["retry-after"] == "300"  # no end known
    assert "<script>" not in answer.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; back soon" in answer.text


def test_it_lets_reads_through_and_refuses_writes_in_read_only(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    maintctl.answer(health(trafficMode="read-only", message="Read-only until 04:00 UTC."))
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    with client() as http:
        for method in ("GET", "HEAD", "OPTIONS"):
            assert http.request(method, f"{service.url}/orders").status_code == 200
        seen = http.get(f"{service.url}/orders").json()
        assert seen["maintctl"]["trafficMode"] == "read-only"
        for method in WRITES:
            answer = http.request(method, f"{service.url}/orders", content=b"{}")
            assert answer.status_code == 503, method
            assert answer.headers["retry-after"] == "300"
            assert answer.json()["title"] == "Read-only during maintenance"
            assert answer.json()["detail"] == "Read-only until 04:00 UTC."


def test_allow_listed_paths_pass_exactly_or_under_a_prefix_ending_in_a_slash(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    maintctl.answer(health(trafficMode="maintenance"))
    service = serve(server=maintctl.url, allow_paths=["/healthz", "/static/"])
    service.middleware.refresh_now()
    with client() as http:
        assert http.get(f"{service.url}/healthz").status_code == 200
        assert http.post(f"{service.url}/static/app.css").status_code == 200
        for refused in ("/healthz/more", "/static", "/staticfiles", "/"):
            assert http.get(f"{service.url}{refused}").status_code == 503, refused


def test_maintenance_mode_hands_the_message_to_the_app_and_sends_it_as_a_safe_header(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    until = later(1)
    message = "Résumé at 04:00 ✓\r\nX-Injected: yes"
    maintctl.answer(health(maintenanceMode=True, message=message, until=until))
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    with client() as http:
        answer = http.post(f"{service.url}/orders", content=b"{}")
    assert answer.status_code == 200
    assert answer.json()["maintctl"] == {
        "maintenanceMode": True,
        "trafficMode": "normal",
        "message": message,
        "until": until,
    }
    assert answer.headers["maintenance-mode"] == "on"
    assert answer.headers["maintenance-message"] == "Résumé at 04:00 X-Injected: yes"
    assert "x-injected" not in answer.headers


def test_nothing_is_added_while_everything_is_normal(maintctl: FakeMaintctl, serve: Serve) -> None:
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    with client() as http:
        answer = http.delete(f"{service.url}/orders/1")
    assert answer.status_code == 200
    assert answer.json()["maintctl"] is None
    assert "maintenance-mode" not in answer.headers


def test_the_health_path_reports_maintenance_mode_on_the_service_itself(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    until = later(1)
    maintctl.answer(
        health(maintenanceMode=True, trafficMode="read-only", message="Upgrade.", until=until)
    )
    service = serve(server=maintctl.url, health_path="/health")
    service.middleware.refresh_now()
    with client() as http:
        answer = http.get(f"{service.url}/health")
        refused = http.post(f"{service.url}/health")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/health+json"
    assert answer.json() == {
        "status": "warn",
        "maintenanceMode": True,
        "trafficMode": "read-only",
        "message": "Upgrade.",
        "until": until,
        "maintctl": "known",
    }
    assert refused.status_code == 405


def test_it_keeps_the_last_known_state_when_maintctl_fails_or_goes_down(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    maintctl.answer(health(trafficMode="maintenance", message="Down for the upgrade."))
    service = serve(server=maintctl.url)
    service.middleware.refresh_now()
    # maintctl's database unreachable: 503 without the state's members; then nonsense; then gone.
    faults: list[Any] = [
        lambda: maintctl.answer({"status": "fail", "checks": {}}, status=503),
        lambda: maintctl.answer_raw(b"<html>proxy error</html>"),
        lambda: maintctl.answer({"status": "pass"}),
        maintctl.stop,
    ]
    with client() as http:
        for fault in faults:
            fault()
            service.middleware.refresh_now()
            answer = http.get(f"{service.url}/orders")
            assert answer.status_code == 503
            assert answer.json()["detail"] == "Down for the upgrade."
            reported = http.get(f"{service.url}/health").json()
            assert reported["maintctl"] == "stale"
            assert reported["trafficMode"] == "maintenance"


def test_before_any_state_is_known_it_lets_traffic_through_unless_told_to_fail_closed(
    serve: Serve,
) -> None:
    nowhere = dead_url()
    open_ = serve(server=nowhere)
    closed = serve(server=nowhere, fail_open=False, allow_paths=["/healthz"])
    open_.middleware.refresh_now()
    closed.middleware.refresh_now()
    with client() as http:
        assert http.post(f"{open_.url}/orders").status_code == 200
        assert http.get(f"{open_.url}/health").json()["maintctl"] == "unknown"
        refused = http.get(f"{closed.url}/orders")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"  # the refresh interval, rounded up
        allowed = http.get(f"{closed.url}/healthz")
        assert allowed.status_code == 200
        assert allowed.json()["maintctl"]["trafficMode"] == "maintenance"
        reported = http.get(f"{closed.url}/health").json()
    assert reported["maintctl"] == "unknown"
    assert reported["trafficMode"] == "maintenance"


def test_a_service_gets_the_strictest_of_the_global_state_and_its_systems(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    db_until, web_until = later(1), later(3)
    maintctl.answer(
        health(
            maintenanceMode=False,
            trafficMode="normal",
            message="Global notice.",
            systems={
                "db": {
                    "maintenanceMode": True,
                    "trafficMode": "read-only",
                    "message": "Database upgrade until 04:00 UTC.",
                    "until": db_until,
                },
                "web": {
                    "maintenanceMode": True,
                    "trafficMode": "maintenance",
                    "message": "Not ours.",
                    "until": web_until,
                },
            },
        )
    )
    ours = serve(server=maintctl.url, systems=["api", "db"])
    other = serve(server=maintctl.url, systems=["api"])
    ours.middleware.refresh_now()
    other.middleware.refresh_now()
    with client() as http:
        read = http.get(f"{ours.url}/orders")
        write = http.post(f"{ours.url}/orders")
        unscoped = http.post(f"{other.url}/orders")
    assert read.status_code == 200
    assert read.json()["maintctl"] == {
        "maintenanceMode": True,
        "trafficMode": "read-only",
        "message": "Database upgrade until 04:00 UTC.",
        "until": db_until,
    }
    assert write.status_code == 503
    assert 3500 < int(write.headers["retry-after"]) <= 3600
    assert unscoped.status_code == 200  # api alone: only the global state, all normal
    assert unscoped.json()["maintctl"] is None


def test_the_background_thread_picks_up_a_change_without_being_asked(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    service = serve(server=maintctl.url)  # polls every 0.2 s
    maintctl.answer(health(trafficMode="maintenance"))
    changed = threading.Event()
    for _ in range(100):  # at most 100 polls of 0.05 s: 5 s
        if service.middleware.watch.snapshot.blocked:
            changed.set()
            break
        changed.wait(0.05)
    assert changed.is_set()
    with client() as http:
        assert http.get(f"{service.url}/orders").status_code == 503


def test_a_new_message_replaces_the_old_one_in_the_refusal(
    maintctl: FakeMaintctl, serve: Serve
) -> None:
    service = serve(server=maintctl.url)
    with client() as http:
        for message in ("First wording.", "Second wording."):
            maintctl.answer(health(trafficMode="maintenance", message=message))
            service.middleware.refresh_now()
            for accept in ("application/json", "text/html"):
                answer = http.get(f"{service.url}/", headers={"Accept": accept})
                assert answer.status_code == 503
                assert message in answer.text
