"""The check interface, its failure contract, the parsed check and the table of kinds.

Each kind's module keeps its heavy imports (dnspython, redis, lightkube) inside its functions,
so reading the config imports only the kinds' parameter models, and running one kind loads one
library.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    InstanceOf,
    ValidationError,
    field_validator,
    model_validator,
)

from maintctl.domain import bounds
from maintctl.domain.checks import (
    GROUPS,
    Expectation,
    Observed,
    Result,
    Status,
    Tolerance,
    clip,
    parse_expectation,
    parse_timeout,
    parse_tolerance,
)

# kind -> module holding its `Check` subclass, named `CHECK`
KINDS: dict[str, str] = {
    kind: f"maintctl.checks.{kind}"
    for kind in (
        "http",
        "tcp",
        "dns",
        "tls",
        "command",
        "sql",
        "redis",
        "prometheus",
        "kubernetes",
    )
}

Expect = Annotated[InstanceOf[Expectation], BeforeValidator(parse_expectation)]
Seconds = Annotated[float, BeforeValidator(parse_timeout)]
Port = Annotated[int, Field(ge=1, le=65535)]
Host = Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9_.:-]+$")]


class CheckError(Exception):
    """The check could not judge (refused, garbage, bad answer); the text holds no secret."""


@dataclass(frozen=True)
class Observation:
    """What a check saw: whether it passed, the value, and the runbook's wording."""

    ok: bool
    observed: Observed
    message: str


class Params(BaseModel):
    """A kind's own parameters; unknown ones are refused, so a typo is named."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class UrlParams(Params):
    """A URL given inline, or, when it holds a secret, in a file or an environment variable."""

    url: str | None = Field(default=None, max_length=2_000, repr=False)
    url_file: str | None = Field(default=None, max_length=1_000)
    url_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")

    @model_validator(mode="after")
    def _one_url(self) -> UrlParams:
        given = [k for k in ("url", "url_file", "url_env") if getattr(self, k) is not None]
        if len(given) != 1:
            found = f"it has {' and '.join(given)}" if given else "it has none"
            raise ValueError(f"give exactly one of url, url_file or url_env; {found}")
        if self.url is not None:
            try:
                password = urlsplit(self.url).password
            except ValueError:
                raise ValueError("url is not a valid URL") from None
            if password:
                raise ValueError(
                    "url holds a password; put the URL in a file (url_file) or an "
                    "environment variable (url_env) so it stays out of the config"
                )
        return self


def _tolerance(value: Any) -> Tolerance | None:
    return None if value is None else parse_tolerance(value)


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    group: str
    kind: str
    timeout: Seconds = bounds.CHECK_TIMEOUT_DEFAULT
    tags: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]] = Field(
        default_factory=list, max_length=20
    )
    unit: str = Field(default="", max_length=16)
    tolerance: Annotated[InstanceOf[Tolerance] | None, BeforeValidator(_tolerance)] = None

    @field_validator("name", "unit")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable() or value != value.strip():
            raise ValueError("must be printable text without surrounding spaces")
        return value

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        if value not in GROUPS:
            raise ValueError(f"unknown group {value!r}; use one of {', '.join(GROUPS)}")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}; use one of {', '.join(KINDS)}")
        return value


COMMON_KEYS = frozenset(_Common.model_fields)


@dataclass(frozen=True)
class Spec:
    """One configured check: its common fields and its kind's parameters."""

    name: str
    group: str
    kind: str
    params: Params
    timeout: float = bounds.CHECK_TIMEOUT_DEFAULT
    tags: tuple[str, ...] = ()
    unit: str = ""
    tolerance: Tolerance | None = None
    base_dir: Path = field(default=Path(), compare=False)


def check_class(kind: str) -> type[Check]:
    cls: type[Check] = importlib.import_module(KINDS[kind]).CHECK
    return cls


Loc = tuple[str | int, ...]


def parse_specs(raw: Any, base_dir: Path = Path()) -> tuple[list[Spec], list[tuple[Loc, str]]]:
    """Checks from the config's `checks:` list, and each problem with where it is (below it)."""
    if not isinstance(raw, list):
        return [], [((), "checks must be a list of checks")]
    if len(raw) > bounds.MAX_CHECKS:
        return [], [((), f"holds {len(raw)} checks; at most {bounds.MAX_CHECKS} are run")]
    specs: list[Spec] = []
    problems: list[tuple[Loc, str]] = []
    names: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(((i,), "a check is a mapping with name, group, kind and parameters"))
            continue
        spec, found = _parse_one(item, base_dir)
        problems += [((i, *loc), message) for loc, message in found]
        if spec is None:
            continue
        if spec.name in names:
            problems.append(((i, "name"), f"the check name {spec.name!r} repeats"))
        names.add(spec.name)
        specs.append(spec)
    return specs, problems


