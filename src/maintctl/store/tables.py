"""The schema, as typed SQLAlchemy models. Migrations in migrations/ must match it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from maintctl.store.types import Json, UTCDateTime


class Base(DeclarativeBase):
    pass


# A window lasting at most this many seconds is "short": overlap queries find it by its start
# with this as the look-back; longer ones are found by their end (store/windows.py).
SHORT_S = 86_400


class WindowRow(Base):
    __tablename__ = "windows"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq_year: Mapped[int | None] = mapped_column(Integer)
    seq_no: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    risk: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(Json)
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The life-cycle moves: who leads the work, when it really started and stopped.
    lead: Mapped[str | None] = mapped_column(String(200))
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the public is told (DESIGN.md, "Public and private"), and the last approved times.
    public_title: Mapped[str] = mapped_column(String(200), default="")
    public_message: Mapped[str] = mapped_column(Text, default="")
    published_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    team: Mapped[list[str]] = mapped_column(Json, default=list)  # account names
    # {"steps": [...], "rollback_steps": [...], "verify_steps": [...]} (domain/steps.py), and
    # the hash of the signed fields at the final signature.
    steps: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    signed_hash: Mapped[str | None] = mapped_column(String(64))
    # What the window asks of maintenance mode and traffic mode while it runs (services/mode.py).
    maintenance_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    maintenance_message: Mapped[str | None] = mapped_column(Text)
    traffic_mode: Mapped[str] = mapped_column(String(16), default="normal")

    systems: Mapped[list[SystemRow]] = relationship(
        back_populates="window",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="SystemRow.system",
    )
    signatures: Mapped[list[SignatureRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SignatureRow.level"
    )

    # Every UPDATE says "WHERE version = <the version I read>" and must change exactly one row,
    # so two writers cannot both act on what they saw (the application sets the new version).
    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy's declared name and shape
        "version_id_col": version,
        "version_id_generator": False,
    }

    __table_args__ = (
        Index("ix_windows_start_at", "start_at"),
        Index("ix_windows_status_start", "status", "start_at"),
        Index("ix_windows_seq", "seq_year", "seq_no"),
        # Windows that ran, by their actual times (the SLA report, stats, the duration warning);
        # it holds every column they read, so SQLite answers them from the index alone.
        Index(
            "ix_windows_actual",
            "actual_start",
            "actual_end",
            "end_at",
            "duration_s",
            "type",
            "status",
            "id",
        ),
        # SQLite's overlap query finds short windows by their start with a fixed look-back, and
        # the few long ones by their end (store/windows.py). PostgreSQL uses its GiST index, so
        # the migration makes this one on SQLite only (and no postgresql_where here: naming it
        # would load SQLAlchemy's PostgreSQL dialect into every local CLI command).
        Index("ix_windows_long_end", "end_at", sqlite_where=text(f"duration_s > {SHORT_S}")),
    )


class SystemRow(Base):
    """One (window, system) pair, with the window's time copied so overlap is one indexed query."""

    __tablename__ = "window_systems"

    window_id: Mapped[str] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True
    )
    system: Mapped[str] = mapped_column(String(64), primary_key=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    long: Mapped[bool] = mapped_column(Boolean, default=False)  # lasts longer than SHORT_S
    # An emergency's overlap only warns: the no-double-booking constraint leaves it out.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)

    window: Mapped[WindowRow] = relationship(back_populates="systems")

    __table_args__ = (
        Index("ix_window_systems_system_start", "system", "start_at"),
        Index("ix_window_systems_long_end", "system", "long", "end_at"),
    )


class IdCounterRow(Base):
    """The last number given under one ID prefix (`MNT-2030`, `EMT-203001021200`).

    One atomic UPDATE ... RETURNING per new window, so parallel creates never race for a number.
    """

    __tablename__ = "id_counters"

    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class SignatureRow(Base):
    """One signed level of a window's approval chain; (window, level) is unique."""

    __tablename__ = "signatures"

    window_id: Mapped[str] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    signer: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The token that signed and who issued it; None in local mode (the OS user signs).
    token_id: Mapped[int | None] = mapped_column(Integer)
    token_issuer: Mapped[str | None] = mapped_column(String(200))


class UpdateRow(Base):
    """One progress update of a window in progress (the runbook's MAINTENANCE UPDATE)."""

    __tablename__ = "window_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer)
    of_steps: Mapped[int] = mapped_column(Integer)
    task: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(200))

    # A window's updates in order, a page at a time.
    __table_args__ = (Index("ix_window_updates_window", "window_id", "id"),)


class StepResultRow(Base):
    """One attempt at one step of a window (`maintctl run`); a retry is a new row."""

    __tablename__ = "step_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_step_results_window", "window_id", "phase", "number", "id"),)


