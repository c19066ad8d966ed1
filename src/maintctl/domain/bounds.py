"""Every bound on what maintctl accepts, in one place (DESIGN.md, "Bounds").

The domain checks these before the database sees a value, so SQLite and PostgreSQL refuse the
same inputs with the same named problem, and nothing a user types can overflow a column, a
timedelta or a query's cost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from maintctl.domain.errors import Problem

# Instants: far enough either side for any real maintenance, near enough that every arithmetic
# step (look-backs, a year's occurrences, a notice period) stays inside datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# The longest any window may last, whatever the policy says; also the longest duration typed.
MAX_WINDOW = timedelta(days=400)

# Text lengths, in characters.
TEXT_LIMITS: dict[str, int] = {
    "id": 32,
    "type": 64,
    "system": 64,
    "name": 64,
    "owner": 200,
    "email": 320,
    "impact": 2_000,
    "reason": 2_000,
    "comment": 2_000,
    "plan_item": 2_000,
    "description": 10_000,
    "justification": 10_000,
    "task": 500,  # a progress update's current task
    "public_title": 200,  # a window's title on the status page and in customer notices
    "public_message": 2_000,  # a window's or a progress update's message for the public
    "apprise_url": 2_000,  # an account's own Apprise URL (messages for that person alone)
    "step_text": 500,  # what one execution step does ("Step 3 of 8: <text>")
    "step_command": 8_000,  # one step's shell command, as the approvers signed it
    "mode_message": 1_000,  # the maintenance-mode message services show their users
    "review_text": 10_000,  # one section of a review (went well, could improve, lessons)
    "action": 500,  # an action item's what
}
MAX_SYSTEMS = 200  # systems named by one window or one query
MAX_TEAM = 50  # accounts named as one window's team
ACKS_PER_WINDOW_MAX = 2_000  # acknowledgements (and undos) kept on one window
MAX_LIST_ITEMS = 100  # items in one plan list (prerequisites, execution plan, ...)
# Mode hooks (config `hooks:`): how many, how long one may run, and how much of its output is kept.
MAX_HOOKS = 20
HOOK_TIMEOUT_MAX_S = 3_600
HOOK_OUTPUT_CHARS = 4_000  # the last characters of a hook's output, kept on its run's row
ACTIONS_PER_WINDOW_MAX = 200  # action items on one window's review

# YAML read from a file (the config file, `--from-file`): checked before any value is built, so
# an alias bomb or a deep nest is refused at once instead of exhausting memory.
CONFIG_MAX_BYTES = 1_048_576  # a config file's size
YAML_MAX_CHARS = 1_048_576  # one YAML document's text
YAML_MAX_NODES = 100_000  # values in one document, with every alias counted as what it stands for
YAML_MAX_DEPTH = 64  # levels of nesting, aliases included

# Requests and pages.
MAX_BODY_BYTES = 1_048_576
MAX_JSON_DEPTH = 32
PAGE_DEFAULT = 100
PAGE_MAX = 1_000

# Outside calendar feeds.
FEED_MAX_BYTES = 10 * 1_048_576
FEED_MAX_EVENTS = 10_000  # occurrences one feed may give for one question
MAX_STORED_CONFLICTS = 50  # conflicts kept on a window; the rest are counted in one line

# Our own /calendar.ics: at most this many windows (those starting last are kept), so a feed a
# calendar app polls stays a few megabytes whatever the database holds.
EXPORT_MAX_EVENTS = 5_000

# Tab, line feed and carriage return are text; every other C0/C1 control character and a lone
# surrogate (not encodable as UTF-8, so PostgreSQL refuses it) is not.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problems(
    field: str, value: str, limit_key: str, *, multiline: bool = True
) -> list[Problem]:
    """The problems with one typed text: its length, and characters that are not text."""
    problems = []
    limit = TEXT_LIMITS[limit_key]
    if len(value) > limit:
        problems.append(
            Problem(
                field,
                "too-long",
                f"is {len(value)} characters long; at most {limit} are kept",
                f"shorten it to {limit} characters",
            )
        )
    if (_NOT_TEXT if multiline else _NOT_LINE).search(value):
        problems.append(
            Problem(
                field,
                "control-character",
                "holds a control character or an unpaired surrogate",
                "remove it; only printable text"
                + (", tabs and line breaks are kept" if multiline else " is kept"),
            )
        )
    return problems


def instant_problem(field: str, value: datetime) -> Problem | None:
    """A problem when an instant lies outside the years maintctl works with."""
    if EARLIEST <= value < LATEST:
        return None
    return Problem(
        field,
        "time-range",
        f"{value.isoformat()} is outside the years {EARLIEST.year} to {LATEST.year - 1}",
        f"give a time between {EARLIEST.year} and {LATEST.year - 1}",
    )


def window_length_problem(field: str, length: timedelta) -> Problem | None:
    """A problem when a window or duration is longer than any window may be."""
    if length <= MAX_WINDOW:
        return None
    return Problem(
        field,
        "max-window",
        f"lasts longer than {MAX_WINDOW.days} days, the longest any window may be",
        f"split the work into windows of at most {MAX_WINDOW.days} days",
    )


# The job table (store/jobs.py): what one job may carry and keep, so the outbox stays small.
JOB_KIND_MAX = 64  # characters in a job kind's name ("feeds.refresh")
JOB_KEY_MAX = 200  # characters in an idempotency key
JOB_PAYLOAD_MAX_BYTES = 16_384  # a payload, as compact JSON
JOB_RESULT_MAX_CHARS = 2_000  # a job's result or last error; longer text is cut
JOB_PRUNE_BATCH = 1_000  # finished jobs deleted per prune step, so one step stays short
WORKER_CONCURRENCY_MAX = 64  # jobs one worker runs at once (threads, and database connections)
CHANNEL_CONCURRENCY_MAX = 64  # sends to one channel one worker makes at once

MAX_UPDATES = 500  # progress updates kept on one window; a window needing more is mis-planned
MAX_STEPS = 1_000  # steps in one window's execution plan, as a progress update counts them
# Execution steps (domain/steps.py, `maintctl run`): how long one step may run, and the log a
# window keeps on the server. Past the cap the oldest lines stay and newer ones are refused; one
# marker line says so (services/steps.py).
STEP_TIMEOUT_DEFAULT = timedelta(minutes=10)
STEP_TIMEOUT_MAX = timedelta(hours=12)
LOG_LINE_MAX_CHARS = 4_000  # one line of a step's output; longer lines are cut
LOG_BATCH_MAX = 500  # lines in one append
LOG_LINES_MAX = 20_000  # lines one window's log keeps
LOG_BYTES_MAX = 5 * 1_048_576  # characters one window's log keeps, in all
STEP_RESULTS_MAX = 10_000  # step results (retries included) kept on one window

# Checks (checks/, services/validation.py): a suite, its run, and what one check may take.
MAX_CHECKS = 1_000  # checks in one config file
CHECK_CONCURRENCY = 512  # checks of one run in flight at once (each mostly waits on a socket)
COMMAND_CONCURRENCY = 16  # processes one run starts at once (each costs a fork and memory)
CHECK_TIMEOUT_DEFAULT = 10.0  # seconds, where a check names none
CHECK_TIMEOUT_MAX = 600.0  # seconds: ten minutes, longer than any readiness probe waits
CHECK_MESSAGE_MAX = 500  # characters of one result's message
CHECK_READ_MAX_BYTES = 1_048_576  # a body or output read from a target; the rest is not read
VALIDATION_RETENTION_DAYS = 90  # validation runs and their results kept, from when asked for
# Notifications (store/notifications.py): rows per window and attempts shown per notification.
# A window's timeline is a few dozen rows; progress updates (MAX_UPDATES) times the channels of
# internal-engineering are the most; past this nothing more is planned, and a warning is logged.
NOTICES_PER_WINDOW_MAX = 5_000
NOTICE_ATTEMPTS_SHOWN = 50  # the most recent tries of one notification in `notify log`
# The status page (`/status`, `/api/v2/*.json`, `/history.atom`): Statuspage's plain arrays hold
# the most recent 50, and the page's history goes back 90 days.
STATUS_LIST_MAX = 50
STATUS_HISTORY = timedelta(days=90)
# Watching the recovery (`validate --watch`, domain/recovery.py): how long, how often, and what a
# watch keeps. 24h at the runbook's 30s is the most rounds; a watch keeps each round's counts,
# its failing results up to WATCH_FAILURES_KEPT in all (the first failure, which the verdict
# names, is always kept), and each check's last WATCH_TREND_ROUNDS latencies.
WATCH_MAX = timedelta(hours=24)
WATCH_EVERY_MIN = timedelta(seconds=1)
WATCH_EVERY_DEFAULT = timedelta(seconds=30)
WATCH_ROUNDS_MAX = 2_881
WATCH_FAILURES_KEPT = 1_000
WATCH_TREND_ROUNDS = 5
# What history teaches (services/stats.py, the duration warning): stats cover the windows that
# started within the horizon; the warning reads at most the last HISTORY_SAMPLE similar windows
# in it, and speaks only with at least HISTORY_MIN_SAMPLES of them.
HISTORY_HORIZON = timedelta(days=730)
HISTORY_SAMPLE = 200
HISTORY_MIN_SAMPLES = 5
# A notice is on time when sent at most this long after its due time: the worker picks a due
# notice up within a second, so only a retry or a stopped worker makes it later.
NOTICE_ON_TIME_GRACE = timedelta(minutes=1)
