"""Route bodies for /api/v1/policy, /template and /me: no database (see handlers/__init__.py)."""

from __future__ import annotations

from maintctl.api.handlers import Reply
from maintctl.config import Config
from maintctl.domain import template
from maintctl.domain.roles import Principal


def policy(config: Config, who: Principal) -> Reply:
    return Reply({"source": config.source, "policy": config.policy.as_json()})


def blank_template(who: Principal) -> Reply:
    return Reply(template.blank_template(), media_type="text/markdown")


def me(who: Principal) -> Reply:
    return Reply({"name": who.name, "role": who.role.value})
