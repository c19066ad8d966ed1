"""The status page in HTML and Atom: typed text stays text, valid Atom, readable on a phone."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fastapi.testclient import TestClient

from maintctl.api.app import create_app
from maintctl.services.deps import Deps
from tests.api.test_status_api import server
from tests.conftest import Clock
from tests.services.test_lifecycle import RITA, START, move
from tests.services.test_status import page_deps, schedule

ATOM = "{http://www.w3.org/2005/Atom}"
TYPED = "<script>alert('x')</script> & \"quotes\""


def test_typed_text_is_text_in_the_html_and_the_atom_feed(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    paged = page_deps(deps, tmp_path)
    wid = schedule(paged, public_title=TYPED, public_message="<b>bold</b> message")
    clock.now = START
    move(paged, "start", wid, RITA)
    move(paged, "progress", wid, RITA, step=1, of=2, task="t", public="<img src=x onerror=y>")
    with TestClient(create_app(server(paged))) as http:
        page = http.get("/status")
        feed = http.get("/history.atom")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    for raw in ("<script>", "<b>", "<img"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; message" in html and "&lt;img src=x onerror=y&gt;" in html
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(feed.content)  # well-formed XML, whatever was typed
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title", "").startswith(TYPED)
    content = entry.findtext(f"{ATOM}content", "")
    assert "<img src=x onerror=y>" in content and "<b>bold</b> message" in content


def test_the_atom_feed_has_what_rfc_4287_requires(deps: Deps, clock: Clock, tmp_path: Path) -> None:
    paged = page_deps(deps, tmp_path)
    ids = [schedule(paged), schedule(paged, systems=["web"])]  # 2 entries
    with paged.db.write() as session:
        from maintctl.services import windows

        windows.cancel(paged, session, ids[1], "moved to next quarter", RITA)
    with TestClient(create_app(server(paged))) as http:
        root = ET.fromstring(http.get("/history.atom").content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{name}")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{ATOM}{name}"), name
        assert entry.findtext(f"{ATOM}id", "").startswith("urn:")
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("https://status.example.com#")
    titles = sorted(e.findtext(f"{ATOM}title", "") for e in entries)
    assert titles == ["Scheduled maintenance (cancelled)", "Scheduled maintenance (scheduled)"]
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2


def test_the_page_is_readable_on_a_phone_and_shows_times_in_utc(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    paged = page_deps(deps, tmp_path)
    schedule(paged, public_title="Database upgrade")
    with TestClient(create_app(server(paged))) as http:
        html = http.get("/status").text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width" in html and "overflow-wrap: anywhere" in html  # fluid, long words wrap
    assert "2026-12-06 02:00 UTC" in html and "2026-12-06 04:00 UTC" in html
    assert "Upcoming maintenance" in html and "Database upgrade" in html
    assert "No maintenance is in progress." in html
