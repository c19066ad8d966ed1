"""Notices as the runbook words them: golden texts for one window, and what each audience sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from maintctl.config import Channel, Config, parse_config
from maintctl.domain.errors import RuleViolation
from maintctl.domain.model import Pace, ProgressUpdate, Status, Window, WindowSpec
from maintctl.services import render
from maintctl.services.deps import Deps
from maintctl.services.render import Notice, render_notice, render_with

START = datetime(2024, 12, 29, 2, tzinfo=UTC)
SECRET = "Upgrade PG 15 to 16 on db-7 <script>alert(1)</script> {{ 7*7 }}"
CONFIG_TEXT = (
    "components:\n"
    "  - {id: api, name: API, systems: [api, api-gateway]}\n"
    "  - {id: agents, name: Agents, systems: [agents]}\n"
    "status_page: {title: AgentOS Status, url: 'https://status.agentos.io'}\n"
)


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG_TEXT, "m.yaml", Path())


def window(**spec_fields: object) -> Window:
    spec = WindowSpec(
        "planned-outage",
        START,
        START + timedelta(hours=2),
        ["api", "db"],
        "rita",
        SECRET,
        public_title="Database upgrade",
        public_message="The API will be read-only while we upgrade the database.",
    )
    spec = replace(spec, **spec_fields)  # type: ignore[arg-type]
    return Window("MNT-2024-0123", Status.SCHEDULED, spec, "rita", START, START, lead="tom")


def customer(
    config: Config, kind: str, w: Window | None = None, **extra: object
) -> render.Rendered:
    return render_with(config, Notice(w or window(), kind, "customers-enterprise", extra=extra))


INITIAL = """\
Dear Customer,

We are writing to inform you of scheduled maintenance for AgentOS.

MAINTENANCE DETAILS
-------------------
Maintenance: Database upgrade
Date: Sunday, 2024-12-29
Time: 02:00 - 04:00 UTC
Duration: 2 hours
Impact: 5 minutes to 2 hours
Affected: API

WHAT TO EXPECT
--------------
The API will be read-only while we upgrade the database.

We apologize for any inconvenience and appreciate your understanding.

You can follow the maintenance at: https://status.agentos.io

The AgentOS Team
"""

REMINDER = """\
Dear Customer,

This is a reminder that scheduled maintenance for AgentOS will begin in 24 hours.

MAINTENANCE DETAILS
-------------------
Maintenance: Database upgrade
Date: Tomorrow, 2024-12-29
Time: 02:00 - 04:00 UTC
Duration: 2 hours
Impact: 5 minutes to 2 hours
Affected: API

The API will be read-only while we upgrade the database.

STATUS PAGE
-----------
You can monitor the maintenance progress at: https://status.agentos.io

The AgentOS Team
"""

STARTED = """\
Scheduled maintenance has begun: Database upgrade.

Start Time: 02:03 UTC
Expected End: 04:00 UTC
Current Status: In Progress

Monitor progress: https://status.agentos.io

The AgentOS Team
"""

COMPLETE = """\
Scheduled maintenance has been completed successfully: Database upgrade.

Start Time: 02:03 UTC
End Time: 03:48 UTC
Duration: 1 hour 45 minutes
Status: Complete

All services are now operating normally.

The AgentOS Team
"""

EMERGENCY = """\
Dear Customer,

We are performing emergency maintenance on AgentOS: Database upgrade.

The API will be read-only while we upgrade the database.

DETAILS
-------
Start Time: 02:03 UTC
Expected Duration: 2 hours
Impact: As required
Affected: API

We apologize for the short notice.

Updates will be provided via our status page: https://status.agentos.io

