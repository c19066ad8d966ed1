"""TCP: a connection is accepted ("Connected (3ms)")."""

from __future__ import annotations

import asyncio
import contextlib
import time

from maintctl.checks.base import Check, Host, Observation, Params, Port, millis


class TcpParams(Params):
    host: Host
    port: Port


class TcpCheck(Check):
    PARAMS = TcpParams
    UNIT = "ms"

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, TcpParams)
        started = time.monotonic()
        try:
            _, writer = await asyncio.open_connection(params.host, params.port)
        except OSError as exc:
            return Observation(False, None, f"Unreachable ({exc.strerror or exc})")
        elapsed = millis(time.monotonic() - started)
        writer.close()
        # The peer hanging up first still means it accepted.
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return Observation(True, elapsed, f"Connected ({elapsed}ms)")


CHECK = TcpCheck
