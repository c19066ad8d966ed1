"""The config file: overrides merge over the defaults, and every mistake names its line."""

from __future__ import annotations

import time as time_module
from datetime import time, timedelta
from pathlib import Path

import pytest

from maintctl.config import ConfigError, load_config, parse_config
from maintctl.domain import bounds


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "maintctl.yaml")
    return [p.text() for p in exc.value.problems]


def test_an_override_changes_only_what_it_names() -> None:
    config = parse_config("policy:\n  types:\n    planned-outage:\n      notice: 10d\n", "m.yaml")
    planned = config.policy.types["planned-outage"]
    assert planned.notice == timedelta(days=10)
    assert planned.max_duration == timedelta(hours=2)
    assert set(config.policy.types) >= {"zero-downtime", "extended-outage", "emergency"}


def test_lists_replace_rather_than_merge() -> None:
    config = parse_config("policy:\n  types:\n    planned-outage:\n      windows: [primary]\n", "m")
    assert config.policy.types["planned-outage"].windows == ["primary"]


def test_every_mistake_is_named_with_its_line() -> None:
    text = (
        "policy:\n"
        "  types:\n"
        "    planned-outage:\n"
        "      notice: 7x\n"
        "  windows:\n"
        "    primary:\n"
        "      zone: Mars/Olympus\n"
        "calendars:\n"
        "  - {name: d, kind: deploymnt, source: x.ics}\n"
    )
    found = problems(text)
    assert any(p.startswith("maintctl.yaml:4: policy.types.planned-outage.notice") for p in found)
    assert any(p.startswith("maintctl.yaml:7: policy.windows.primary.zone") for p in found)
    assert any(p.startswith("maintctl.yaml:9: calendars.0.kind") for p in found)


def test_a_type_naming_an_unknown_window_points_at_it() -> None:
    found = problems("policy:\n  types:\n    planned-outage:\n      windows: [primry]\n")
    assert found == [
        "maintctl.yaml:4: policy.types.planned-outage.windows: unknown window primry; "
        "define it under windows or use one of primary, secondary, extended"
    ]


def test_broken_yaml_names_its_line() -> None:
    found = problems("policy:\n  types: [\n")
    assert len(found) == 1 and found[0].startswith("maintctl.yaml:3:")


def test_an_unquoted_clock_time_is_still_read_as_a_time() -> None:
    config = parse_config(
        "policy:\n  windows:\n    primary: {days: [sun], start: 03:00, end: 05:30}\n", "m"
    )
    primary = config.policy.windows["primary"]
    assert (primary.start.hour, primary.end.hour, primary.end.minute) == (3, 5, 30)


def freeze_problems(start: str, end: str) -> list[str]:
    return problems(
        f"policy:\n  freezes:\n    - name: f\n      from: {start}\n      until: {end}\n"
    )


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ('"12-32 00:00"', "December has days 01 to 31"),
        ('"02-30"', "February has days 01 to 29"),
        ('"13-01"', "there is no month 13"),
        ('"13-45 00:00"', "there is no month 13"),
        ('"12-20 24:00"', "24:00 is not a time of day"),
        ('"12-20 07:99"', "07:99 is not a time of day"),
        ('"00-10 00:00"', "there is no month 00"),
        ('"04-00"', "April has days 01 to 30"),
    ],
)
def test_a_freeze_date_that_does_not_exist_is_refused_naming_its_line(typed: str, why: str) -> None:
    found = freeze_problems('"12-15 00:00"', typed)
    assert len(found) == 1
    assert found[0].startswith(
        f"maintctl.yaml:5: policy.freezes.0.until: '{typed.strip(chr(34))}': {why}"
    )
    found = freeze_problems(typed, '"01-01 00:00"')
    assert len(found) == 1 and found[0].startswith("maintctl.yaml:4: policy.freezes.0.from: ")


def test_an_annual_freeze_ending_at_an_instant_is_refused_naming_the_end() -> None:
    found = freeze_problems('"12-15 00:00"', '"2027-01-01T00:00:00Z"')
    assert found == [
        "maintctl.yaml:5: policy.freezes.0.until: one end is every year ('12-15 00:00') and the "
        "other an instant; write both as MM-DD HH:MM (every year) or both as instants with Z "
        "(once)"
    ]


def test_a_one_off_freeze_ending_on_an_annual_date_is_refused() -> None:
    found = freeze_problems('"2027-01-01T00:00:00Z"', '"01-08 00:00"')
    assert len(found) == 1 and found[0].startswith("maintctl.yaml:5: policy.freezes.0.until: ")
    assert "one end is every year ('01-08 00:00')" in found[0]


@pytest.mark.parametrize("end", ['"2027-03-01T00:00:00Z"', '"2027-02-28T00:00:00Z"'])
def test_a_one_off_freeze_that_does_not_end_after_its_start_is_refused(end: str) -> None:
    found = freeze_problems('"2027-03-01T00:00:00Z"', end)
    assert len(found) == 1
    assert found[0].startswith("maintctl.yaml:5: policy.freezes.0.until: ")
    assert "is not after the freeze's start '2027-03-01T00:00:00Z'" in found[0]


