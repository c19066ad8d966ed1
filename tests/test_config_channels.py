"""The `channels:` key: each kind validates, and every mistake names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import ConfigError, channel_problems, parse_config


def problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(body, "m.yaml", tmp_path)
    return [p.text() for p in caught.value.problems]


def test_each_kind_of_channel_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "hook.key").write_text("k", "utf-8")
    (tmp_path / "chat.url").write_text("json://127.0.0.1:9/x", "utf-8")
    config = parse_config(
        "components:\n"
        "  - {id: api, name: API, systems: [api, api-gateway]}\n"
        "channels:\n"
        "  - {name: chat, audience: internal-engineering, url: 'json://127.0.0.1:9/x'}\n"
        "  - {name: chat2, audience: internal-engineering, url_file: chat.url}\n"
        "  - {name: hook, audience: internal-engineering, components: [api],\n"
        "     webhook: {url: 'https://h.example.com/m', secret_file: hook.key}}\n"
        "  - name: mail\n"
        "    audience: customers-enterprise\n"
        "    manual: true\n"
        "    email: {smtp: 'smtps://127.0.0.1:465', from: m@example.com, to: [a@example.com]}\n",
        "m.yaml",
        tmp_path,
    )
    assert [c.kind for c in config.channels] == ["apprise", "apprise", "webhook", "email"]
    assert config.channels[2].components == ["api"] and config.channels[3].manual
    assert channel_problems(config) == []


def test_an_unknown_audience_names_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "channels:\n  - name: c\n    audience: everyone\n    url: 'json://h/x'\n"
    )
    assert len(found) == 1 and found[0].startswith("m.yaml:3: channels.0.audience: unknown")


def test_a_missing_secret_file_names_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "channels:\n"
        "  - name: hook\n"
        "    audience: internal-engineering\n"
        "    webhook: {url: 'https://h.example.com/m', secret_file: nowhere.key}\n",
    )
    assert len(found) == 1 and found[0].startswith("m.yaml:4: channels.0.webhook.secret_file")
    assert "nowhere.key" in found[0]


def test_two_destinations_on_one_channel_are_refused_at_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "channels:\n"
        "  - {name: ok, audience: internal-engineering, url: 'json://h/x'}\n"
        "  - name: both\n"
        "    audience: internal-engineering\n"
        "    url: 'json://h/x'\n"
        "    webhook: {url: 'https://h.example.com/m', secret_env: K}\n",
    )
    assert len(found) == 1 and found[0].startswith("m.yaml:3: channels.1")
    assert "url_file, webhook, email or statuspage; it has url, webhook" in found[0]


def test_a_channel_with_no_destination_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "channels:\n  - {name: c, audience: internal-engineering}\n")
    assert "it has none" in found[0] and found[0].startswith("m.yaml:2:")


def test_an_apprise_url_apprise_cannot_parse_names_its_line(tmp_path: Path) -> None:
    config = parse_config(
        "channels:\n"
        "  - {name: ok, audience: internal-engineering, url: 'json://h/x'}\n"
        "  - {name: bad, audience: internal-engineering, url: 'nosuchservice://tok/en'}\n",
        "m.yaml",
        tmp_path,
    )
    [found] = [p.text() for p in channel_problems(config)]
    assert found.startswith("m.yaml:3: channels.1.url: Apprise cannot parse")
    assert "tok/en" not in found  # the URL may hold tokens: never echoed


def test_a_bad_smtp_url_is_named(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "channels:\n"
        "  - name: m\n"
        "    audience: internal-all\n"
        "    email: {smtp: 'http://h', from: a@b.c, to: [x@y.z]}\n",
    )
    assert len(found) == 1 and found[0].startswith("m.yaml:4: channels.0.email.smtp")


def test_a_repeated_channel_name_is_named(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "channels:\n"
        "  - {name: c, audience: internal-engineering, url: 'json://h/x'}\n"
        "  - {name: c, audience: internal-engineering, url: 'json://h/y'}\n",
    )
    assert found == ["m.yaml:3: channels.1.name: the channel name 'c' repeats"]


def test_policy_check_counts_channels_and_names_a_bad_apprise_url(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from maintctl.cli.main import app

    path = tmp_path / "m.yaml"
    path.write_text(
        "channels:\n  - {name: c, audience: internal-engineering, url: 'json://h/x'}\n", "utf-8"
    )
    done = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert done.exit_code == 0 and "1 channels" in done.output
    path.write_text(
        "channels:\n  - {name: c, audience: internal-engineering, url: 'bogus://x'}\n", "utf-8"
    )
    done = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert done.exit_code == 2 and ":2: channels.0.url: Apprise cannot parse" in done.output


def test_a_channel_naming_an_undeclared_component_names_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "components:\n"
        "  - {id: api, name: API, systems: [api]}\n"
        "  - {id: api, name: Again, systems: [web]}\n"
        "channels:\n"
        "  - name: hook\n"
        "    audience: internal-engineering\n"
        "    components: [api, billing]\n"
        "    webhook: {url: 'https://h.example.com/m', secret_env: HOOK_KEY}\n",
    )
    assert found == [
        "m.yaml:3: components.1.id: the component id 'api' repeats",
        "m.yaml:7: channels.0.components.1: unknown component 'billing'; use one of: api",
    ]


def test_the_status_page_settings_are_read_and_checked(tmp_path: Path) -> None:
    config = parse_config(
        "status_page: {title: Example Status, url: 'https://status.example.com', public: false}\n",
        "m.yaml",
        tmp_path,
    )
    assert (config.status_page.title, config.status_page.public) == ("Example Status", False)
    assert problems(tmp_path, "status_page: {url: 'ftp://x'}\n") == [
        "m.yaml:1: status_page.url: url must be an http(s) URL with a host"
    ]
