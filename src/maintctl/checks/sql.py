"""SQL: connect through SQLAlchemy, run one query, compare its first value ("Connected (5ms)")."""

from __future__ import annotations

import asyncio
import decimal
import math
import time
from typing import Any

from pydantic import Field

from maintctl.checks.base import Check, CheckError, Expect, Observation, UrlParams, millis
from maintctl.domain.checks import Observed


class SqlParams(UrlParams):
    query: str = Field(default="select 1", min_length=1, max_length=10_000)
    expect: Expect | None = None


class SqlCheck(Check):
    PARAMS = SqlParams
    UNIT = "ms"

    @classmethod
    def prepare(cls) -> None:
        import sqlalchemy  # noqa: F401

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, SqlParams)
        url = self.url(params)
        started = time.monotonic()
        # SQLAlchemy's drivers block: run in a thread, bounded on the server side too, since
        # a thread cannot be cancelled when the check's timeout fires.
        ok, value, said = await asyncio.to_thread(_query, url, params.query, self.spec.timeout)
        elapsed = millis(time.monotonic() - started)
        if not ok:
            return Observation(False, None, f"Unreachable ({said})")
        if params.expect is not None and not params.expect.holds(value):
            return Observation(
                False, value, f"Unexpected ({value!r}, expected {params.expect.text()})"
            )
        return Observation(
            True, value if params.expect is not None else elapsed, f"Connected ({elapsed}ms)"
        )


def _query(url: str, query: str, timeout: float) -> tuple[bool, Observed, str]:
    """(reached, first value, why not reached); a query the database refuses is CheckError."""
    from sqlalchemy import create_engine, exc, text
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(url, poolclass=NullPool, connect_args=_bounded(url, timeout))
    except (exc.ArgumentError, ImportError, ValueError) as error:
        raise CheckError(f"the SQLAlchemy URL cannot be used ({type(error).__name__})") from None
    try:
        try:
            connection = engine.connect()
        except exc.DBAPIError as error:
            return False, None, _first_line(error.orig) or type(error).__name__
        with connection:
            try:
                value = connection.execute(text(query)).scalar()
            except exc.DBAPIError as error:
                raise CheckError(f"the query failed ({_first_line(error.orig)})") from None
    finally:
        engine.dispose()
    return True, _plain(value), ""


def _bounded(url: str, timeout: float) -> dict[str, Any]:
    """Driver options that stop a connect or a query soon after the check gives up."""
    if url.startswith("postgresql"):
        # Half a second past the check's own timeout, so the check reports `timeout` first.
        limit = int((timeout + 0.5) * 1000)
        return {
            "connect_timeout": max(1, math.ceil(timeout)),
            "options": f"-c statement_timeout={limit}",
        }
    if url.startswith("sqlite"):
        return {"timeout": timeout}
    return {}


def _plain(value: Any) -> Observed:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _first_line(error: Any) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else ""


CHECK = SqlCheck