class LogLineRow(Base):
    """One line of a window's execution log; `chars` is the log's length up to this line."""

    __tablename__ = "window_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[str | None] = mapped_column(String(16))
    step: Mapped[int | None] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(Text)
    chars: Mapped[int] = mapped_column(Integer)

    # The log in order a page at a time; the last row gives the count and size so far, and the
    # unique (window, seq) makes two appenders racing for one seq fail instead of interleaving.
    __table_args__ = (Index("ix_window_log_seq", "window_id", "seq", unique=True),)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320), default="")
    # A secret (an Apprise URL carries the service's tokens): read at send time, never shown.
    apprise_url: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TokenRow(Base):
    """An API token, kept only as its SHA-256: the token itself is shown once and never stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The account that created it: an admin minting an approver's token is visible on every
    # signature the token makes. None for tokens made before issuers were recorded.
    issued_by: Mapped[str | None] = mapped_column(String(200))


class AccountEventRow(Base):
    """Append-only record of account and token events: add, disable, role change, token create
    and revoke. Never updated or deleted by the application."""

    __tablename__ = "account_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)


class AuditRow(Base):
    """Append-only record of every change: who, when, what, from and to."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)


class FeedCacheRow(Base):
    """The last download of one URL calendar feed, shared by every process (refreshed in the
    background, never inside a request)."""

    __tablename__ = "feed_cache"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the configured source: a changed URL makes the cache count as never fetched,
    # and the URL itself (which may hold a token) is not stored.
    source_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    # SHA-256 of the body: a process re-parses only when it changed, not on every 304.
    body_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class JobRow(Base):
    """One job of the outbox: something the worker does later, once, by its idempotency key.

    `next_try_at` is when the row may next be claimed: the due time, a retry's backoff, or the
    end of a claim's lease (so a killed worker's job runs again when its lease runs out).
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # pending, running, done, dead
    result: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    config_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The window whose move planned it (the payload's "window"), for services/effects.py.
    window_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        # "Due and claimable": pending or running (a lease that may have run out), by next try.
        Index("ix_jobs_status_next_try", "status", "next_try_at"),
        Index("ix_jobs_window", "window_id", "id"),
        # Pruning finds finished jobs by when they finished.
        Index("ix_jobs_finished", "finished_at"),
    )


class WorkerLeaseRow(Base):
    """On SQLite one worker at a time works: it holds this row until `until`, renewing it."""

    __tablename__ = "worker_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkerBeatRow(Base):
    """A worker's heartbeat: when it last looked for work, and the config it runs with."""

    __tablename__ = "worker_beats"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    config_hash: Mapped[str] = mapped_column(String(64))


class NotificationRow(Base):
    """One notice of a window to one audience over one channel: planned, sent once, logged.

    Unique by (window, kind, audience, channel), so a replanned or repeated plan never doubles
    a notice; `due_at` is None for an event notice (start, completion) until the event happens.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    manual: Mapped[bool] = mapped_column(Boolean)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # planned, queued, draft, sent, skipped, cancelled, failed
    status: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int | None] = mapped_column(Integer)  # a progress notice's update
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ux_notifications_notice", "window_id", "kind", "audience", "channel", unique=True),
        # `notify pending`: what is waiting, by due time.
        Index("ix_notifications_status_due", "status", "due_at", "id"),
        # A window's timed notices and when they went (stats' "notices on time"), index only.
        Index("ix_notifications_window_due", "window_id", "due_at", "sent_at", "status"),
    )


class NotificationAttemptRow(Base):
    """One try at sending a notification: when, whether it went, and what the channel said."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("notifications.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_notification_attempts_notice", "notification_id", "id"),)


class StatuspageIncidentRow(Base):
    """A window's scheduled maintenance on one hosted Statuspage channel, and what was synced.

    `incident_id` is None until the create is known to have succeeded; `create_sent` says a
    create may have reached Statuspage (a crash after it is looked up, never made twice).
    `held_by`/`held_until` is a short lease so one sync at a time talks about one window.
    """

    __tablename__ = "statuspage_incidents"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_id: Mapped[str] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[str | None] = mapped_column(String(64))
    create_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    synced: Mapped[dict[str, Any]] = mapped_column(Json)  # the fields last accepted by Statuspage
    last_update: Mapped[int] = mapped_column(Integer, default=0)  # last progress update posted
    held_by: Mapped[str | None] = mapped_column(String(200))
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AckRow(Base):
    """One person's acknowledgement of a checklist item (`precheck.on-call-briefed`) on a window.

    Withdrawn by setting `undone_at`, never deleted: who said what, and when, stays.
    """

    __tablename__ = "acks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(130))
    account: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_acks_window_item", "window_id", "item", "id"),)


