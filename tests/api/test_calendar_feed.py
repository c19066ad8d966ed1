"""/calendar.ics: an ETag that moves with any change, 304 for a poll that changed nothing, and
a feed bounded in what it holds and streamed in pieces."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from maintctl.api.app import create_app
from maintctl.domain import bounds
from maintctl.services import calendar
from maintctl.services.deps import Deps
from tests.conftest import PLANNED_OUTAGE, Clock


@pytest.fixture
def http(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as client:
        yield client


def create(http: TestClient, system: str) -> str:
    response = http.post("/api/v1/windows", json={**PLANNED_OUTAGE, "systems": [system]})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def tag(http: TestClient) -> str:
    response = http.get("/calendar.ics")
    assert response.status_code == 200
    return response.headers["etag"]


def test_it_answers_304_while_nothing_changed(http: TestClient) -> None:
    create(http, "db")
    first = http.get("/calendar.ics")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.text.startswith("BEGIN:VCALENDAR")
    again = http.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (
        http.get("/calendar.ics", headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    )
    assert http.get("/calendar.ics", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_etag_moves_when_any_window_in_the_feed_changes(http: TestClient) -> None:
    empty = tag(http)
    window = create(http, "db")
    created = tag(http)
    # The clock stands still: the same updated_at, yet the version moved.
    patched = http.patch(
        f"/api/v1/windows/{window}", json={"impact": "none"}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    modified = tag(http)
    http.post(f"/api/v1/windows/{window}/cancel", json={"reason": "not needed"})
    cancelled = tag(http)
    assert len({empty, created, modified, cancelled}) == 4


def test_the_etag_moves_with_the_day(http: TestClient, clock: Clock) -> None:
    create(http, "db")
    before = tag(http)
    clock.now += timedelta(days=1)
    assert tag(http) != before


def test_the_feed_keeps_the_windows_that_start_last_up_to_its_cap(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [create(http, f"sys-{n}") for n in range(5)]
    monkeypatch.setattr(bounds, "EXPORT_MAX_EVENTS", 3)
    events = Calendar.from_ical(http.get("/calendar.ics").content).walk("VEVENT")
    # Same start on every window: the latest IDs are the ones kept.
    assert sorted(str(e["UID"]) for e in events) == [f"{i}@maintctl" for i in made[2:]]


def test_the_feed_is_sent_in_pieces(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(deps)) as http:
        for n in range(4):
            create(http, f"sys-{n}")
    monkeypatch.setattr(calendar, "CHUNK_BYTES", 200)
    pieces = list(calendar.export(deps))
    assert len(pieces) >= 4  # one event is over 200 bytes: at least one piece each
    feed = Calendar.from_ical(b"".join(pieces))
    assert len(feed.walk("VEVENT")) == 4
