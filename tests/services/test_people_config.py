"""`people:` and `policy.execution` in the config: `policy check` names each mistake's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_policy_check import check


@pytest.mark.parametrize(
    ("body", "line", "where"),
    [
        (
            "people:\n  email:\n    smtp: http://mail\n    from: m@example.com\n",
            3,
            "people.email.smtp",
        ),
        ("people:\n  email:\n    smtp: smtp://mail\n", 2, "people.email.from"),
        (
            "people:\n  email: {smtp: 'smtp://mail', from: m@e.com, to: [a@e.com]}\n",
            2,
            "people.email.to",
        ),
        (
            "people:\n  email:\n    smtp: smtp://mail\n    from: m@e.com\n"
            "    password_file: none.pw\n",
            5,
            "people.email.password_file",
        ),
        (
            "policy:\n  execution:\n    progress_reminder: 0m\n",
            3,
            "policy.execution.progress_reminder",
        ),
        ("policy:\n  execution:\n    overdue_grace: soon\n", 3, "policy.execution.overdue_grace"),
        ("policy:\n  execution:\n    overdue: 5m\n", 3, "policy.execution.overdue"),
    ],
)
def test_a_wrong_people_or_execution_setting_is_refused_naming_its_line(
    tmp_path: Path, body: str, line: int, where: str
) -> None:
    path = tmp_path / "maintctl.yaml"
    path.write_text(body, "utf-8")
    code, out = check(path)
    assert code == 2 and "Traceback" not in out
    assert out.startswith(f"error: {path}:{line}: {where}"), out


def test_people_email_and_the_timers_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "smtp.pw").write_text("pw", "utf-8")
    path = tmp_path / "maintctl.yaml"
    path.write_text(
        "people:\n"
        "  email: {smtp: 'smtps://mail:465', from: m@e.com, username: u, password_file: smtp.pw}\n"
        "policy:\n"
        "  execution: {progress_reminder: 15m, overdue_grace: 10m}\n",
        "utf-8",
    )
    code, out = check(path)
    assert code == 0, out
