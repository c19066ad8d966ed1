"""DNS: a name resolves, optionally to expected answers and through a given server."""

from __future__ import annotations

import time

from pydantic import Field

from maintctl.checks.base import Check, CheckError, Host, Observation, Params, Port, millis


class DnsParams(Params):
    name: str = Field(alias="query", min_length=1, max_length=253, pattern=r"^[A-Za-z0-9_.-]+$")
    type: str = Field(default="A", pattern=r"^(A|AAAA|CNAME|MX|NS|TXT|SRV|PTR|SOA|CAA)$")
    server: Host | None = None
    port: Port = 53
    expect: list[str] = Field(default_factory=list, max_length=100)


class DnsCheck(Check):
    PARAMS = DnsParams
    UNIT = "ms"

    @classmethod
    def prepare(cls) -> None:
        import dns.asyncresolver  # noqa: F401

    async def observe(self) -> Observation:
        import dns.asyncresolver
        import dns.exception
        import dns.resolver

        params = self.spec.params
        assert isinstance(params, DnsParams)
        resolver = dns.asyncresolver.Resolver(configure=params.server is None)
        if params.server is not None:
            resolver.nameservers = [params.server]
            resolver.port = params.port
        resolver.lifetime = self.spec.timeout
        started = time.monotonic()
        try:
            answer = await resolver.resolve(params.name, params.type)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer) as exc:
            return Observation(False, None, f"Not resolved ({type(exc).__name__})")
        except dns.exception.Timeout:
            raise TimeoutError from None
        except dns.exception.DNSException as exc:
            raise CheckError(f"DNS error: {exc}") from None
        elapsed = millis(time.monotonic() - started)
        found = sorted(rr.to_text().rstrip(".") for rr in answer)
        shown = ", ".join(found)
        missing = [a for a in params.expect if a.rstrip(".") not in found]
        if missing:
            return Observation(
                False, elapsed, f"Wrong answer ({shown}; expected {', '.join(params.expect)})"
            )
        return Observation(True, elapsed, f"OK ({params.name} {params.type} {shown}, {elapsed}ms)")


CHECK = DnsCheck
