"""A `templates:` directory replaces defaults by file name; a broken one stops the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import ConfigError, parse_config
from maintctl.services import render
from maintctl.services.jobs import JobError
from maintctl.services.render import Notice, render_with
from tests.services.test_render import window


def problems(
    tmp_path: Path, files: dict[str, str], body: str = "templates: notices\n"
) -> list[str]:
    folder = tmp_path / "notices"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        parse_config(body, "m.yaml", tmp_path)
    return [p.text() for p in caught.value.problems]


def test_an_override_replaces_the_default_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "initial.txt").write_text(
        "Hello {{ title }} on {{ date }}{% if internal %} ({{ internal.id }}){% endif %}\n", "utf-8"
    )
    config = parse_config("templates: notices\n", "m.yaml", tmp_path)
    assert config.templates == tmp_path / "notices"
    done = render_with(config, Notice(window(), "initial", "customers-all"))
    assert done.text == "Hello Database upgrade on Sunday, 2024-12-29\n"
    assert done.subject.startswith("[Scheduled Maintenance]")  # the other outputs stay default
    inside = render_with(config, Notice(window(), "initial", "internal-engineering"))
    assert inside.text == "Hello Database upgrade on Sunday, 2024-12-29 (MNT-2024-0123)\n"


def test_a_template_that_does_not_parse_names_its_file_and_line(tmp_path: Path) -> None:
    found = problems(tmp_path, {"start.txt": "Started\n\n{% if title %}\n{{ title }}\n"})
    path = tmp_path / "notices" / "start.txt"
    assert len(found) == 1 and found[0].startswith(f"{path}:")
    assert "Unexpected end of template" in found[0] and "fix the template" in found[0]


def test_a_misspelt_name_fails_at_its_line_not_at_send_time(tmp_path: Path) -> None:
    found = problems(tmp_path, {"reminder.chat": "Reminder\n{{ title }}\n{{ titel }}\n"})
    assert found == [
        f"{tmp_path / 'notices' / 'reminder.chat'}:3: 'titel' is undefined; {render.FIX}"
    ]


def test_a_customer_template_reaching_for_internal_fields_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, {"initial.chat": "{{ title }}\n{{ internal.description }}\n"})
    assert len(found) == 1 and ":2: 'None' has no attribute 'description'" in found[0]


def test_an_override_cannot_reach_python_through_the_sandbox(tmp_path: Path) -> None:
    found = problems(
        tmp_path, {"start.chat": "{{ title.__class__.__mro__[1].__subclasses__() }}\n"}
    )
    assert len(found) == 1 and "start.chat:1:" in found[0] and "unsafe" in found[0]


def test_a_file_named_after_no_template_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, {"intial.txt": "x\n", "_partial.txt": "y\n"})
    assert len(found) == 1 and "intial.txt: no template has this name" in found[0]


def test_a_missing_directory_names_the_templates_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("status_page: {title: X}\ntemplates: nowhere\n", "m.yaml", tmp_path)
    (only,) = caught.value.problems
    assert only.text().startswith("m.yaml:2: templates: the directory")
    assert "nowhere does not exist" in only.text()


def test_a_template_broken_after_startup_is_a_permanent_job_error_naming_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "notices").mkdir()
    broken = tmp_path / "notices" / "completion.html"
    broken.write_text("<p>{{ title }}</p>\n", "utf-8")
    config = parse_config("templates: notices\n", "m.yaml", tmp_path)
    broken.write_text("<p>{{ title }}</p>\n<p>{{ 1 // 0 }}</p>\n", "utf-8")
    with pytest.raises(JobError) as caught:
        render_with(config, Notice(window(), "completion", "customers-all"))
    assert caught.value.permanent
    assert f"{broken}:2:" in str(caught.value) and "division" in str(caught.value)


def test_the_defaults_ship_one_file_per_template_and_output() -> None:
    from importlib import resources

    shipped = {p.name for p in resources.files("maintctl").joinpath("templates/notices").iterdir()}
    assert set(render.template_files()) <= shipped
    assert render.override_problems(parse_config("{}", "x")) == []


def test_the_config_hash_changes_with_an_override_s_content(tmp_path: Path) -> None:
    (tmp_path / "notices").mkdir()
    override = tmp_path / "notices" / "initial.chat"
    override.write_text("Hello {{ title }}\n", "utf-8")
    before = parse_config("templates: notices\n", "m.yaml", tmp_path).hash
    override.write_text("Hi {{ title }}\n", "utf-8")
    after = parse_config("templates: notices\n", "m.yaml", tmp_path).hash
    assert before != after and parse_config("{}", "m.yaml", tmp_path).hash not in (before, after)
