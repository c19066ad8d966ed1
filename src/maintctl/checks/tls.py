"""TLS: the certificate verifies and has at least `min_days` left ("Valid (89 days remaining)")."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime

from maintctl.checks.base import Check, CheckError, Host, Observation, Params, Port


class TlsParams(Params):
    host: Host
    port: Port = 443
    server_name: Host | None = None
    min_days: int = 14
    ca_file: str | None = None


def days_left(not_after: datetime, now: datetime) -> int:
    """Whole days from `now` until the certificate expires (negative once it has)."""
    return (not_after - now).days


class TlsCheck(Check):
    PARAMS = TlsParams
    UNIT = "days"

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, TlsParams)
        ca = str(self.spec.base_dir / params.ca_file) if params.ca_file else None
        context = ssl.create_default_context(cafile=ca)
        try:
            _, writer = await asyncio.open_connection(
                params.host,
                params.port,
                ssl=context,
                server_hostname=params.server_name or params.host,
            )
        except ssl.SSLCertVerificationError as exc:
            return Observation(False, None, f"Invalid ({exc.verify_message})")
        except ssl.SSLError as exc:
            raise CheckError(f"TLS handshake failed ({exc.reason or exc})") from None
        except OSError as exc:
            return Observation(False, None, f"Unreachable ({exc.strerror or exc})")
        try:
            cert = writer.get_extra_info("peercert")
        finally:
            writer.close()
        if not cert or "notAfter" not in cert:
            raise CheckError("the server sent no certificate")
        expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
        days = days_left(expires, datetime.now(UTC))
        if days < params.min_days:
            return Observation(
                False, days, f"Expiring ({days} days remaining, fewer than {params.min_days})"
            )
        return Observation(True, days, f"Valid ({days} days remaining)")


CHECK = TlsCheck
