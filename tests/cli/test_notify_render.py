"""`maintctl notify render`: a window's notice previewed in local mode, refusals in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]

CONFIG = (
    "product: AgentOS\n"
    "components:\n  - {id: api, name: API, systems: [api]}\n"
    "status_page: {title: Status, url: 'https://status.agentos.io'}\n"
    "channels:\n"
    "  - {name: eng-chat, audience: internal-engineering, url: 'json://127.0.0.1:9/x'}\n"
)


@pytest.fixture
def window(local: Path) -> str:
    local.write_text(CONFIG, "utf-8")
    typed = ["--public-title", "Database upgrade", "--description", "db-7 <script>x</script>"]
    code, out, err = run(*CREATE, *typed)
    assert code == 0, out + err
    return "MNT-2030-0123"


def test_it_previews_the_24h_reminder_for_customers(window: str) -> None:
    code, out, _ = run(
        "notify", "render", window, "--kind", "reminder-24h", "--audience", "customers-enterprise"
    )
    assert code == 0
    assert out.startswith("# reminder-24h for audience customers-enterprise\n")
    assert "Subject: [Reminder] Scheduled Maintenance Tomorrow - Database upgrade\n" in out
    assert "will begin in 24 hours." in out and "Date: Tomorrow, 2030-01-06" in out
    assert "Time: 02:00 - 04:00 UTC" in out and "Affected: API" in out
    assert "https://status.agentos.io" in out and "The AgentOS Team" in out
    assert "db-7" not in out


def test_a_channel_gives_its_audience_and_the_chat_form_as_json(window: str) -> None:
    code, out, _ = run(
        "notify", "render", window, "--kind", "initial", "--channel", "eng-chat", "--json"
    )
    assert code == 0
    done = json.loads(out)
    assert (done["audience"], done["channel"], done["html"]) == (
        "internal-engineering",
        "eng-chat",
        "",
    )
    assert done["text"] == done["chat"] and "[MNT-2030-0123]" in done["text"]


def test_the_default_audience_is_the_first_that_hears_the_kind(window: str) -> None:
    code, out, _ = run("notify", "render", window, "--kind", "initial", "--json")
    done = json.loads(out)
    assert code == 0 and done["audience"] == "internal-engineering"
    assert "db-7 <script>x</script>" in done["text"]
    assert "db-7 &lt;script&gt;x&lt;/script&gt;" in done["html"]


@pytest.mark.parametrize(
    ("option", "value", "field", "choice"),
    [
        ("--kind", "reminder", "kind", "reminder-24h"),
        ("--channel", "nowhere", "channel", "eng-chat"),
        ("--audience", "everyone", "audience", "customers-all"),
    ],
)
def test_an_unknown_name_is_refused_naming_the_field_and_the_choices(
    window: str, option: str, value: str, field: str, choice: str
) -> None:
    args = ["notify", "render", window, "--kind", "initial", option, value]
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {field}: unknown {field}") and choice in err
    assert err.count("\n") == 1


def test_an_unknown_window_is_refused(local: Path) -> None:
    code, _, err = run("notify", "render", "MNT-2030-9999", "--kind", "initial")
    assert code == 2 and "MNT-2030-9999" in err


def test_policy_check_names_a_broken_templates_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "notices").mkdir()
    broken = tmp_path / "notices" / "start.chat"
    broken.write_text("Started {{ title }}\n{% if status_url %}\n", "utf-8")
    config = tmp_path / "maintctl.yaml"
    config.write_text("templates: notices\n", "utf-8")
    code, out, err = run("policy", "check", str(config))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {broken}:2: Unexpected end of template")
    broken.write_text("Started {{ title }}\n", "utf-8")
    code, out, _ = run("policy", "check", str(config))
    assert code == 0 and "OK" in out


def test_a_broken_template_stops_a_command_at_startup(local: Path) -> None:
    (local.parent / "notices").mkdir()
    (local.parent / "notices" / "initial.subject").write_text("{{ nope }}\n", "utf-8")
    local.write_text("templates: notices\n", "utf-8")
    code, out, err = run("window", "list")
    assert code == 3 and out == ""
    assert "initial.subject:1: 'nope' is undefined" in err