def test_a_one_off_freeze_outside_the_years_maintctl_works_with_is_refused() -> None:
    found = freeze_problems('"2027-03-01T00:00:00Z"', '"9999-12-31T00:00:00Z"')
    assert len(found) == 1 and "outside the years 1970 to 2199" in found[0]


def test_an_unquoted_one_off_freeze_is_read_as_the_instant_typed() -> None:
    config = parse_config(
        "policy:\n  freezes:\n    - {name: f, from: 2027-03-01T00:00:00Z, "
        "until: 2027-03-08T00:00:00+01:00}\n",
        "m",
    )
    assert config.policy.freezes[0].end == "2027-03-08T00:00:00+01:00"


def test_a_freeze_ending_on_29_february_is_accepted() -> None:
    config = parse_config(
        'policy:\n  freezes:\n    - {name: f, from: "02-20 00:00", until: "02-29 00:00"}\n', "m"
    )
    assert config.policy.freezes[0].end == "02-29 00:00"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("99:30", "'99:30': 99:30 is not a time of day"),
        ("24:00", "'24:00': 24:00 is not a time of day"),
        ('"24:30"', "'24:30': 24:30 is not a time of day"),
        ('"7:99"', "'7:99': 07:99 is not a time of day"),
        ("1:02:03", "'1:02:03' is not a clock time"),
        ("120", "120 is not a clock time"),
        ('"02:00Z"', "'02:00Z' is not a clock time"),
    ],
)
def test_a_clock_time_out_of_range_is_refused_naming_its_line(typed: str, shown: str) -> None:
    found = problems(
        f"policy:\n  windows:\n    primary:\n      days: [sun]\n      start: {typed}\n"
        '      end: "06:00"\n'
    )
    assert len(found) == 1
    assert found[0].startswith(f"maintctl.yaml:5: policy.windows.primary.start: {shown}")


@pytest.mark.parametrize(
    ("typed", "read"),
    [("12:30", time(12, 30)), ('"12:30"', time(12, 30)), ("7:05", time(7, 5)), ("00:00", time(0))],
)
def test_a_clock_time_in_range_is_read_as_typed(typed: str, read: time) -> None:
    config = parse_config(
        f'policy:\n  windows:\n    primary: {{days: [sun], start: {typed}, end: "23:59"}}\n', "m"
    )
    assert config.policy.windows["primary"].start == read


@pytest.mark.parametrize("field", ["max_duration", "notice"])
def test_a_policy_duration_past_the_hard_cap_on_any_window_is_refused(field: str) -> None:
    found = problems(f"policy:\n  types:\n    zero-downtime:\n      {field}: 401d\n")
    # Durations are read by the one duration grammar, which itself stops at the hard cap.
    assert len(found) == 1, found
    assert found[0].startswith(f"maintctl.yaml:4: policy.types.zero-downtime.{field}: ")
    assert "400 days" in found[0]


def test_a_policy_duration_of_exactly_the_hard_cap_is_accepted() -> None:
    config = parse_config("policy:\n  types:\n    zero-downtime:\n      max_duration: 400d\n", "m")
    assert config.policy.types["zero-downtime"].max_duration == timedelta(days=400)


@pytest.mark.parametrize("typed", ["30", "1:30", "99999999999999999w"])
def test_a_policy_duration_without_a_unit_or_beyond_any_length_is_refused(typed: str) -> None:
    found = problems(f"policy:\n  types:\n    zero-downtime:\n      notice: {typed}\n")
    assert len(found) == 1
    assert found[0].startswith("maintctl.yaml:4: policy.types.zero-downtime.notice: ")


def test_a_key_given_twice_is_refused_naming_both_lines() -> None:
    found = problems("policy:\n  types:\n    zero-downtime:\n      notice: 1h\n      notice: 2h\n")
    assert found == [
        "maintctl.yaml:5: 'notice' is given twice in one mapping (also on line 4); keep one"
    ]


def test_an_alias_bomb_is_refused_at_once_naming_its_line() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    started = time_module.perf_counter()
    found = problems("\n".join(levels) + "\n")
    assert time_module.perf_counter() - started < 1
    assert found == [
        "maintctl.yaml:6: expands to more than 100,000 values through its aliases (*name); "
        "write the values out or use fewer aliases"
    ]


def test_a_value_that_contains_itself_through_an_alias_is_refused() -> None:
    found = problems("policy:\n  types: &t\n    loop: *t\n")
    assert found == ["maintctl.yaml:3: the alias *t refers to a value that contains it"]


def test_a_file_that_is_not_utf8_gets_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_bytes(b"policy:\n  types: {}\n# caf\xe9\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert [p.text() for p in exc.value.problems] == [
        f"{path}:3: is not UTF-8 text (byte 0xe9 at offset 25); save it as UTF-8"
    ]


