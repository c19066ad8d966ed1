"""The notification routes over HTTP: paged lists, problem+json refusals, and no secret in JSON."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.store.db import Database
from tests.channels.sinks import free_port, http_sink
from tests.conftest import Clock
from tests.services.notices_setup import SECRET, drain, file_window, notice_deps, sign


def test_pending_comes_a_page_at_a_time_by_due_time_and_the_log_has_every_attempt(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    with http_sink() as sink:
        deps = notice_deps(db, clock, tmp_path, sink, free_port())
        wid = file_window(deps, "2026-12-06T02:00:00Z", "2026-12-06T04:00:00Z")
        sign(deps, wid)
        drain(deps)  # the initial notice goes out; the reminders wait
        with TestClient(create_app(deps)) as http:
            seen, url = [], "/api/v1/notifications?limit=2"
            for _ in range(10):  # 7 waiting: 3 reminders on each channel, 1 draft; 4 pages
                page = http.get(url)
                assert page.status_code == 200
                seen += page.json()
                link = page.headers.get("link")
                if not link:
                    break
                url = link[1 : link.index(">")]
            dues = [n["due_at"] for n in seen]
            assert len(seen) == 7
            assert dues == sorted(dues) and len({n["id"] for n in seen}) == len(seen)
            assert {n["status"] for n in seen} <= {"queued", "planned", "draft"}
            assert any(n["status"] == "draft" for n in seen)
            bad = http.get("/api/v1/notifications", params={"status": "lost"})
            assert bad.status_code == 422
            assert bad.headers["content-type"] == "application/problem+json"
            assert http.get("/api/v1/notifications/N-0x").status_code == 422
            assert http.get("/api/v1/notifications/N-4242").status_code == 404
            automated = next(n for n in seen if n["channel"] == "eng-hook")
            refused = http.post(f"/api/v1/notifications/{automated['id']}/send")
            assert refused.status_code == 422
            assert refused.json()["problems"][0]["rule"] == "not-manual"
            log = http.get(f"/api/v1/windows/{wid}/notifications")
            sent = [n for n in log.json() if n["status"] == "sent"]
            assert [n["kind"] for n in sent] == ["initial"]
            assert sent[0]["attempts"][0]["ok"] is True
            shown = http.get(f"/api/v1/notifications/{sent[0]['id']}").json()
            assert shown["subject"].startswith("[Scheduled Maintenance]")
            everything = json.dumps([seen, log.json(), shown, http.get("/api/v1/jobs").json()])
            assert SECRET not in everything
