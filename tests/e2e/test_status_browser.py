"""The status page in a real browser: Debian's headless Chromium, driven by Playwright, loads
/status from a running `maintctl serve` and reads what a person would see.

Playwright's own browser download is not used: it launches the `chromium` package's binary
(`.ci/run` installs it). Without it the test is skipped, except under CI, where it must run.
A screenshot is kept in artifacts/ (git-ignored) or $MAINTCTL_ARTIFACTS, and its path printed.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from maintctl.config import load_config
from maintctl.domain.roles import Principal, Role
from maintctl.services import lifecycle, windows, workflow
from maintctl.services.deps import Deps
from maintctl.store import migrate
from maintctl.store.db import Database
from tests.e2e.test_team_story import Server

CHROMIUM = os.environ.get("MAINTCTL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("MAINTCTL_ARTIFACTS") or Path(__file__).parents[2] / "artifacts")
TYPED = "<script>window.pwned = 1</script> Database upgrade"
RITA = Principal("rita", Role.REQUESTER)
TOM = Principal("tom", Role.TEAM_LEAD)
# A type that any day and any hour allows, with no notice, so the test runs whatever the date.
CONFIG = """\
policy:
  types:
    web-maintenance:
      description: Scheduled work on the service
      customer_impact: A few minutes of errors
      notice: 0m
      max_duration: 2h
      approvals: [team-lead]
      windows: any
      ignores_freezes: true
components:
  - {id: database, name: Customer Database, systems: [db]}
  - {id: api, name: Public API, systems: [api]}
  - {id: website, name: Website, systems: [web]}
status_page: {title: "Example Status"}
"""


def _browser_or_skip() -> None:
    why = None
    if not Path(CHROMIUM).is_file():
        why = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "Playwright for Python is not installed (pip install -e '.[dev]')"
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {why}")
    pytest.skip(why)


def _window(deps: Deps, start: datetime, hours: int, systems: list[str], **extra: str) -> str:
    spec = {
        "type": "web-maintenance",
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "systems": systems,
        "description": "PRIVATE-DESCRIPTION",
        **extra,
    }
    with deps.db.write() as session:
        wid = windows.create(deps, session, spec, RITA).id
        workflow.submit(deps, session, wid, RITA)
        workflow.approve(deps, session, wid, TOM)
    return wid


def test_a_browser_shows_the_upcoming_and_active_maintenance_in_utc_and_typed_text_as_text(
    tmp_path: Path,
) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    config = tmp_path / "maintctl.yaml"
    config.write_text(CONFIG, "utf-8")
    url = f"sqlite:///{tmp_path / 'maintctl.db'}"
    db = Database(url)
    migrate.upgrade(db)
    deps = Deps.build(db, load_config(config))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    later = (now + timedelta(days=3)).replace(hour=2, minute=0)
    upcoming = _window(deps, later, 2, ["db"], public_title=TYPED)
    running = _window(deps, now + timedelta(minutes=5), 1, ["api"], public_title="API upgrade")
    with deps.db.write() as session:
        lifecycle.start(deps, session, running, RITA)
    db.dispose()

    env = {
        **os.environ,
        "MAINTCTL_DATABASE_URL": url,
        "MAINTCTL_CONFIG": str(config),
        "HOME": str(tmp_path),
    }
    server = Server(env, tmp_path, tmp_path / "serve.log")
    try:
        server.wait_healthy()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "status-page.png"
        with sync_playwright() as p:
            # As root (CI), Chromium's sandbox cannot start; the page is our own, on loopback.
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                # A phone, in a zone far from UTC: the page must still say UTC.
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, timezone_id="America/Los_Angeles"
                )
                page = context.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                answer = page.goto(f"{server.url}/status")
                assert answer is not None and answer.status == 200
                page.screenshot(path=str(shot), full_page=True)
                print(f"\nstatus page screenshot: {shot}")

                title = page.locator(f"[id='{upcoming}'] .title").inner_text()
                assert title.startswith(TYPED)  # shown as text
                assert page.evaluate("window.pwned") is None and not dialogs  # and never run
                assert page.locator("script").count() == 0
                when = page.locator(f"[id='{upcoming}'] .when").inner_text()
                start = later.strftime("%Y-%m-%d %H:%M UTC")
                end = (later + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M UTC")
                assert start in when and end in when
                assert page.locator("#upcoming").inner_text().count("Scheduled") >= 1
                assert "API upgrade" in page.locator("#active").inner_text()
                states = {
                    page.locator(f"[data-component='{c}'] .state").inner_text()
                    for c in ("database", "website")
                }
                assert states == {"Operational"}
                api = page.locator("[data-component='api'] .state").inner_text()
                assert api == "Under maintenance"
                assert page.locator("#overall").inner_text() == "Service Under Maintenance"
                body = page.locator("body").inner_text()
                assert "PRIVATE-DESCRIPTION" not in body and "rita" not in body
                # Fluid: nothing wider than the phone's screen.
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
            finally:
                browser.close()
    finally:
        log = server.stop()
    assert "Traceback" not in log, log
