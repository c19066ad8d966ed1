"""A Statuspage channel in the config file: its shape, its key, its component map."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import ConfigError, parse_config

HEAD = "components:\n  - {id: database, name: Database, systems: [db]}\nchannels:\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "m.yaml", tmp_path)
    return [p.text() for p in caught.value.problems]


def test_a_statuspage_channel_parses_with_its_defaults(tmp_path: Path) -> None:
    config = parse_config(
        HEAD + "  - name: hosted\n    audience: customers-all\n"
        "    statuspage: {page_id: abc123, api_key_env: SP_KEY, components: {database: c1}}\n",
        "m.yaml",
        tmp_path,
    )
    [channel] = config.channels
    assert channel.kind == "statuspage"
    assert channel.statuspage is not None
    assert channel.statuspage.api_url == "https://api.statuspage.io"
    assert channel.statuspage.components == {"database": "c1"}


def test_a_key_both_inline_and_from_a_file_is_refused_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "k").write_text("x", "utf-8")
    [found] = problems(
        tmp_path,
        HEAD + "  - name: hosted\n    audience: customers-all\n"
        "    statuspage: {page_id: abc123, api_key_env: K, api_key_file: k}\n",
    )
    assert found.startswith("m.yaml:6: channels.0.statuspage")
    assert "exactly one of api_key_file or api_key_env" in found


def test_a_missing_key_file_and_an_unknown_component_are_named(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEAD + "  - name: hosted\n    audience: customers-all\n    statuspage:\n"
        "      page_id: abc123\n      api_key_file: nope.key\n"
        "      components: {cache: c9}\n",
    )
    assert any(f.startswith("m.yaml:9: channels.0.statuspage.components.cache") for f in found)
    assert any("channels.0.statuspage.api_key_file: the secret file nope.key" in f for f in found)


def test_a_page_id_that_is_not_an_id_is_refused(tmp_path: Path) -> None:
    [found] = problems(
        tmp_path,
        HEAD + "  - name: hosted\n    audience: customers-all\n"
        "    statuspage: {page_id: '../x', api_key_env: K}\n",
    )
    assert "channels.0.statuspage.page_id" in found
