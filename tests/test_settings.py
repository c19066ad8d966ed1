"""Every setting is documented where users look for it."""

from __future__ import annotations

from pathlib import Path

from maintctl.config import Settings

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def test_every_setting_is_in_the_readme() -> None:
    for name, field in Settings.model_fields.items():
        env = field.validation_alias if isinstance(field.validation_alias, str) else None
        assert (env or f"MAINTCTL_{name.upper()}") in README, name
