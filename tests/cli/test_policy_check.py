"""`maintctl policy check`: every wrong config is refused with one line naming its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maintctl.cli.main import app

runner = CliRunner()


def check(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["policy", "check", str(path)])
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("body", "line", "where"),
    [
        ('    - {name: f, from: "12-32 00:00", until: "01-01 00:00"}\n', 3, "freezes.0.from"),
        ('    - {name: f, from: "12-15 00:00", until: "2027-01-01T00:00:00Z"}\n', 3, "until"),
        ('    - {name: f, from: "2027-01-02T00:00:00Z", until: "2027-01-01T00:00:00Z"}\n', 3, ""),
    ],
)
def test_a_wrong_freeze_is_refused_naming_its_line(
    tmp_path: Path, body: str, line: int, where: str
) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text("policy:\n  freezes:\n" + body, "utf-8")
    code, out = check(path)
    assert code == 2
    assert out.startswith(f"error: {path}:{line}: policy.freezes.0.")
    assert where in out and "Traceback" not in out


def test_an_unquoted_clock_time_out_of_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text("policy:\n  windows:\n    primary: {days: [sun], start: 99:30}\n", "utf-8")
    code, out = check(path)
    assert code == 2
    assert f"{path}:3: policy.windows.primary.start: '99:30': 99:30 is not a time of day" in out


def test_an_alias_bomb_is_refused_with_one_line(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    path = tmp_path / "maintctl.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out = check(path)
    assert code == 2
    assert out.strip().splitlines() == [
        f"error: {path}:6: expands to more than 100,000 values through its aliases (*name); "
        "write the values out or use fewer aliases"
    ]


def test_a_file_that_is_not_utf8_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_bytes(b"policy: {}\n\xff\xfe\n")
    code, out = check(path)
    assert code == 2
    assert out.strip().splitlines() == [
        f"error: {path}:2: is not UTF-8 text (byte 0xff at offset 11); save it as UTF-8"
    ]


def test_a_wrong_timeline_or_audience_is_refused_naming_each_line(tmp_path: Path) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text(
        "policy:\n"
        "  types:\n"
        "    brief-interruption:\n"
        "      notifications:\n"
        "        reminders: [1h, 24h]\n"
        "    planned-outage:\n"
        "      notifications: {initial: 7d, reminders: [3d, 500d]}\n"
        "  audiences:\n"
        "    partners: {channels: [email, fax]}\n"
        "    customers-all: {notices: [initial, initial]}\n",
        "utf-8",
    )
    code, out = check(path)
    assert code == 2 and "Traceback" not in out
    assert sorted(out.strip().splitlines()) == sorted(
        [
            f"error: {path}:5: policy.types.brief-interruption.notifications.reminders.1: "
            "reminder 24h is longer than the one before it; list reminders once each, "
            "longest first",
            f"error: {path}:7: policy.types.planned-outage.notifications.reminders.1: "
            "lasts longer than 400 days, the longest any window may be; split the work into "
            "windows of at most 400 days",
            f"error: {path}:9: policy.audiences.partners.channels.1: Input should be 'chat', "
            "'email', 'status-page' or 'webhook'",
            f"error: {path}:10: policy.audiences.customers-all.notices: initial is listed more "
            "than once; list each once",
        ]
    )


def test_policy_show_prints_each_types_timeline_and_the_audiences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "maintctl.yaml"
    config.write_text(
        "policy:\n  types:\n    emergency:\n      notifications: {completion: false}\n", "utf-8"
    )
    monkeypatch.setenv("MAINTCTL_CONFIG", str(config))
    monkeypatch.setenv("MAINTCTL_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    monkeypatch.delenv("MAINTCTL_URL", raising=False)
    shown = runner.invoke(app, ["policy", "show", "--json"])
    assert shown.exit_code == 0, shown.stdout + shown.stderr
    policy = json.loads(shown.stdout)["policy"]
    assert policy["types"]["planned-outage"]["notifications"] == {
        "initial": "7d",
        "reminders": ["3d", "24h"],
        "start": True,
        "completion": True,
        "optional": [],
    }
    assert policy["types"]["emergency"]["notifications"]["completion"] is False
    assert policy["audiences"]["customers-enterprise"]["manual"] == ["email"]
    text = runner.invoke(app, ["policy", "show"]).stdout
    shown_timeline = (
        "    notifications:\n      initial: 7d\n      reminders:\n      - 3d\n      - 24h\n"
    )
    assert shown_timeline in text
    assert "audiences:\n  internal-engineering:" in text
