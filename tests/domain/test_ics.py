from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser import unescape_backslash

from maintctl.domain.ics import EVENT_STATUS, export_calendar
from maintctl.domain.model import Risk, Status, Window, WindowSpec

NOW = datetime(2024, 12, 20, 9, 30, 15, tzinfo=UTC)


def make_window(**changes: Any) -> Window:
    spec = WindowSpec(
        type="planned-outage",
        start=datetime(2024, 12, 29, 2, 0, tzinfo=UTC),
        end=datetime(2024, 12, 29, 6, 0, tzinfo=UTC),
        systems=["db-primary", "api"],
        owner="alice",
        description="Upgrade PostgreSQL to 16",
        impact="API read-only for 30 minutes",
        risk=Risk.HIGH,
    )
    window = Window(
        id="MNT-2024-0123",
        status=Status.SCHEDULED,
        spec=spec,
        requested_by="alice",
        created_at=datetime(2024, 12, 1, 10, 0, tzinfo=UTC),
        updated_at=datetime(2024, 12, 2, 11, 0, tzinfo=UTC),
        sequence=2,
    )
    spec_fields = {k: changes.pop(k) for k in list(changes) if hasattr(spec, k)}
    return replace(window, spec=replace(spec, **spec_fields), **changes)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(data: bytes) -> Any:
    events = parse(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_it_writes_the_calendar_properties() -> None:
    calendar = parse(export_calendar([], now=NOW))

    assert str(calendar["PRODID"]) == "-//maintctl//maintctl//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "maintctl maintenance windows"
    assert calendar.walk("VEVENT") == []


def test_it_writes_one_event_per_window() -> None:
    windows = [make_window(id="MNT-2024-0001"), make_window(id="MNT-2024-0002")]

    events = parse(export_calendar(windows, now=NOW)).walk("VEVENT")

    assert [str(e["UID"]) for e in events] == ["MNT-2024-0001@maintctl", "MNT-2024-0002@maintctl"]


def test_it_writes_every_event_property() -> None:
    event = only_event(export_calendar([make_window()], now=NOW))

    assert str(event["UID"]) == "MNT-2024-0123@maintctl"
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTART") == datetime(2024, 12, 29, 2, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2024, 12, 29, 6, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "[planned-outage] Upgrade PostgreSQL to 16"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Owner: alice",
        "Systems: db-primary, api",
        "Impact: API read-only for 30 minutes",
        "Risk: high",
        "Status: scheduled",
        "ID: MNT-2024-0123",
    ]
    assert [str(c) for c in event["CATEGORIES"].cats] == ["db-primary", "api"]
    assert event.decoded("SEQUENCE") == 2
    assert event.decoded("LAST-MODIFIED") == datetime(2024, 12, 2, 11, 0, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_it_writes_times_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    window = make_window(
        start=datetime(2024, 12, 29, 4, 0, tzinfo=plus_two),
        end=datetime(2024, 12, 29, 8, 0, tzinfo=plus_two),
        updated_at=datetime(2024, 12, 2, 13, 0, tzinfo=plus_two),
    )

    data = export_calendar([window], now=datetime(2024, 12, 20, 11, 30, 15, tzinfo=plus_two))

    lines = data.decode().splitlines()
    assert "DTSTART:20241229T020000Z" in lines
    assert "DTEND:20241229T060000Z" in lines
    assert "DTSTAMP:20241220T093015Z" in lines
    assert "LAST-MODIFIED:20241202T110000Z" in lines


def test_it_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        export_calendar([make_window()], now=datetime(2024, 12, 20, 9, 30))


def test_the_uid_stays_the_same_when_the_window_changes() -> None:
    before = only_event(export_calendar([make_window()], now=NOW))
    moved = make_window(
        start=datetime(2025, 1, 5, 2, 0, tzinfo=UTC),
        end=datetime(2025, 1, 5, 8, 0, tzinfo=UTC),
        description="Upgrade PostgreSQL to 17",
        status=Status.PENDING_APPROVAL,
        sequence=3,
        updated_at=datetime(2024, 12, 21, 8, 0, tzinfo=UTC),
    )

    after = only_event(export_calendar([moved], now=NOW + timedelta(days=1)))

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") == 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.DRAFT, "TENTATIVE"),
        (Status.PENDING_APPROVAL, "TENTATIVE"),
        (Status.SCHEDULED, "CONFIRMED"),
        (Status.IN_PROGRESS, "CONFIRMED"),
        (Status.VERIFYING, "CONFIRMED"),
        (Status.COMPLETED, "CONFIRMED"),
        (Status.ROLLED_BACK, "CONFIRMED"),
        (Status.CLOSED, "CONFIRMED"),
        (Status.CANCELLED, "CANCELLED"),
    ],
)
def test_it_maps_each_status(status: Status, expected: str) -> None:
    event = only_event(export_calendar([make_window(status=status)], now=NOW))

    assert str(event["STATUS"]) == expected
    assert f"Status: {status.value}" in str(event["DESCRIPTION"])


