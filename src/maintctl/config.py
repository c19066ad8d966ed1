"""Settings (environment) and the config file: policy, calendars, channels, components, page,
checks and contacts."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from platformdirs import user_config_dir, user_data_dir
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from maintctl import yamlsource
from maintctl.domain import bounds
from maintctl.domain.errors import Problem
from maintctl.domain.model import ItemKind, Severity
from maintctl.domain.policy import Duration, Policy, PolicyFieldError
from maintctl.domain.public import Component
from maintctl.domain.roles import ACCOUNT_NAME
from maintctl.faults import EnvironmentFault

if TYPE_CHECKING:
    from maintctl.checks.base import Spec

APP = "maintctl"


class Settings(BaseSettings):
    """Environment settings, prefix MAINTCTL_; secrets may also come from *_FILE."""

    model_config = SettingsConfigDict(env_prefix="MAINTCTL_", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite file")
    database_url_file: str = Field(default="", description="a file holding the database URL")
    config: str = Field(default="", description="config file; else ./maintctl.yaml, else user dir")
    url: str = Field(default="", description="a maintctl server to talk to instead of local")
    token: str = Field(default="", description="API token for the server at MAINTCTL_URL")
    token_file: str = Field(default="", description="a file holding the API token")
    as_user: str = Field(
        default="", validation_alias="MAINTCTL_AS", description="local mode: act as this account"
    )
    job_retention_days: int = Field(
        default=30, ge=1, le=3650, description="finished jobs are pruned after this many days"
    )
    job_max_attempts: int = Field(
        default=8, ge=1, le=100, description="a job failing this many times is marked dead"
    )
    worker_lease_s: int = Field(
        default=60, ge=1, le=3600, description="seconds a worker's claim holds before it expires"
    )
    worker_concurrency: int = Field(
        default=8,
        ge=1,
        le=bounds.WORKER_CONCURRENCY_MAX,
        description="jobs one worker runs at once (each channel's `concurrency` bounds its own)",
    )
    job_plugins: str = Field(
        default="", description="comma-separated modules that register more job kinds"
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.database_url_file:
            # A URL with a password is a secret: it may come from a file, as in container secrets.
            return _secret_file("MAINTCTL_DATABASE_URL_FILE", self.database_url_file)
        folder = Path(user_data_dir(APP))
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentFault(
                f"cannot make maintctl's data folder {folder}: {exc.strerror}",
                "make HOME (or XDG_DATA_HOME) writable, or set MAINTCTL_DATABASE_URL",
            ) from None
        return f"sqlite:///{folder / 'maintctl.db'}"

    def config_path(self) -> Path | None:
        if self.config:
            return Path(self.config)
        for candidate in (Path("maintctl.yaml"), Path(user_config_dir(APP)) / "maintctl.yaml"):
            if candidate.is_file():
                return candidate
        return None

    def os_user(self) -> str:
        return os.environ.get("USER") or getpass.getuser()

    def api_token(self) -> str:
        """The token from MAINTCTL_TOKEN, else the file MAINTCTL_TOKEN_FILE names."""
        if self.token:
            return self.token.strip()
        if self.token_file:
            return _secret_file("MAINTCTL_TOKEN_FILE", self.token_file)
        return ""


def _secret_file(setting: str, path: str) -> str:
    """A secret read from the file a *_FILE setting names; a fault naming the setting if not."""
    try:
        return Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise EnvironmentFault(
            f"{setting} names {path}, which cannot be read: {reason}",
            f"point {setting} at a readable file, or unset it",
        ) from None


class CalendarFeed(BaseModel):
    """An outside iCalendar feed whose events count as conflicts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["deployment", "oncall", "customer-commitment"]
    source: str = Field(description="a file path (relative to the config file) or an http(s) URL")
    severity: Literal["block", "warn"] = "warn"
    max_age: Duration = Field(
        default=timedelta(hours=1),
        description="a URL feed's cache older than this blocks (block) or warns (warn)",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip() or len(value) > 64 or not value.isprintable():
            raise ValueError("a calendar name is 1 to 64 printable characters")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return _feed_source(value)

    @field_validator("max_age")
    @classmethod
    def _max_age(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(days=400):
            raise ValueError("max_age must be between 1m and 400d")
        return value

    @property
    def item_kind(self) -> ItemKind:
        return ItemKind(self.kind)

    @property
    def item_severity(self) -> Severity:
        return Severity(self.severity)


def _feed_source(value: str) -> str:
    """An http(s) URL that parses, with a host, or a file path; anything else is refused."""
    if not value.strip() or not value.isprintable():
        raise ValueError("source must be an http(s) URL or a file path")
    if "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError as exc:
        raise ValueError(f"source is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"source has an unsupported scheme {parts.scheme!r}; use http(s)")
    if not parts.hostname:
        raise ValueError("source is not a valid URL (it names no host)")
    return value


class Webhook(BaseModel):
    """A generic webhook: a URL and the HMAC key, from a file or the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    secret_file: str | None = None
    secret_env: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an http(s) URL with a host")
        return value

    @model_validator(mode="after")
    def _one_secret(self) -> Webhook:
        if (self.secret_file is None) == (self.secret_env is None):
            raise ValueError("a webhook needs exactly one of secret_file or secret_env")
        return self


class SmtpSender(BaseModel):
    """An SMTP server and the sender to write from; the password, if any, from a file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    smtp: str
    sender: str = Field(alias="from")
    username: str | None = None
    password_file: str | None = None

    @field_validator("smtp")
    @classmethod
    def _smtp(cls, value: str) -> str:
        """An smtp:// or smtps:// URL with a host (and a port that parses)."""
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - reading it checks the port
        except ValueError as exc:
            raise ValueError(f"smtp is not a valid URL ({exc})") from None
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError('smtp must be "smtp://host:port" or "smtps://host:port"')
        return value


class Email(SmtpSender):
    """A channel's email: the SMTP sender and its recipient list."""

    to: list[str] = Field(min_length=1, max_length=1000)


class PeopleEmail(SmtpSender):
    """The SMTP server and sender for messages to one person (the recipient is their account)."""


class People(BaseModel):
    """How messages for one person alone reach them: email to their account's address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: PeopleEmail | None = None


class Statuspage(BaseModel):
    """A hosted Atlassian Statuspage whose scheduled maintenances maintctl keeps in sync.

    The API key is a secret: from a file or the environment, never inline. `components` maps
    maintctl component ids to the page's own component ids (those unmapped are not sent).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    page_id: str = Field(pattern=r"^[A-Za-z0-9]{1,64}$")
    api_key_file: str | None = None
    api_key_env: str | None = None
    api_url: str = "https://api.statuspage.io"
    components: dict[str, str] = Field(default_factory=dict, max_length=1000)

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("api_url must be an http(s) URL with a host")
        return value.rstrip("/")

    @field_validator("components")
    @classmethod
    def _ids(cls, value: dict[str, str]) -> dict[str, str]:
        for hosted in value.values():
            if not 0 < len(hosted) <= 64 or not hosted.isalnum():
                raise ValueError(f"{hosted!r} is not a Statuspage component id (1 to 64 letters)")
        return value

    @model_validator(mode="after")
    def _one_key(self) -> Statuspage:
        if (self.api_key_file is None) == (self.api_key_env is None):
            raise ValueError("statuspage needs exactly one of api_key_file or api_key_env")
        return self


class Channel(BaseModel):
    """A way of telling one audience: an Apprise URL, a webhook, email or a hosted Statuspage
    (exactly one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    audience: str
    manual: bool = False
    # Sends to this channel one worker makes at once: a slow far end holds only these.
    concurrency: int = Field(default=4, ge=1, le=bounds.CHANNEL_CONCURRENCY_MAX)
    components: list[str] = Field(default_factory=list, max_length=1000)
    url: str | None = Field(default=None, repr=False)  # Apprise URLs carry tokens
    url_file: str | None = None
    webhook: Webhook | None = None
    email: Email | None = None
    statuspage: Statuspage | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip() or len(value) > 64 or not value.isprintable():
            raise ValueError("a channel name is 1 to 64 printable characters")
        return value

    @model_validator(mode="after")
    def _one_destination(self) -> Channel:
        keys = ("url", "url_file", "webhook", "email", "statuspage")
        given = [k for k in keys if getattr(self, k) is not None]
        if len(given) != 1:
            found = f"it has {', '.join(given)}" if given else "it has none"
            raise ValueError(
                f"a channel needs exactly one of url, url_file, webhook, email or statuspage;"
                f" {found}"
            )
        return self

    @property
    def kind(self) -> str:
        """The transport's name in channels.base.KINDS; "statuspage" is synced, not sent to
        (services/statuspage.py), so message planners skip it."""
        if self.statuspage:
            return "statuspage"
        return "webhook" if self.webhook else "email" if self.email else "apprise"

    def secret_files(self) -> list[tuple[str, str]]:
        """(field, path) of each file this channel reads a secret from."""
        found = [("url_file", self.url_file)] if self.url_file else []
        if self.webhook and self.webhook.secret_file:
            found.append(("webhook.secret_file", self.webhook.secret_file))
        if self.email and self.email.password_file:
            found.append(("email.password_file", self.email.password_file))
        if self.statuspage and self.statuspage.api_key_file:
            found.append(("statuspage.api_key_file", self.statuspage.api_key_file))
        return found


class ComponentConfig(BaseModel):
    """A component of the service as customers know it, and the systems it is made of."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=100)
    systems: list[str] = Field(min_length=1, max_length=bounds.MAX_SYSTEMS)
    description: str = Field(default="", max_length=2_000)

    def domain(self) -> Component:
        return Component(self.id, self.name, tuple(self.systems), self.description)


class StatusPageConfig(BaseModel):
    """The public status page (`/status`, `/api/v2/*.json`, `/history.atom`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(default="Status", min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=2_000)  # where it is published, for notices
    public: bool = True  # false: the page and its JSON need a viewer token
    # Windows whose type is not customer-impacting (zero-downtime) stay off the page unless asked.
    show_not_impacting: bool = False
    # Show a scheduled window as in progress at its start, as Statuspage's auto-transition does
    # (the page only: the window itself moves when a person starts it).
    auto_in_progress: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("url must be an http(s) URL with a host")
        return value


class MetricsConfig(BaseModel):
    """`GET /metrics` for Prometheus (docs/after.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public: bool = False  # true: scraped without a token (it names systems and check names)


class Contact(BaseModel):
    """One line of the runbook's Contact List: a duty, who holds it, and how to reach them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duty: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    account: str | None = Field(default=None, pattern=ACCOUNT_NAME.pattern)
    contact: str = Field(min_length=1, max_length=200)
    systems: list[str] = Field(default_factory=list, max_length=bounds.MAX_SYSTEMS)

    @field_validator("name", "contact")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("must be printable text")
        return value

    @model_validator(mode="after")
    def _someone(self) -> Contact:
        # `duty`, not `role`: an account's role (viewer ... admin) is another thing.
        if self.name is None and self.account is None:
            raise ValueError("a contact needs a name or an account")
        return self


class SuppressionProvider(BaseModel):
    """What every alert-suppression provider shares: how long a silence outlives the window's end
    (`grace`), and how often the worker extends it while the window runs past its end (`step`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    grace: Duration = timedelta(minutes=30)
    step: Duration | None = None  # default: half the grace

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an http(s) URL with a host")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _timing(self) -> SuppressionProvider:
        if not timedelta(seconds=1) <= self.grace <= timedelta(days=1):
            raise ValueError("grace must be between 1s and 1d")
        if self.step is not None and not timedelta(0) < self.step < self.grace:
            raise ValueError("step must be longer than 0s and shorter than the grace")
        return self

    @property
    def every(self) -> timedelta:
        """How often a silence of a window running past its end is extended."""
        return self.step or self.grace / 2


class AlertmanagerConfig(SuppressionProvider):
    """A Prometheus Alertmanager whose v2 API maintctl posts silences to."""


class PagerDutyConfig(SuppressionProvider):
    """PagerDuty's REST API, for maintenance windows on services; the token is a secret."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    url: str = "https://api.pagerduty.com"
    token_file: str | None = None
    token: str | None = Field(default=None, repr=False)
    sender: str = Field(alias="from", pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")

    @model_validator(mode="after")
    def _one_token(self) -> PagerDutyConfig:
        if (self.token_file is None) == (self.token is None):
            raise ValueError("pagerduty needs exactly one of token_file or token")
        return self


class Alerting(BaseModel):
    """Where a window's alerts are silenced while it runs (docs/execution.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alertmanager: AlertmanagerConfig | None = None
    pagerduty: PagerDutyConfig | None = None


LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]{0,127}$"


class SystemConfig(BaseModel):
    """A declared system: the Alertmanager matchers and PagerDuty services that alert for it.

    A matcher value containing `|` is a regular expression, any other is matched as written.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    silence: dict[str, str] = Field(default_factory=dict, max_length=20)
    pagerduty_services: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("silence")
    @classmethod
    def _matchers(cls, value: dict[str, str]) -> dict[str, str]:
        import re

        for name, wanted in value.items():
            if not re.match(LABEL_NAME, name):
                raise ValueError(f"{name!r} is not a label name (letters, digits and _)")
            if not 0 < len(wanted) <= 1_000 or not wanted.isprintable():
                raise ValueError(f"the value of {name} is 1 to 1000 printable characters")
            if "|" in wanted:
                try:
                    re.compile(wanted)
                except re.error as exc:
                    raise ValueError(f"the value of {name} is not a valid regex: {exc}") from None
        return value

    @field_validator("pagerduty_services")
    @classmethod
    def _services(cls, value: list[str]) -> list[str]:
        for service in value:
            if not 0 < len(service) <= 64 or not service.isalnum():
                raise ValueError(f"{service!r} is not a PagerDuty service id (letters, digits)")
        return value


class Hook(BaseModel):
    """A command run on every mode change (services/hooks.py): an argv list, never a shell
    unless the user writes `sh -c` themself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    command: list[str] = Field(min_length=1, max_length=1000)
    on: Literal["maintenance", "traffic", "any"] = "any"
    timeout: Duration = Field(default=timedelta(seconds=60))

    @model_validator(mode="before")
    @classmethod
    def _on_key(cls, data: Any) -> Any:
        # YAML 1.1 reads a bare `on:` key as the boolean true.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data

    @field_validator("command")
    @classmethod
    def _argv(cls, value: list[str]) -> list[str]:
        if not value[0].strip() or any("\x00" in part for part in value):
            raise ValueError("the command is an argv list whose first item names a program")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=1) <= value <= timedelta(seconds=bounds.HOOK_TIMEOUT_MAX_S):
            raise ValueError(f"a hook's timeout is 1s to {bounds.HOOK_TIMEOUT_MAX_S}s")
        return value

    def runs_on(self, kind: str) -> bool:
        """Whether a change of maintenance or traffic mode runs this hook."""
        return self.on in ("any", kind)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: dict[str, Any] = Field(default_factory=dict)
    calendars: list[CalendarFeed] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list, max_length=1000)
    components: list[ComponentConfig] = Field(default_factory=list, max_length=1000)
    status_page: StatusPageConfig = Field(default_factory=StatusPageConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    # Notice templates that replace the defaults, by file name (docs/templates.md).
    templates: str | None = Field(default=None, min_length=1, max_length=1_000)
    # The product notices name (the runbook's "AgentOS"); default from status_page.title.
    product: str | None = Field(default=None, min_length=1, max_length=100)
    checks: Any = None  # read by checks.base.parse_specs, which names each kind's parameters
    contacts: list[Contact] = Field(default_factory=list, max_length=1000)
    people: People = Field(default_factory=People)
    alerting: Alerting = Field(default_factory=Alerting)
    # Declared, every system named anywhere must be one of these (system_problems).
    systems: dict[str, SystemConfig] | None = Field(default=None, max_length=10_000)
    hooks: list[Hook] = Field(default_factory=list, max_length=bounds.MAX_HOOKS)


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    where: str
    message: str

    def text(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        return f"{at}: {self.where}: {self.message}" if self.where else f"{at}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    policy: Policy
    calendars: list[CalendarFeed] = field(default_factory=list)
    base_dir: Path = Path()
    source: str = "built-in defaults"
    channels: list[Channel] = field(default_factory=list)
    # The line each channel starts on, for problems found after parsing (an Apprise URL).
    channel_lines: tuple[int | None, ...] = ()
    components: tuple[Component, ...] = ()
    status_page: StatusPageConfig = field(default_factory=StatusPageConfig)
    templates: Path | None = None  # the override directory, resolved from the config's folder
    product: str = ""
    checks: tuple[Spec, ...] = ()
    contacts: tuple[Contact, ...] = ()
    people: People = field(default_factory=People)
    alerting: Alerting = field(default_factory=Alerting)
    systems: dict[str, SystemConfig] | None = None  # None: not declared, any name goes
    hooks: tuple[Hook, ...] = ()
    metrics: MetricsConfig = field(default_factory=MetricsConfig)

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)

    def path(self, name: str) -> Path:
        """A path from the config file, relative to its folder."""
        return self.base_dir / Path(name).expanduser()

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the effective policy and calendars: equal configs, equal hashes, wherever
        the file lives (processes that disagree show it in /health and on their jobs)."""
        calendars = [c.model_dump(mode="json") for c in self.calendars]
        # Only paths and names of channels: an inline Apprise URL is a secret, so it is hashed.
        channels = [
            {**c.model_dump(mode="json", exclude={"url"}), "url": _digest(c.url)}
            for c in self.channels
        ]
        text = json.dumps(
            {
                "policy": self.policy.as_json(),
                "calendars": calendars,
                "channels": channels,
                "components": [asdict(c) for c in self.components],
                "status_page": self.status_page.model_dump(mode="json"),
                # Only when set, so configs without them keep the hashes they had.
                **(
                    {"templates": str(self.templates), "template_files": _folder(self.templates)}
                    if self.templates
                    else {}
                ),
                **({"product": self.product} if self.product else {}),
                "checks": [_check_json(c) for c in self.checks],
                "contacts": [c.model_dump(mode="json") for c in self.contacts],
                "people": self.people.model_dump(mode="json"),
                **self._alerting_json(),
                **(
                    {"hooks": [h.model_dump(mode="json") for h in self.hooks]} if self.hooks else {}
                ),
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def _alerting_json(self) -> dict[str, Any]:
        """Alerting and systems for the hash, only when set (older configs keep their hashes);
        an inline PagerDuty token is hashed, never written out."""
        found: dict[str, Any] = {}
        if self.alerting != Alerting():
            shown = self.alerting.model_dump(mode="json", exclude={"pagerduty": {"token"}})
            if self.alerting.pagerduty is not None:
                shown["pagerduty"]["token"] = _digest(self.alerting.pagerduty.token)
            found["alerting"] = shown
        if self.systems is not None:
            found["systems"] = {k: v.model_dump(mode="json") for k, v in self.systems.items()}
        return found


def system_problems(
    config: Config, systems: Sequence[str], where: str = "systems"
) -> list[Problem]:
    """A problem per system not declared in the config's `systems:` (none when undeclared)."""
    if config.systems is None:
        return []
    known = ", ".join(sorted(config.systems)[:20]) or "none"
    return [
        Problem(
            where,
            "undeclared-system",
            f"the system {name!r} is not declared in the config's systems:",
            f"use one of: {known}; or declare it under systems: in {config.source}",
        )
        for name in dict.fromkeys(systems)
        if name not in config.systems
    ][:10]


def _folder(path: Path) -> str:
    """SHA-256 of a folder's files, names and contents: processes with other templates differ."""
    digest = hashlib.sha256()
    try:
        for item in sorted(path.iterdir()):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes() + b"\0")
    except OSError:
        return "unreadable"
    return digest.hexdigest()


def _check_json(spec: Spec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "group": spec.group,
        "kind": spec.kind,
        "timeout": spec.timeout,
        "tags": list(spec.tags),
        "unit": spec.unit,
        "tolerance": spec.tolerance.text() if spec.tolerance else None,
        "params": spec.params.model_dump(mode="json", by_alias=True),
    }


def _digest(secret: str | None) -> str | None:
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


def default_policy_text() -> str:
    return resources.files("maintctl").joinpath("default_policy.yaml").read_text("utf-8")


def merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else in the override replaces the base."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return override


def _problems(
    exc: ValidationError,
    lines: dict[yamlsource.Path, int],
    name: str,
    prefix: tuple[str | int, ...],
) -> list[ConfigProblem]:
    found = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, PolicyFieldError):
            loc = (*loc, *cause.path)
        where = ".".join(str(p) for p in (*prefix, *loc))
        line = yamlsource.line_of(lines, (*prefix, *loc)) if lines else None
        message = err["msg"].removeprefix("Value error, ")
        found.append(ConfigProblem(name, line, where, message))
    return found


def parse_config(text: str, name: str, base_dir: Path = Path()) -> Config:
    """Validate a config file's text over the default policy; every problem names its line."""
    try:
        data, lines = yamlsource.load(text)
    except yamlsource.YamlError as exc:
        raise ConfigError([ConfigProblem(name, exc.line, "", exc.message)]) from None
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(name, 1, "", "the file must be a mapping of settings")])
    problems: list[ConfigProblem] = []
    shape = _File()
    try:
        shape = _File.model_validate(data)
    except ValidationError as exc:
        problems += _problems(exc, lines, name, ())
    defaults, _ = yamlsource.load(default_policy_text())
    overrides = data.get("policy") if isinstance(data.get("policy"), dict) else {}
    try:
        policy = Policy.model_validate(merge(defaults, overrides))
    except ValidationError as exc:
        problems += _problems(exc, lines, name, ("policy",))
    specs: list[Spec] = []
    if data.get("checks") is not None:
        # Only a config with checks pays for their models (and each kind's module).
        from maintctl.checks.base import parse_specs

        specs, found = parse_specs(data["checks"], base_dir)
    else:
        found = []
    for loc, message in found:
        where = ("checks", *loc)
        line = yamlsource.line_of(lines, where) if lines else None
        problems.append(ConfigProblem(name, line, ".".join(map(str, where)), message))
    if problems:
        raise ConfigError(problems)
    names = [c.name for c in shape.calendars]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(
            [ConfigProblem(name, None, "calendars", f"calendar names repeat: {', '.join(dupes)}")]
        )
    components = tuple(c.domain() for c in shape.components)
    config = Config(
        policy,
        shape.calendars,
        base_dir,
        name,
        shape.channels,
        components=components,
        status_page=shape.status_page,
        templates=base_dir / Path(shape.templates).expanduser() if shape.templates else None,
        product=shape.product or "",
        checks=tuple(specs),
        contacts=tuple(shape.contacts),
        people=shape.people,
        alerting=shape.alerting,
        systems=shape.systems,
        hooks=tuple(shape.hooks),
        metrics=shape.metrics,
    )
    problems = _component_problems(config, lines, name) + _channel_problems(config, lines, name)
    problems += _system_problems(config, lines, name) + _hook_problems(config, lines, name)
    problems = problems or _template_problems(config, lines, name)
    if problems:
        raise ConfigError(problems)
    starts = tuple(yamlsource.line_of(lines, ("channels", i)) for i in range(len(shape.channels)))
    return replace(config, channel_lines=starts)