class ValidationRunRow(Base):
    """One validation run (shown as V-<id>): what was asked, by whom, and how it ended.

    status: queued, running, passed, failed, error; purpose: check, baseline, compare.
    """

    __tablename__ = "validation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str | None] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), nullable=True
    )
    mode: Mapped[str] = mapped_column(String(8))
    groups: Mapped[list[str]] = mapped_column(Json)
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    config_hash: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)  # why a run ended in error
    # A round of a recovery watch (W-<id>), and when it began to run (its round's time).
    watch_id: Mapped[int | None] = mapped_column(
        ForeignKey("validation_watches.id", ondelete="CASCADE"), nullable=True
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        # A window's runs, newest first; pruning by age; a watch's rounds in order.
        Index("ix_validation_runs_window", "window_id", "id"),
        Index("ix_validation_runs_created", "created_at"),
        Index("ix_validation_runs_watch", "watch_id", "id"),
    )


class ValidationWatchRow(Base):
    """A recovery watch run by the worker (shown as W-<id>): a validation run every `every_s`
    for `duration_s`, each round's run linked by its watch_id."""

    __tablename__ = "validation_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str | None] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), nullable=True
    )
    mode: Mapped[str] = mapped_column(String(8))
    groups: Mapped[list[str]] = mapped_column(Json)
    duration_s: Mapped[int] = mapped_column(Integer)
    every_s: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(200))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CheckResultRow(Base):
    """One check's result in one run; unique by (run, name), so a retried run never doubles."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("validation_runs.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(64))
    check_group: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    observed: Mapped[dict[str, Any]] = mapped_column(Json)  # {"value": the observed value}
    unit: Mapped[str] = mapped_column(String(16))
    duration_ms: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ux_check_results_run_name", "run_id", "name", unique=True),)


class SilenceRow(Base):
    """A window's alerts silenced at one provider for one system, and where that stands.

    state: pending (not made yet, or failing), active, ended, failed (given up). `sent` says a
    create may have reached the provider, so a retry looks it up before making another.
    """

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))  # alertmanager | pagerduty
    target: Mapped[str] = mapped_column(String(200))  # the system silenced
    external_id: Mapped[str | None] = mapped_column(String(128))
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)  # never a secret
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ux_silences_window_target", "window_id", "provider", "target", unique=True),
        # The sweep's question: which silences are not ended yet.
        Index("ix_silences_state", "state", "id"),
    )


class ModeStateRow(Base):
    """The maintenance-mode or traffic-mode state of one scope ("*" global, or a system):
    updated in place by every change, so every replica and worker reads the same state."""

    __tablename__ = "mode_states"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    window_id: Mapped[str | None] = mapped_column(String(32), index=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_id: Mapped[int] = mapped_column(Integer)


class ModeChangeRow(Base):
    """Append-only: one change of maintenance or traffic mode over its scopes, with who and why
    (the mode's audit trail; also on the window's history when tied to one)."""

    __tablename__ = "mode_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(Json)
    message: Mapped[str | None] = mapped_column(Text)
    window_id: Mapped[str | None] = mapped_column(String(32), index=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Both states of each scope after the change: what its hooks are told.
    after: Mapped[dict[str, Any]] = mapped_column(Json)
    credential: Mapped[dict[str, Any]] = mapped_column(Json)


class HookRunRow(Base):
    """One run of one mode hook for one change: its exit code and the tail of its output."""

    __tablename__ = "hook_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("mode_changes.id", ondelete="CASCADE")
    )
    window_id: Mapped[str | None] = mapped_column(String(32))
    hook: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ok, failed, timeout, error, superseded
    exit_code: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_hook_runs_change", "change_id", "id"),
        Index("ix_hook_runs_window", "window_id", "id"),
    )


class ReviewRow(Base):
    """What the lead wrote in a window's review (the metrics are computed, never stored)."""

    __tablename__ = "reviews"

    window_id: Mapped[str] = mapped_column(
        ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True
    )
    went_well: Mapped[str] = mapped_column(Text, default="")
    could_improve: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    incidents: Mapped[list[str]] = mapped_column(Json, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))


class ActionItemRow(Base):
    """One action item of a window's review (shown as A-<id>): what, who, by when, done when."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window_id: Mapped[str] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # A window's items; one owner's; the open ones (done_at NULL) in id order.
        Index("ix_action_items_window", "window_id", "id"),
        Index("ix_action_items_owner", "owner", "id"),
        Index("ix_action_items_done", "done_at", "id"),
    )
