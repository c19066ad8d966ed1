"""Redis: PING answers PONG ("Connected (1ms)")."""

from __future__ import annotations

import time

from maintctl.checks.base import Check, CheckError, Observation, UrlParams, millis


class RedisParams(UrlParams):
    """A Redis URL (`redis://`, `rediss://`), inline or from `url_file`/`url_env`."""


class RedisCheck(Check):
    PARAMS = RedisParams
    UNIT = "ms"

    @classmethod
    def prepare(cls) -> None:
        import redis.asyncio  # noqa: F401

    async def observe(self) -> Observation:
        import redis.asyncio
        import redis.exceptions

        params = self.spec.params
        assert isinstance(params, RedisParams)
        url = self.url(params)
        started = time.monotonic()
        try:
            client = redis.asyncio.Redis.from_url(url, single_connection_client=True)
        except ValueError as exc:
            raise CheckError(f"the Redis URL is not valid ({exc})") from None
        try:
            answer = await client.ping()
        except redis.exceptions.ConnectionError as exc:
            return Observation(False, None, f"Unreachable ({exc})")
        except redis.exceptions.RedisError as exc:
            raise CheckError(f"Redis answered garbage ({type(exc).__name__}: {exc})") from None
        finally:
            await client.aclose()
        elapsed = millis(time.monotonic() - started)
        if answer is not True:
            raise CheckError(f"PING answered {answer!r}, not PONG")
        return Observation(True, elapsed, f"Connected ({elapsed}ms)")


CHECK = RedisCheck