The AgentOS Team
"""

UPDATE = """\
MAINTENANCE UPDATE [02:40 UTC]
----------------------------------------
ID: MNT-2024-0123
Progress: Step 3 of 7
Current Task: Migrating the orders table
Status: On Track
ETA: 03:30 UTC
"""


def started(w: Window) -> Window:
    w.status, w.actual_start = Status.IN_PROGRESS, START + timedelta(minutes=3)
    return w


def test_the_initial_notice_is_the_runbooks_text_for_a_fixed_window(config: Config) -> None:
    done = customer(config, "initial")
    assert done.subject == "[Scheduled Maintenance] Database upgrade - Sunday, 2024-12-29"
    assert done.text == INITIAL


def test_the_24h_reminder_is_the_runbooks_text(config: Config) -> None:
    done = customer(config, "reminder-24h")
    assert done.subject == "[Reminder] Scheduled Maintenance Tomorrow - Database upgrade"
    assert done.text == REMINDER


@pytest.mark.parametrize(
    ("kind", "words", "subject"),
    [
        ("reminder-3d", "in 3 days", "in 3 Days"),
        ("reminder-7d", "in 7 days", "in 7 Days"),
        ("reminder-48h", "in 48 hours", "in 48 Hours"),
        ("reminder-1h", "in 1 hour", "in 1 Hour"),
        ("reminder-1h30m", "in 1 hour 30 minutes", "in 1 Hour 30 Minutes"),
    ],
)
def test_other_reminders_say_when_from_their_offset(
    config: Config, kind: str, words: str, subject: str
) -> None:
    done = customer(config, kind)
    assert f"will begin {words}." in done.text and "Date: Sunday, 2024-12-29" in done.text
    assert done.subject == f"[Reminder] Scheduled Maintenance {subject} - Database upgrade"
    assert f"begins {words}" in done.chat


def test_the_start_notice_carries_the_actual_start(config: Config) -> None:
    done = customer(config, "start", started(window()))
    assert (done.subject, done.text) == ("[Maintenance Started] Database upgrade", STARTED)


def test_the_completion_notice_carries_the_actual_times_and_duration(config: Config) -> None:
    w = started(window())
    w.status, w.actual_end = Status.COMPLETED, START + timedelta(hours=1, minutes=48)
    done = customer(config, "completion", w)
    assert (done.subject, done.text) == ("[Maintenance Complete] Database upgrade", COMPLETE)


def test_an_emergency_start_uses_the_runbooks_emergency_text(config: Config) -> None:
    done = customer(config, "start", started(window(type="emergency")))
    assert (done.subject, done.text) == (
        "[URGENT] Emergency Maintenance - Database upgrade",
        EMERGENCY,
    )
    ended = customer(config, "completion", started(window(type="emergency")))
    assert ended.subject == "[Maintenance Complete] Emergency Maintenance - Database upgrade"


def test_the_progress_update_is_the_runbooks_maintenance_update(config: Config) -> None:
    at = START + timedelta(minutes=40)
    update = ProgressUpdate(
        at, 3, 7, "Migrating the orders table", Pace.ON_TRACK, "tom", START + timedelta(hours=1.5)
    )
    done = render_with(
        config, Notice(started(window()), "progress", "internal-engineering", update=update)
    )
    assert done.chat == UPDATE
    assert done.subject == "[Maintenance Update] Database upgrade - Step 3 of 7"
    shown = render_with(
        config, Notice(started(window()), "progress", "customers-all", update=update)
    )
    assert "Migrating" not in shown.text + shown.html + shown.chat and "Step 3 of 7" in shown.text


def test_a_rescheduled_notice_gives_the_old_and_new_times(config: Config) -> None:
    done = customer(
        config,
        "rescheduled-1",
        previous_start="2024-12-22T02:00:00Z",
        previous_end=START - timedelta(days=7, hours=-2),
    )
    assert done.subject == "[Rescheduled Maintenance] Database upgrade - Sunday, 2024-12-29"
    assert "It was planned for Sunday, 2024-12-22, 02:00 - 04:00 UTC." in done.text
    assert "Time: 02:00 - 04:00 UTC" in done.text


def test_a_cancelled_notice_gives_customers_a_public_reason_only(config: Config) -> None:
    w = window()
    w.status, w.cancel_reason = Status.CANCELLED, "vendor firmware bug INTERNAL-42"
    plain = customer(config, "cancelled", w)
    assert plain.subject == "[Maintenance Cancelled] Database upgrade"
    assert "Reason" not in plain.text and "INTERNAL-42" not in plain.text + plain.html + plain.chat
    told = customer(config, "cancelled", w, public_reason="We found a safer way.")
    assert "Reason: We found a safer way." in told.text and "INTERNAL-42" not in told.text
    inside = render_with(config, Notice(w, "cancelled", "internal-engineering"))
    assert "Internal reason: vendor firmware bug INTERNAL-42" in inside.text


def test_a_window_across_midnight_names_the_day_it_ends(config: Config) -> None:
    w = window(start=START - timedelta(hours=3), end=START + timedelta(hours=1))
    assert (
        "Time: 23:00 - 03:00 UTC (ends Sunday, 2024-12-29)" in customer(config, "initial", w).text
    )


@pytest.mark.parametrize("kind", [n.kind for n in render.sample_notices(parse_config("{}", "x"))])
def test_a_customer_notice_never_holds_the_description_or_evaluates_typed_text(
    config: Config, kind: str
) -> None:
    """Every kind (32 cases with the sample's audiences), for a customer audience."""
    w = started(window(public_message="Read-only {{ 7*7 }} <b>bold</b>"))
    audience = render.PERSON if kind in render.PERSON_KINDS else "customers-all"
    done = render_with(config, Notice(w, kind, audience))
    everything = done.subject + done.text + done.html + done.chat
    if audience != render.PERSON:
        assert "db-7" not in everything and "<script>" not in everything
        assert "MNT-2024-0123" not in everything and "rita" not in everything
    assert "49" not in everything
    assert "<b>bold</b>" not in done.html
    if "Read-only" in done.html:
        assert "Read-only {{ 7*7 }} &lt;b&gt;bold&lt;/b&gt;" in done.html


def test_an_internal_notice_shows_the_description_escaped_in_html(config: Config) -> None:
    done = render_with(config, Notice(window(), "initial", "internal-engineering"))
    assert SECRET in done.text and "Window: MNT-2024-0123 (planned-outage, scheduled)" in done.text
    assert "<script>" not in done.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in done.html
    assert "Systems: api, db" in done.text and "Dear Customer" not in done.text


def test_a_typed_title_is_escaped_in_html_and_kept_on_one_line_in_the_subject(
    config: Config,
) -> None:
    done = customer(config, "initial", window(public_title='<img src=x onerror="1">\nBcc: x@y'))
    assert "<img" not in done.html and "&lt;img src=x onerror=&#34;1&#34;&gt;" in done.html
    assert "\n" not in done.subject and done.subject.startswith("[Scheduled Maintenance] <img")


def test_a_chat_channel_gets_the_short_form_and_no_html(config: Config) -> None:
    chat = Channel(name="c", audience="internal-engineering", url="json://127.0.0.1:9/x")
    done = render_with(config, Notice(window(), "initial", "internal-engineering", chat))
    assert done.html == "" and done.text == done.chat
    assert done.text.startswith("Scheduled maintenance: Database upgrade - Sunday, 2024-12-29")


def test_the_product_comes_from_the_config_or_the_status_pages_title(tmp_path: Path) -> None:
    named = parse_config("product: Acme Cloud\n", "m.yaml", tmp_path)
    assert "maintenance for Acme Cloud." in customer(named, "initial").text
    assert "The Acme Cloud Team" in customer(named, "initial").text
    bare = parse_config("{}", "m.yaml", tmp_path)
    text = customer(bare, "initial").text
    assert "maintenance for our service." in text and "The Maintenance Team" in text
    assert "follow the maintenance" not in text  # no status_page.url: no link


def test_messages_to_a_person_name_the_window(config: Config) -> None:
    w = window()
    waiting = render_with(config, Notice(w, "signature-waiting", "person", extra={"role": "cto"}))
    assert waiting.subject == "[Approval Needed] Database upgrade (MNT-2024-0123)"
    assert "Your signature is waiting as cto" in waiting.text
    no = render_with(config, Notice(w, "rejected", "person", extra={"by": "tom", "reason": "<b>x"}))
    assert "rejected by tom. Reason: <b>x" in no.text and "&lt;b&gt;x" in no.html
    quiet = render_with(config, Notice(w, "progress-reminder", "person"))
    assert "No progress update for 30 minutes" in quiet.text


def test_an_unknown_kind_or_audience_names_the_field_and_the_choices(deps: Deps) -> None:
    w = window()
    with pytest.raises(RuleViolation) as caught:
        render_notice(deps, Notice(w, "reminder-soon", "customers-all"))
    assert (
        caught.value.problems[0].field == "kind" and "reminder-24h" in caught.value.problems[0].fix
    )
    with pytest.raises(RuleViolation) as caught:
        render_notice(deps, Notice(w, "initial", "everyone"))
    assert caught.value.problems[0].field == "audience"
    assert "customers-enterprise" in caught.value.problems[0].fix
    with pytest.raises(RuleViolation) as caught:
        render_notice(deps, Notice(w, "approved", "customers-all"))
    assert caught.value.problems[0].field == "audience" and "person" in caught.value.problems[0].fix
