"""The check contract: every kind is registered; a surprise is an error, never a crash, and
no message carries a URL's password."""

from __future__ import annotations

import importlib

from maintctl.checks.base import KINDS, Check, Observation, Params, Spec
from maintctl.domain.checks import Status
from tests.checks.servers import run


class Boom(Check):
    async def observe(self) -> Observation:
        raise RuntimeError("could not reach postgresql://app:pw-42@db.internal/app")


def test_every_kind_names_its_check_class_and_parameters() -> None:
    for kind, module in KINDS.items():
        cls = importlib.import_module(module).CHECK
        assert issubclass(cls, Check) and issubclass(cls.PARAMS, Params), kind


def test_a_surprise_is_this_checks_error_without_the_password() -> None:
    result = run(Boom(Spec("boom", "services", "http", Params())))
    assert result.status is Status.ERROR
    assert result.message == "RuntimeError: could not reach postgresql://***@db.internal/app"
