"""A window told, started and shown, end to end: a real `maintctl serve` (with its embedded
worker), each person's own CLI, a loopback webhook sink as the engineers' channel, and the public
status page read over HTTP as a Statuspage client would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.sinks import HttpSink, http_sink
from tests.e2e.test_team_story import (
    MAINTCTL,
    NO_LOCAL_DB,
    Person,
    Server,
    Transcript,
    _clean_env,
    _login,
)

HOOK_KEY = "e2e-hook-key-5d1c9a"
# One signature and no notice, so the story can start within minutes by the real clock; the
# timeline is the built-in planned-outage one (initial, 7d/3d/24h reminders, start, completion).
CONFIG = """\
policy:
  types:
    planned-outage: {notice: 0s, windows: any, approvals: [team-lead]}
components:
  - {id: api, name: Public API, systems: [api, api-gateway]}
  - {id: billing, name: Billing, systems: [billing]}
channels:
  - name: eng-hook
    audience: internal-engineering
    webhook: {url: "SINK/maint", secret_file: hook.key}
status_page: {title: "Example Status", url: "https://status.example.com"}
"""
WAIT_S = 20.0  # the embedded worker polls every half second; this is the bound on each wait


def _sent(sink: HttpSink) -> list[dict[str, Any]]:
    """The webhook bodies received so far, each checked against its signature."""
    bodies = []
    for hit in list(sink.hits):
        mac = hmac.new(HOOK_KEY.encode(), hit.body, hashlib.sha256).hexdigest()
        assert hit.headers["x-maintctl-signature"] == f"sha256={mac}"
        assert hit.headers["idempotency-key"]
        bodies.append(json.loads(hit.body))
    return bodies


def _wait_for(sink: HttpSink, event: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = [body for body in _sent(sink) if body["event"] == event]
        if found:
            return found[0]
        time.sleep(0.1)
    pytest.fail(
        f"no {event!r} notice within {WAIT_S}s; received {[b['event'] for b in _sent(sink)]}"
    )


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_window_is_told_started_and_shown_on_the_status_page(
    database_url: str, tmp_path: Path
) -> None:
    with http_sink() as sink:
        (tmp_path / "hook.key").write_text(HOOK_KEY + "\n", "utf-8")
        config = tmp_path / "maintctl.yaml"
        config.write_text(CONFIG.replace("SINK", sink.url), "utf-8")
        operator = _clean_env(tmp_path / "operator", config)
        operator["MAINTCTL_DATABASE_URL"] = database_url
        tokens = {}
        for name, role in (("rita", "requester"), ("tom", "team-lead")):
            done = subprocess.run(
                [MAINTCTL, "user", "add", name, "--role", role, "--json"],
                env=operator, cwd=tmp_path, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            tokens[name] = json.loads(done.stdout)["token"]
        server_env = _clean_env(tmp_path / "server", config)
        server_env["MAINTCTL_DATABASE_URL"] = database_url
        server = Server(server_env, tmp_path, tmp_path / "server.log")
        transcript = Transcript()
        try:
            server.wait_healthy()
            people = {}
            for name in tokens:
                env = _clean_env(tmp_path / name, config)
                env["MAINTCTL_DATABASE_URL"] = NO_LOCAL_DB
                people[name] = Person(name, tmp_path / name, env, transcript)
                _login(people[name], server.url, tokens[name])
            rita, tom = people["rita"], people["tom"]

            start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
            created = rita.ok_json(
                "window", "create", "--type", "planned-outage",
                "--start", _utc(start), "--end", _utc(start + timedelta(hours=1)),
                "--systems", "api", "--description", "Rotate the <internal> DB password",
                "--public-title", "API maintenance <b>", "--public-message", "Brief errors.",
                "--json",
            )  # fmt: skip
            wid = created["id"]
            rita.ok_json("window", "submit", wid, "--json")
            assert tom.ok_json("window", "approve", wid, "--json")["status"] == "scheduled"

            # Told: the initial notice at the final signature; the reminders already past skipped.
            initial = _wait_for(sink, "initial")
            assert initial["window"]["id"] == wid
            log = rita.ok_json("notify", "log", wid, "--json")
            kinds = {row["kind"]: row["status"] for row in log}
            assert kinds["initial"] == "sent" and not any(k.startswith("reminder") for k in kinds)

            # Shown: upcoming on the status page, public words only.
            upcoming = httpx.get(f"{server.url}/api/v2/scheduled-maintenances/upcoming.json")
            [shown] = upcoming.json()["scheduled_maintenances"]
            assert (shown["id"], shown["name"], shown["status"]) == (
                wid,
                "API maintenance <b>",
                "scheduled",
            )
            assert "internal" not in upcoming.text and "api-gateway" not in upcoming.text

            # Started (within 15 minutes of its start), a public update, and the page follows.
            assert rita.ok_json("start", wid, "--json")["status"] == "in_progress"
            update = rita.run(
                "progress", wid, "--step", "1", "--of", "2", "--task", "Rotate the password",
                "--public", "Half way there.",
            )  # fmt: skip
            assert update.code == 0, update.err
            _wait_for(sink, "start")
            summary = httpx.get(f"{server.url}/api/v2/summary.json").json()
            states = {c["name"]: c["status"] for c in summary["components"]}
            assert states == {"Public API": "under_maintenance", "Billing": "operational"}
            [active] = summary["scheduled_maintenances"]
            assert active["status"] == "in_progress"
            assert "Half way there." in [u["body"] for u in active["incident_updates"]]
            page = httpx.get(f"{server.url}/status").text
            assert "API maintenance &lt;b&gt;" in page and "Rotate the" not in page

            # Completed: the completion notice carries the actual duration.
            assert rita.ok_json("complete", wid, "--json")["status"] == "completed"
            completion = _wait_for(sink, "completion")
            assert completion["window"]["id"] == wid
            after = httpx.get(f"{server.url}/api/v2/components.json").json()
            assert {c["status"] for c in after["components"]} == {"operational"}
        finally:
            server_log = server.stop()
    texts = [server_log] + [o.out + o.err for o in transcript.outputs]
    assert not [t for t in texts if HOOK_KEY in t or tokens["rita"] in t]
