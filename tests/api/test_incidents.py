"""An emergency on the status page is a Statuspage incident: investigating (impact major) from
the VP's signature with the runbook's first words, identified with a public update, in
summary.json, incidents.json and incidents/unresolved.json, on the HTML page (escaped) and in
the Atom feed; `emergency resolve` resolves it. Both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.services import emergency, lifecycle, workflow
from maintctl.services.deps import Deps
from tests.api.test_status_api import COMPONENT, MAINTENANCE, UPDATE
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, VICTOR
from tests.services.test_status import page_deps

INCIDENT = (MAINTENANCE - {"scheduled_for", "scheduled_until"}) | {"components", "started_at"}
TITLE = "Patch <b>now</b> & then"


def get(client: TestClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json() if path.endswith(".json") else response.text


def test_an_emergency_is_an_incident_until_it_is_resolved(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = page_deps(deps, tmp_path)
    ask = emergency.Ask("CVE in TLS", "API restarts", "1h", ("db",), TITLE)
    with deps.db.write() as session:
        wid = emergency.start(deps, session, RITA, ask).id
    client = TestClient(create_app(deps))
    assert get(client, "/api/v2/incidents.json")["incidents"] == []  # unsigned: not public
    clock.now += timedelta(minutes=3)
    with deps.db.write() as session:
        workflow.approve(deps, session, wid, VICTOR)
    summary = get(client, "/api/v2/summary.json")
    [incident] = summary["incidents"]
    assert set(incident) >= INCIDENT and set(incident["incident_updates"][0]) >= UPDATE
    assert (incident["id"], incident["name"], incident["status"], incident["impact"]) == (
        wid,
        TITLE,
        "investigating",
        "major",
    )
    assert [u["body"] for u in incident["incident_updates"]] == [
        "Emergency maintenance required. Updates to follow."
    ]
    assert [c["name"] for c in incident["components"]] == ["Customer Database"]
    assert set(incident["components"][0]) == COMPONENT
    assert summary["scheduled_maintenances"] == []
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert get(client, "/api/v2/incidents/unresolved.json")["incidents"] == [incident]
    clock.now += timedelta(minutes=10)
    with deps.db.write() as session:
        lifecycle.progress(
            deps, session, wid, RITA, step=1, of=2, task="patching", public="Patch rolling out."
        )
    [incident] = get(client, "/api/v2/incidents/unresolved.json")["incidents"]
    assert incident["status"] == "identified"
    assert incident["incident_updates"][0]["body"] == "Patch rolling out."
    page = get(client, "/status")
    assert "Patch &lt;b&gt;now&lt;/b&gt; &amp; then" in page and TITLE not in page
    assert "Investigating" in page and 'id="incidents"' in page
    assert "Patch &lt;b&gt;now&lt;/b&gt; &amp; then (identified)" in get(client, "/history.atom")
    clock.now += timedelta(minutes=20)
    with deps.db.write() as session:
        emergency.resolve(deps, session, wid, RITA)  # no quick checks here: completed at once
    assert get(client, "/api/v2/incidents/unresolved.json")["incidents"] == []
    summary = get(client, "/api/v2/summary.json")
    assert summary["incidents"] == [] and summary["status"]["indicator"] == "none"
    [resolved] = get(client, "/api/v2/incidents.json")["incidents"]
    assert resolved["status"] == "resolved" and resolved["resolved_at"].startswith(
        f"{clock.now:%Y-%m-%dT%H:%M}"
    )
    assert [u["status"] for u in resolved["incident_updates"]] == [
        "resolved",
        "identified",
        "investigating",
    ]