def _component_problems(
    config: Config, lines: dict[yamlsource.Path, int], name: str
) -> list[ConfigProblem]:
    """Component IDs once each; a channel's `components:` names only components declared."""
    found: list[ConfigProblem] = []
    seen: set[str] = set()
    for i, component in enumerate(config.components):
        if component.id in seen:
            path: tuple[str | int, ...] = ("components", i, "id")
            message = f"the component id {component.id!r} repeats"
            found.append(
                ConfigProblem(name, yamlsource.line_of(lines, path), f"components.{i}.id", message)
            )
        seen.add(component.id)
    for i, channel in enumerate(config.channels):
        for j, wanted in enumerate(channel.components):
            if wanted not in seen:
                path = ("channels", i, "components", j)
                known = ", ".join(sorted(seen)) or "none are declared (add a components: list)"
                found.append(
                    ConfigProblem(
                        name,
                        yamlsource.line_of(lines, path),
                        f"channels.{i}.components.{j}",
                        f"unknown component {wanted!r}; use one of: {known}",
                    )
                )
        for wanted in channel.statuspage.components if channel.statuspage else {}:
            if wanted not in seen:
                path = ("channels", i, "statuspage", "components", wanted)
                known = ", ".join(sorted(seen)) or "none are declared (add a components: list)"
                found.append(
                    ConfigProblem(
                        name,
                        yamlsource.line_of(lines, path),
                        f"channels.{i}.statuspage.components.{wanted}",
                        f"unknown component {wanted!r}; use one of: {known}",
                    )
                )
    return found


