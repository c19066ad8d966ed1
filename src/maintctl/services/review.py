"""The review (`maintctl review`): the template filled from the records, and what the lead wrote.

The Success Metrics are computed by domain/review.py from the notices, the final validation
run and the emergencies on the window's systems; the written parts are a row of their own with
an optimistic version. Also the judges of `post-long-term.review-conducted` (the review is
written) and `post-short-term.close-ticket` (the window is closed: services/closing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from maintctl.domain import bounds, review
from maintctl.domain.errors import Problem, RuleViolation, StaleError, refuse
from maintctl.domain.history import overrun
from maintctl.domain.model import Window
from maintctl.domain.roles import Principal, require_operator
from maintctl.domain.times import format_instant
from maintctl.services.deps import Deps
from maintctl.services.precheck import Finding, Judging, register_judge
from maintctl.services.windows import require
from maintctl.store import actions, audit, notifications, reviews
from maintctl.store import validation as runs

REVIEW_CONDUCTED = "post-long-term.review-conducted"
CLOSE_TICKET = "post-short-term.close-ticket"
_NOT_PLANNED = (notifications.SKIPPED, notifications.CANCELLED)


@dataclass(frozen=True)
class Review:
    """A window's review: its summary, the computed metrics, what was written, the actions."""

    window: Window
    summary: review.Summary
    metrics: list[review.Metric]
    texts: review.Written
    version: int  # of the written parts; 0 while nothing is written
    actions: list[actions.Action]

    @property
    def lines(self) -> list[review.ActionLine]:
        return [
            review.ActionLine(
                a.id, a.what, a.owner, format_instant(a.due_at), a.done_at is not None
            )
            for a in self.actions
        ]

    def markdown(self) -> str:
        return review.markdown(self.summary, self.metrics, self.texts, self.lines)


def _ran(window: Window) -> tuple[Window, timedelta]:
    """The window and how long it ran; refused (never-ran) when it never started."""
    if window.actual_start is None:
        raise RuleViolation([review.never_ran(window.id)])
    end = window.actual_end or window.actual_start
    return window, end - window.actual_start


def build(deps: Deps, session: Session, window: Window) -> Review:
    """The review of a window that ran, from the records in `session`."""
    window, took = _ran(window)
    planned = window.spec.end - window.spec.start
    found = reviews.get(session, window.id)
    texts, version = found if found is not None else (review.Written(), 0)
    metrics = [
        review.duration_metric(planned, took, overrun(window)),
        review.notices_metric(_notices(session, window)),
        _checks(session, window),
        review.incidents_metric(_emergencies(session, window), texts.incidents),
    ]
    summary = review.Summary(
        window.id,
        format_instant(window.actual_start or window.spec.start)[:10],
        planned,
        took,
        window.spec.type,
        window.lead or window.requested_by,
    )
    listed = actions.of_window(session, window.id, bounds.ACTIONS_PER_WINDOW_MAX)
    return Review(window, summary, metrics, texts, version, listed)


def _notices(session: Session, window: Window) -> list[review.NoticeRecord]:
    rows = notifications.of_window(session, window.id)
    return [
        review.NoticeRecord(r.audience, r.due_at, r.sent_at if r.status == "sent" else None)
        for r in rows
        if r.due_at is not None and r.status not in _NOT_PLANNED
    ]


def _checks(session: Session, window: Window) -> review.Metric:
    """The final validation run of the window: its newest finished check or compare run."""
    for purpose_run in runs.window_runs(session, window.id, None, 50):
        if purpose_run.purpose == "baseline" or purpose_run.status not in runs.FINISHED:
            continue
        results = [r for _, r in runs.results(session, purpose_run.id)]
        passed = sum(1 for r in results if r.passed)
        return review.checks_metric(passed, len(results), purpose_run.id)
    return review.checks_metric(None, None)


def _emergencies(session: Session, window: Window) -> list[str]:
    start = window.actual_start
    assert start is not None  # _ran checked
    end = window.actual_end or start
    return reviews.emergencies_during(session, window.id, window.spec.systems, start, end)


def show(deps: Deps, window_id: str, who: Principal) -> Review:
    """The review of a window (anyone who may read windows)."""
    del who  # reading windows needs no role beyond a valid caller
    with deps.db.read() as session:
        return build(deps, session, require(session, window_id))


def edit(
    deps: Deps,
    session: Session,
    window_id: str,
    who: Principal,
    texts: review.Written,
    expected_version: int | None = None,
) -> Review:
    """Write the lead's parts of the review; `expected_version` guards against a lost update."""
    window = require(session, window_id)
    require_operator(who, window.requested_by, window.lead, f"editing the review of {window.id}")
    _ran(window)
    refuse(review.written_problems(texts))
    found = reviews.get(session, window.id)
    current = found[1] if found is not None else 0
    if expected_version is not None and expected_version != current:
        raise _stale(window.id, current)
    now = deps.clock()
    if reviews.put(session, window.id, texts, current, who.name, now) == 0:
        raise _stale(window.id, current + 1)
    extra = {"version": current + 1, "sections": [k for k in review.TEXT_KEYS if getattr(texts, k)]}
    audit.record(session, window, who.name, "review", window.status, now, extra=extra)
    return build(deps, session, window)


def _stale(window_id: str, now_at: int) -> StaleError:
    return StaleError(
        [
            Problem(
                "version",
                "stale",
                f"the review of {window_id} changed since you read it; it is at version {now_at}",
                f"read it again (maintctl review {window_id}) and repeat your edit",
            )
        ]
    )


def is_written(session: Session, window_id: str) -> bool:
    """The review counts as written once the lead wrote any of its sections."""
    found = reviews.get(session, window_id)
    return found is not None and not found[0].empty


def _review_conducted(j: Judging) -> Finding:
    if is_written(j.session, j.window.id):
        return Finding(True, "the review is written")
    return Finding(False, "no review written", f"maintctl review edit {j.window.id}")


register_judge(REVIEW_CONDUCTED, _review_conducted)  # close-ticket's judge: services/aftercare.py
