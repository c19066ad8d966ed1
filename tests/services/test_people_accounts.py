"""An account's email and Apprise URL through the CLI (local mode): the URL is a secret, shown
only as set or not set, in `user list --json`, the account audit trail, errors and the logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.cli.test_cli import local, run

__all__ = ["local"]

TOKEN = "pushover-user-key-7ac2d9"  # a made-up token the test looks for everywhere
URL = f"json://bot:{TOKEN}@127.0.0.1:9/chat"


def test_an_apprise_url_is_shown_only_as_set_and_never_in_json_or_logs(
    local: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code, out, _ = run("user", "add", "vic", "--role", "team-lead", "--apprise-url", URL)
    assert code == 0 and TOKEN not in out
    code, out, _ = run("user", "list", "--json")
    [vic] = [u for u in json.loads(out) if u["name"] == "vic"]
    assert (code, vic["apprise_url"], vic["email"]) == (0, "set", "")
    code, out, _ = run("user", "modify", "vic", "--email", "vic@example.com", "--json")
    assert code == 0 and json.loads(out)["email"] == "vic@example.com"
    code, out, _ = run("user", "list")
    assert code == 0 and TOKEN not in out
    code, out, _ = run("audit", "--json")
    assert code == 0 and '"apprise_url": "set"' in out
    code, out, _ = run("user", "modify", "vic", "--apprise-url", "")
    assert code == 0 and "Apprise URL not set" in out
    assert TOKEN not in out + caplog.text
    code, out, _ = run("audit", "--json")
    assert TOKEN not in out


def test_an_apprise_url_apprise_cannot_parse_is_refused_without_quoting_it(
    local: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = f"nosuchservice://{TOKEN}@host"
    code, _, err = run("user", "add", "vic", "--role", "team-lead", "--apprise-url", bad)
    assert code == 2 and err.startswith("error: apprise_url: Apprise cannot parse this URL")
    assert run("user", "add", "vic", "--role", "team-lead")[0] == 0
    code, _, err = run("user", "modify", "vic", "--apprise-url", bad)
    assert code == 2 and "Apprise cannot parse" in err
    assert TOKEN not in err + caplog.text


def test_modifying_an_unknown_account_says_so(local: Path) -> None:
    code, _, err = run("user", "modify", "nobody", "--email", "n@example.com")
    assert code == 2 and "there is no account nobody" in err