def _system_problems(
    config: Config, lines: dict[yamlsource.Path, int], name: str
) -> list[ConfigProblem]:
    """With `systems:` declared, components and contacts name only declared systems; a system
    mapped to a provider needs that provider under `alerting:`, whose token file must exist."""
    found: list[ConfigProblem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        where = ".".join(str(p) for p in path)
        found.append(ConfigProblem(name, yamlsource.line_of(lines, path), where, message))

    pagerduty = config.alerting.pagerduty
    if pagerduty and pagerduty.token_file and not config.path(pagerduty.token_file).is_file():
        problem(
            ("alerting", "pagerduty", "token_file"),
            f"the secret file {pagerduty.token_file} cannot be read; create it or fix the path",
        )
    if config.systems is None:
        return found
    known = ", ".join(sorted(config.systems)[:20]) or "none"
    named: list[tuple[tuple[str | int, ...], str]] = []
    for i, component in enumerate(config.components):
        named += [(("components", i, "systems", j), s) for j, s in enumerate(component.systems)]
    for i, contact in enumerate(config.contacts):
        named += [(("contacts", i, "systems", j), s) for j, s in enumerate(contact.systems)]
    for path, system in named:
        if system not in config.systems:
            problem(
                path, f"the system {system!r} is not declared under systems:; use one of: {known}"
            )
    for system, mapping in config.systems.items():
        if mapping.silence and config.alerting.alertmanager is None:
            problem(
                ("systems", system, "silence"),
                "no alerting.alertmanager is configured to post this silence to; add it",
            )
        if mapping.pagerduty_services and pagerduty is None:
            problem(
                ("systems", system, "pagerduty_services"),
                "no alerting.pagerduty is configured to open these maintenance windows; add it",
            )
    return found


def _hook_problems(
    config: Config, lines: dict[yamlsource.Path, int], name: str
) -> list[ConfigProblem]:
    """Hook names once each: a hook's runs are recorded under its name."""
    found: list[ConfigProblem] = []
    seen: set[str] = set()
    for i, hook in enumerate(config.hooks):
        if hook.name in seen:
            line = yamlsource.line_of(lines, ("hooks", i, "name"))
            message = f"the hook name {hook.name!r} repeats"
            found.append(ConfigProblem(name, line, f"hooks.{i}.name", message))
        seen.add(hook.name)
    return found


def _template_problems(
    config: Config, lines: dict[yamlsource.Path, int], name: str
) -> list[ConfigProblem]:
    """The `templates:` directory exists, and every template parses and renders on a sample
    window (Jinja2 loads only when the key is set)."""
    if config.templates is None:
        return []
    line = yamlsource.line_of(lines, ("templates",))
    if not config.templates.is_dir():
        message = f"the directory {config.templates} does not exist; create it or fix the path"
        return [ConfigProblem(name, line, "templates", message)]
    from maintctl.services import render

    return [
        ConfigProblem(file, at, "", message)
        for file, at, message in render.override_problems(config)
    ]


def _channel_problems(
    config: Config, lines: dict[yamlsource.Path, int], name: str
) -> list[ConfigProblem]:
    """Cross-checks a channel's model cannot make: its audience, its name, its secret files."""
    found: list[ConfigProblem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        where = ".".join(str(p) for p in path)
        found.append(ConfigProblem(name, yamlsource.line_of(lines, path), where, message))

    seen: set[str] = set()
    audiences = sorted(config.policy.audiences)
    for i, channel in enumerate(config.channels):
        if channel.name in seen:
            problem(("channels", i, "name"), f"the channel name {channel.name!r} repeats")
        seen.add(channel.name)
        if channel.audience not in config.policy.audiences:
            problem(
                ("channels", i, "audience"),
                f"unknown audience {channel.audience!r}; use one of {', '.join(audiences)}",
            )
        for key, path in channel.secret_files():
            if not config.path(path).is_file():
                where: tuple[str | int, ...] = ("channels", i, *key.split("."))
                problem(where, f"the secret file {path} cannot be read; create it or fix the path")
    people = config.people.email
    if people and people.password_file and not config.path(people.password_file).is_file():
        problem(
            ("people", "email", "password_file"),
            f"the secret file {people.password_file} cannot be read; create it or fix the path",
        )
    return found


def channel_problems(config: Config) -> list[ConfigProblem]:
    """Problems only a send would meet, checked by `policy check`: an Apprise URL Apprise cannot
    parse (Apprise is heavy, so it loads here and at send time only, never for a plain load)."""
    found = []
    for i, channel in enumerate(config.channels):
        if channel.kind != "apprise":
            continue
        from maintctl.channels import apprise

        line = config.channel_lines[i] if i < len(config.channel_lines) else None
        where = f"channels.{i}.{'url' if channel.url else 'url_file'}"
        try:
            url = channel.url or config.path(channel.url_file or "").read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            found.append(ConfigProblem(config.source, line, where, "the URL file cannot be read"))
            continue
        if not apprise.parses(url):
            found.append(
                ConfigProblem(
                    config.source,
                    line,
                    where,
                    "Apprise cannot parse this URL (its scheme or form is unknown); see "
                    "https://github.com/caronc/apprise/wiki for the URL of your service",
                )
            )
    return found


def load_config(path: Path | None) -> Config:
    """The effective config: the file at `path` over the defaults, or the defaults alone."""
    if path is None:
        return parse_config("{}", "built-in defaults")
    return parse_config(_read(path), str(path), path.resolve().parent)


def _read(path: Path) -> str:
    """A config file's text: at most bounds.CONFIG_MAX_BYTES of UTF-8, or one line why not."""
    limit = bounds.CONFIG_MAX_BYTES
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", exc.strerror or str(exc))]) from None
    if len(raw) > limit:
        raise ConfigError(
            [
                ConfigProblem(
                    str(path),
                    None,
                    "",
                    f"is larger than {limit:,} bytes, too big for a config file",
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            [
                ConfigProblem(
                    str(path),
                    line,
                    "",
                    f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                    "save it as UTF-8",
                )
            ]
        ) from None