def test_a_config_file_larger_than_the_bound_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_bytes(b"#" * (bounds.CONFIG_MAX_BYTES + 1))
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert [p.text() for p in exc.value.problems] == [
        f"{path}: is larger than 1,048,576 bytes, too big for a config file"
    ]


def test_the_default_timelines_are_the_runbooks_table() -> None:
    types = load_config(None).policy.types
    d, h = timedelta(days=1), timedelta(hours=1)
    table = {
        name: (t.notifications.initial, t.notifications.reminders, t.notifications.start)
        for name, t in types.items()
    }
    assert table == {
        "zero-downtime": (24 * h, [], False),
        "brief-interruption": (48 * h, [24 * h, h], True),
        "planned-outage": (7 * d, [3 * d, 24 * h], True),
        "extended-outage": (14 * d, [7 * d, 24 * h], True),
        "emergency": (None, [], True),
    }
    assert all(t.notifications.completion for t in types.values())
    assert types["zero-downtime"].notifications.optional == ["initial", "completion"]


def test_the_default_audiences_are_the_runbooks_channels() -> None:
    audiences = load_config(None).policy.audiences
    assert {name: (a.channels, a.manual) for name, a in audiences.items()} == {
        "internal-engineering": (["chat", "webhook"], []),
        "internal-all": (["email"], ["email"]),
        "customers-enterprise": (["email", "status-page"], ["email"]),
        "customers-all": (["status-page"], []),
        "partners": (["email"], ["email"]),
    }


def timeline_problems(body: str) -> list[str]:
    return problems(f"policy:\n  types:\n    planned-outage:\n      notifications:\n{body}")


@pytest.mark.parametrize(
    ("body", "line", "where", "why"),
    [
        ("        reminders: [3d, 7d]\n", 5, "reminders.1", "is not shorter than the initial"),
        ("        reminders: [24h, 3d]\n", 5, "reminders.1", "is longer than the one before"),
        ("        reminders: [3d, 3d]\n", 5, "reminders.1", "repeats the one before"),
        ("        reminders: [0m]\n", 5, "reminders.0", "use start: true"),
        ("        reminders: [401d]\n", 5, "reminders.0", "longer than 400 days"),
        ("        reminders: [3]\n", 5, "reminders.0", "is not a duration"),
        ("        initial: 2d\n", 4, "reminders.0", "not shorter than the initial notice 48h"),
        ("        optional: [reminders, reminders]\n", 5, "optional", "optional repeats"),
        ("        start: false\n        optional: [start]\n", 6, "optional", "does not have"),
        ("        optional: [intro]\n", 5, "optional.0", "Input should be"),
        ("        every: 1h\n", 5, "every", "Extra inputs"),
    ],
)
def test_a_wrong_timeline_is_refused_naming_its_line(
    body: str, line: int, where: str, why: str
) -> None:
    found = timeline_problems(body)
    assert len(found) == 1
    prefix = f"maintctl.yaml:{line}: policy.types.planned-outage.notifications.{where}: "
    assert found[0].startswith(prefix) and why in found[0]


@pytest.mark.parametrize(
    ("body", "where", "why"),
    [
        ("    partners: {channels: [fax]}\n", "partners.channels.0", "'chat'"),
        ("    partners: {channels: []}\n", "partners.channels", "at least one kind"),
        ("    partners: {channels: [email, email]}\n", "partners.channels", "more than once"),
        ("    partners: {channels: [chat]}\n", "partners.manual", "not one of its channels"),
        ("    partners: {notices: [start, start]}\n", "partners.notices", "start is listed"),
        ("    partners: {notices: [gossip]}\n", "partners.notices.0", "'progress'"),
        ("    Partners: {channels: [email]}\n", "Partners", "is not 1 to 64 lower-case"),
        ("    pr: {notices: [initial]}\n", "pr.channels", "Field required"),
    ],
)
def test_a_wrong_audience_is_refused_naming_its_line(body: str, where: str, why: str) -> None:
    found = problems("policy:\n  audiences:\n" + body)
    assert len(found) == 1
    assert found[0].startswith(f"maintctl.yaml:3: policy.audiences.{where}: "), found
    assert why in found[0]


def test_a_team_may_change_a_timeline_and_add_an_audience() -> None:
    config = parse_config(
        "policy:\n"
        "  types:\n"
        "    planned-outage:\n"
        "      notifications: {initial: 10d, reminders: [5d, 1h], start: false}\n"
        "  audiences:\n"
        "    sre-pager: {channels: [chat], notices: [start, overdue]}\n"
        "    partners: {channels: [chat], manual: []}\n",
        "m.yaml",
    )
    rule = config.policy.types["planned-outage"].notifications
    assert (rule.initial, rule.reminders, rule.start, rule.completion) == (
        timedelta(days=10),
        [timedelta(days=5), timedelta(hours=1)],
        False,
        True,
    )
    assert set(config.policy.audiences) >= {"sre-pager", "customers-all"}
    partners = config.policy.audiences["partners"]
    assert (partners.channels, partners.is_manual("chat")) == (["chat"], False)
