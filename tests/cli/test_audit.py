"""`maintctl audit` and `maintctl user role`, in local mode."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import local, run

__all__ = ["local"]


def test_role_changes_and_account_events_show_in_maintctl_audit(local: Path) -> None:
    assert run("user", "add", "tom", "--role", "requester")[0] == 0
    code, out, _ = run("user", "role", "tom", "--role", "team-lead")
    assert code == 0 and "tom is now team-lead" in out
    assert run("user", "disable", "tom")[0] == 0
    code, out, _ = run("audit", "--json")
    events = json.loads(out)
    assert [(e["action"], e["account"]) for e in events] == [
        ("user-disable", "tom"),
        ("role-change", "tom"),
        ("token-create", "tom"),
        ("user-add", "tom"),
    ]
    assert all(e["detail"]["local_user"] == e["actor"] for e in events)
    code, out, _ = run("audit", "--limit", "2")
    assert code == 0 and "role-change" in out and "user-add" not in out
    assert f"--before {events[1]['id']}" in out


def test_user_role_refuses_an_unknown_role(local: Path) -> None:
    run("user", "add", "tom", "--role", "requester")
    code, _, err = run("user", "role", "tom", "--role", "king")
    assert code == 2 and "'king' is not a role" in err
