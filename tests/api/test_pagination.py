"""GET /api/v1/windows in keyset pages: bounds, the Link header, filters, stability."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.cli.window import next_link
from maintctl.domain import bounds
from maintctl.services import windows
from maintctl.services.deps import Deps
from tests.conftest import ALICE

SUNDAY = datetime.fromisoformat("2027-01-03T02:00:00+00:00")


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as http:
        yield http


def _add(deps: Deps, week: int, system: str, kind: str = "zero-downtime") -> str:
    start = SUNDAY + timedelta(weeks=week)
    fields = {
        "type": kind,
        "start": start.isoformat(),
        "duration": "5m",
        "systems": [system],
        "description": f"work on {system}",
    }
    with deps.db.write() as session:
        return windows.create(deps, session, fields, ALICE).id


def _walk(
    client: TestClient, first: str, between: Callable[[int], object] = lambda _: None
) -> list[str]:
    """Every id the pages give, following Link; `between(n)` runs after the n-th page."""
    seen: list[str] = []
    url: str | None = first
    for page in range(50):  # bounded: the tests hold far fewer pages
        assert url is not None
        response = client.get(url)
        assert response.status_code == 200, response.text
        seen += [w["id"] for w in response.json()]
        url = next_link(response)
        if url is None:
            return seen
        between(page)
    raise AssertionError("more pages than windows")


def test_pages_cover_every_window_once_while_windows_are_added_between_pages(
    client: TestClient, deps: Deps
) -> None:
    # 3 starts x 4 systems: equal starts, so the id breaks ties in the key.
    first = [_add(deps, week, system) for week in range(3) for system in ("a", "b", "c", "d")]
    # After the first two pages, one window each: before the cursor (never seen, and nothing
    # shifts), then after it (seen once, in its place).
    where = [(0, "e"), (9, "e")]
    added: list[str] = []

    def insert(page: int) -> None:
        if page < len(where):
            added.append(_add(deps, *where[page]))

    seen = _walk(client, "/api/v1/windows?limit=5", insert)
    assert len(seen) == len(set(seen)), "a window was shown twice"
    assert set(first) <= set(seen), "a window was skipped"
    assert added[0] not in seen and added[1] in seen


def test_the_next_link_is_absent_on_the_last_page(client: TestClient, deps: Deps) -> None:
    for system in ("a", "b", "c"):
        _add(deps, 0, system)
    response = client.get("/api/v1/windows", params={"limit": 3})
    assert len(response.json()) == 3 and "link" not in response.headers
    response = client.get("/api/v1/windows", params={"limit": 2})
    link = next_link(response)
    assert link is not None and response.headers["link"].endswith('; rel="next"')
    assert parse_qs(urlsplit(link).query)["limit"] == ["2"]


def test_a_page_is_bounded_by_default_and_past_the_maximum_refused(
    client: TestClient, deps: Deps
) -> None:
    response = client.get("/api/v1/windows", params={"limit": bounds.PAGE_MAX + 1})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "limit"
    assert client.get("/api/v1/windows", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/windows").status_code == 200


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "W10", "WyIyMDI3LTAxLTAzVDAyOjAwOjAwIiwxXQ", "", "eyJhIjoxfQ", "!!!!", "a" * 5000],
)
def test_a_tampered_cursor_is_refused(client: TestClient, cursor: str) -> None:
    # 7 cases: not base64, not a pair, a naive time with an int id, empty, an object, bad
    # characters, and a very long one.
    response = client.get("/api/v1/windows", params={"cursor": cursor})
    if cursor == "":
        assert response.status_code == 200  # no cursor: the first page
        return
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "cursor"


def test_filters_narrow_by_system_type_status_and_time(client: TestClient, deps: Deps) -> None:
    on_a = _add(deps, 0, "a")
    on_b = _add(deps, 1, "b", "brief-interruption")
    later = _add(deps, 5, "c")

    def ids(**params: object) -> list[str]:
        response = client.get("/api/v1/windows", params=params)
        assert response.status_code == 200, response.text
        return [w["id"] for w in response.json()]

    assert ids(system="a") == [on_a]
    assert ids(system=["a", "c"]) == [on_a, later]
    assert ids(system="a,c") == [on_a, later]
    assert ids(type="brief-interruption") == [on_b]
    assert ids(status="draft,cancelled") == [on_a, on_b, later]
    assert ids(status="scheduled") == []
    # Overlap: ending after `from`, starting before `to`.
    assert ids(**{"from": "2027-01-03T02:04:00Z", "to": "2027-01-10T02:00:01Z"}) == [on_a, on_b]
    assert ids(**{"from": "2027-01-04"}) == [on_b, later]
    refused = client.get("/api/v1/windows", params={"status": "nope"})
    assert refused.status_code == 422
    assert client.get("/api/v1/windows", params={"from": "soon"}).status_code == 422


def test_pages_of_one_system_cover_its_windows_once_even_at_equal_starts(
    client: TestClient, deps: Deps
) -> None:
    # A cancelled window and its replacement share start and system: the id breaks the tie.
    first = _add(deps, 0, "a")
    with deps.db.write() as session:
        windows.cancel(deps, session, first, "moved", ALICE, None)
    again = _add(deps, 0, "a")
    later = _add(deps, 1, "a")
    _add(deps, 0, "b")
    seen = _walk(client, "/api/v1/windows?limit=1&system=a")
    assert seen == [*sorted([first, again]), later]
    assert _walk(client, "/api/v1/windows?limit=1&system=a&status=draft") == [again, later]


def test_from_finds_a_window_of_the_longest_length_that_began_long_before(
    client: TestClient, deps: Deps
) -> None:
    # The look-back that keeps `from` cheap is the hard cap on a window's length: a window of
    # exactly that length, started that long before `from`, is still found.
    fields = {
        "type": "emergency",  # exempt from the year-end freeze such a window must cross
        "start": SUNDAY.isoformat(),
        "duration": f"{bounds.MAX_WINDOW.days}d",
        "justification": "a long one",
        "systems": ["z"],
        "description": "a long one",
    }
    with deps.db.write() as session:
        long = windows.create(deps, session, fields, ALICE).id
    edge = (SUNDAY + bounds.MAX_WINDOW - timedelta(seconds=1)).isoformat()
    response = client.get("/api/v1/windows", params={"from": edge})
    assert [w["id"] for w in response.json()] == [long]
    after = (SUNDAY + bounds.MAX_WINDOW).isoformat()
    assert client.get("/api/v1/windows", params={"from": after}).json() == []
