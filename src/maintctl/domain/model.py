"""The maintenance window and the values it is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from maintctl.domain.approvals import Signature
from maintctl.domain.intervals import Interval
from maintctl.domain.steps import Step
from maintctl.domain.times import format_instant


class Status(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class ItemKind(StrEnum):
    """What a calendar item or conflict comes from."""

    WINDOW = "window"
    DEPLOYMENT = "deployment"
    ONCALL = "oncall"
    CUSTOMER_COMMITMENT = "customer-commitment"
    FREEZE = "freeze"
    NOTE = "note"


@dataclass(frozen=True)
class Conflict:
    """Something on the calendar that touches a window or a day."""

    kind: ItemKind
    name: str
    start: datetime
    end: datetime
    severity: Severity
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """The stable JSON shape of a conflict or calendar item."""
        return {
            "kind": self.kind.value,
            "name": self.name,
            "start": format_instant(self.start),
            "end": format_instant(self.end),
            "severity": self.severity.value,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence from an outside iCalendar feed, already expanded and in UTC."""

    calendar: str
    kind: ItemKind
    severity: Severity
    summary: str
    start: datetime
    end: datetime
    uid: str = ""

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True)
class Booking:
    """Another window as the conflict rules see it: its time and its systems."""

    id: str
    start: datetime
    end: datetime
    systems: frozenset[str]

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass
class RequestDetails:
    """The free-text parts of the runbook's Maintenance Request Template."""

    justification: str = ""
    prerequisites: list[str] = field(default_factory=list)
    execution_plan: list[str] = field(default_factory=list)
    rollback_plan: list[str] = field(default_factory=list)
    verification_steps: list[str] = field(default_factory=list)


@dataclass
class WindowSpec:
    """A checked request: what create and modify hand to the rules."""

    type: str
    start: datetime
    end: datetime
    systems: list[str]
    owner: str
    description: str
    impact: str = ""
    risk: Risk = Risk.LOW
    details: RequestDetails = field(default_factory=RequestDetails)
    # What the status page and customers are told (DESIGN.md, "Public and private"); empty means
    # the type's wording (domain/public.py). Never signed: rewording keeps the approvals.
    public_title: str = ""
    public_message: str = ""
    # The accounts doing the work: each acknowledges precheck.team-available for themself.
    team: list[str] = field(default_factory=list)
    # What `maintctl run` and `rollback` walk (domain/steps.py); signed like the times.
    steps: list[Step] = field(default_factory=list)
    rollback_steps: list[Step] = field(default_factory=list)
    verify_steps: list[Step] = field(default_factory=list)
    # What the window asks while it runs (services/mode.py switches it on at start, off at its
    # end); a None message means the runbook's wording from the window's end.
    maintenance_mode: bool = False
    maintenance_message: str | None = None
    traffic_mode: str = "normal"  # normal | read-only | maintenance

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass
class Window:
    """A stored maintenance window."""

    id: str
    status: Status
    spec: WindowSpec
    requested_by: str
    created_at: datetime
    updated_at: datetime
    conflicts: list[Conflict] = field(default_factory=list)
    cancel_reason: str | None = None
    sequence: int = 0
    version: int = 1
    signatures: list[Signature] = field(default_factory=list)
    # Set by the life-cycle moves (services/lifecycle.py); None until then.
    lead: str | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    # The times last approved (set when the window is scheduled): what the status page shows,
    # kept while a change awaits approval. None while the window was never public.
    published_start: datetime | None = None
    published_end: datetime | None = None
    # The hash of the signed fields at the final signature (domain/steps.signed_hash); `run`
    # refuses a window whose fields no longer match it.
    signed_hash: str | None = None


class Pace(StrEnum):
    """How a window in progress stands against its plan (the runbook's "Status" line)."""

    ON_TRACK = "on-track"
    DELAYED = "delayed"


@dataclass(frozen=True)
class ProgressUpdate:
    """One MAINTENANCE UPDATE: step `step` of `of`, the task at hand, and who said so."""

    at: datetime
    step: int
    of: int
    task: str
    status: Pace
    by: str
    eta: datetime | None = None
    public: str | None = None