def _parse_one(item: dict[str, Any], base_dir: Path) -> tuple[Spec | None, list[tuple[Loc, str]]]:
    common = {k: v for k, v in item.items() if k in COMMON_KEYS}
    rest = {k: v for k, v in item.items() if k not in COMMON_KEYS}
    problems: list[tuple[Loc, str]] = []
    shape: _Common | None = None
    try:
        shape = _Common.model_validate(common)
    except ValidationError as exc:
        problems += _errors(exc, item.get("kind"))
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        return None, problems
    cls = check_class(kind)
    params: Params | None = None
    try:
        params = cls.PARAMS.model_validate(rest)
    except ValidationError as exc:
        problems += _errors(exc, kind, cls.PARAMS)
    if shape is None or params is None or problems:
        return None, problems
    spec = Spec(
        shape.name,
        shape.group,
        shape.kind,
        params,
        shape.timeout,
        tuple(shape.tags),
        shape.unit or cls.UNIT,
        shape.tolerance,
        base_dir,
    )
    return spec, problems


def _errors(
    exc: ValidationError, kind: Any, params: type[Params] | None = None
) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = f"a {kind} check needs {'.'.join(map(str, loc))}"
        elif err["type"] == "extra_forbidden" and params is not None and len(loc) == 1:
            takes = sorted(f.alias or n for n, f in params.model_fields.items())
            message = (
                f"a {kind} check takes no {'.'.join(map(str, loc))}; its parameters are "
                f"{', '.join(takes)} (and name, group, kind, timeout, tags, unit, tolerance)"
            )
        found.append((loc, message))
    return found


_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")


class Check(ABC):
    """One configured check; `observe` looks, `run` bounds it in time and never raises."""

    PARAMS: ClassVar[type[Params]] = Params
    UNIT: ClassVar[str] = ""
    heavy: ClassVar[bool] = False  # starts a process: run under the smaller bound

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._secrets: list[str] = []

    @classmethod
    def prepare(cls) -> None:
        """Import the kind's library once, before any check's clock starts."""
        return

    @abstractmethod
    async def observe(self) -> Observation:
        """Look at the target; raise CheckError when it cannot be judged."""

    async def run(self) -> Result:
        """The result within the timeout: pass, fail, error or timeout, with the reason."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.spec.timeout):
                seen = await self.observe()
            status = Status.PASS if seen.ok else Status.FAIL
            observed, message = seen.observed, seen.message
        except TimeoutError:
            status, observed = Status.TIMEOUT, None
            message = f"Timed out after {self.spec.timeout:g}s"
        except CheckError as exc:
            status, observed, message = Status.ERROR, None, str(exc)
        except Exception as exc:  # a library's surprise is this check's error, never the run's
            status, observed = Status.ERROR, None
            message = f"{type(exc).__name__}: {exc}"
        elapsed = int((time.monotonic() - started) * 1000)
        return Result(
            self.spec.name,
            self.spec.group,
            self.spec.kind,
            status,
            observed,
            self.spec.unit,
            elapsed,
            clip(self.redact(message)),
        )

    def redact(self, text: str) -> str:
        """`text` without the secrets this check read, nor any URL's user and password."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return _USERINFO.sub(r"\1***@", text)

    def url(self, params: UrlParams) -> str:
        """The URL, read from its file or variable when it holds a secret."""
        if params.url is not None:
            return params.url
        if params.url_env is not None:
            value = os.environ.get(params.url_env, "").strip()
            if not value:
                raise CheckError(f"the environment variable {params.url_env} is not set")
        else:
            path = self.spec.base_dir / Path(params.url_file or "").expanduser()
            try:
                value = path.read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise CheckError(f"the URL file {params.url_file} cannot be read") from None
        self._secrets.append(value)
        password = _password(value)
        if password:
            self._secrets.append(password)
        return value


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def check_for(spec: Spec) -> Check:
    return check_class(spec.kind)(spec)


def millis(seconds: float) -> int:
    return round(seconds * 1000)