def test_every_status_has_an_event_status() -> None:
    assert set(EVENT_STATUS) == set(Status)


def test_it_gives_the_reason_a_window_was_cancelled() -> None:
    window = make_window(status=Status.CANCELLED, cancel_reason="vendor patch withdrawn")

    event = only_event(export_calendar([window], now=NOW))

    assert "Cancelled: vendor patch withdrawn" in str(event["DESCRIPTION"]).splitlines()


def test_it_escapes_commas_semicolons_backslashes_and_newlines() -> None:
    tricky = "Fail over db; then web, cache\nstep 2: C:\\temp"
    window = make_window(
        description=tricky, owner="Doe, Jane", impact="a;b", systems=["db, primary", "web;x"]
    )

    data = export_calendar([window], name="Ops; EU, night\nshift", now=NOW)

    unfolded = data.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:[planned-outage] Fail over db\\; then web\\, cache\\nstep 2: C:\\\\temp" in (
        unfolded.splitlines()
    )
    assert "CATEGORIES:db\\, primary,web\\;x" in unfolded.splitlines()
    assert "X-WR-CALNAME:Ops\\; EU\\, night\\nshift" in unfolded.splitlines()
    calendar = parse(data)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"[planned-outage] {tricky}"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["db, primary", "web;x"]
    description = str(event["DESCRIPTION"]).splitlines()
    assert description[:3] == ["Owner: Doe, Jane", "Systems: db, primary, web;x", "Impact: a;b"]
    # icalendar reads an X- property back raw; unescaping it as TEXT must give the name.
    assert unescape_backslash(str(calendar["X-WR-CALNAME"])) == "Ops; EU, night\nshift"


def test_it_drops_control_characters_the_format_forbids() -> None:
    window = make_window(description="bell\x07 and\x00 nul\r\nnext")

    event = only_event(export_calendar([window], now=NOW))

    assert str(event["SUMMARY"]) == "[planned-outage] bell and nul\nnext"


def test_a_fold_never_splits_a_line_break_escape() -> None:
    # Google Calendar drops an event whose "\n" is split across a fold (icalendar #1501).
    for length in range(40, 80):
        window = make_window(description="x" * length + "\nnext line")

        data = export_calendar([window], now=NOW)

        assert not any(line.endswith(b"\\") for line in data.split(b"\r\n"))
        assert str(only_event(data)["SUMMARY"]).endswith("x\nnext line")


def test_a_backslash_before_a_capital_n_comes_back() -> None:
    window = make_window(description="copy to \\\\NAS01\\backups")

    event = only_event(export_calendar([window], now=NOW))

    assert str(event["SUMMARY"]) == "[planned-outage] copy to \\\\NAS01\\backups"


# Any text a user can type: everything but surrogates and the control characters RFC 5545
# forbids in TEXT. Line breaks are written as \n, so \r does not come back.
typed = st.text(
    st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(",;:\\\n\t\"'Nn"),
    max_size=200,
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.builds(
        timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))
    ),
)


@given(
    description=typed,
    owner=typed,
    impact=typed,
    systems=st.lists(typed.filter(bool), min_size=1, max_size=4),
    name=typed,
)
def test_typed_text_comes_back_unchanged(
    description: str, owner: str, impact: str, systems: list[str], name: str
) -> None:
    window = make_window(description=description, owner=owner, impact=impact, systems=systems)

    data = export_calendar([window], name=name, now=NOW)

    calendar = parse(data)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"[planned-outage] {description}"
    assert f"Owner: {owner}\nSystems: {', '.join(systems)}\nImpact: {impact}\n" in str(
        event["DESCRIPTION"]
    )
    assert [str(c) for c in event["CATEGORIES"].cats] == systems
    assert unescape_backslash(str(calendar["X-WR-CALNAME"])) == name
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


@given(start=instants, hours=st.integers(1, 72), now=instants)
def test_any_instant_is_written_as_the_same_instant_in_utc(
    start: datetime, hours: int, now: datetime
) -> None:
    end = start + timedelta(hours=hours)

    data = export_calendar([make_window(start=start, end=end, updated_at=now)], now=now)

    event = only_event(data)
    lines = data.decode().splitlines()
    assert event.decoded("DTSTART") == start.replace(microsecond=0)
    assert event.decoded("DTEND") == end.replace(microsecond=0)
    assert event.decoded("DTSTAMP") == now.replace(microsecond=0)
    assert f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert f"LAST-MODIFIED:{now.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
