"""The built-in judges of the precheck: approvals, notices, status page, team channel.

Each reads the records only; the baseline from the window's validation runs (services/runs.py).
"""

from __future__ import annotations

from maintctl.domain import public
from maintctl.domain.model import Status
from maintctl.domain.times import format_instant
from maintctl.services import review as _review  # noqa: F401 - registers the review's judges
from maintctl.services import statuspage
from maintctl.services.notices import label
from maintctl.services.precheck import Finding, Judging, register_judge
from maintctl.store import notifications
from maintctl.store import statuspage as synced_store

_APPROVED = (Status.SCHEDULED, Status.IN_PROGRESS, Status.VERIFYING, Status.COMPLETED)
ENGINEERING = "internal-engineering"
_CHAT = ("apprise", "webhook")  # an Apprise URL is a chat (Slack, Teams...); a webhook a bot


def approvals(j: Judging) -> Finding:
    """Every level of the type's chain signed: the window is scheduled (or under way)."""
    w = j.window
    rule = j.deps.config.policy.types.get(w.spec.type)
    chain = len(rule.approvals) if rule else 0
    signed = f"{len(w.signatures)}/{chain} signed" if chain else "no approval needed"
    if w.status in _APPROVED:
        return Finding(True, signed)
    if w.status == Status.DRAFT:
        return Finding(False, "a draft, never submitted", f"maintctl window submit {w.id}")
    if w.status == Status.PENDING_APPROVAL:
        waiting = rule.approvals[len(w.signatures)] if rule and chain > len(w.signatures) else ""
        return Finding(
            False, signed, f"a {waiting or 'approver'} signs: maintctl window approve {w.id}"
        )
    return Finding(False, w.status.value, "")


def notices_sent(j: Judging) -> Finding:
    """Every notice due so far went out; drafts waiting for a person are named."""
    rows = notifications.of_window(j.session, j.window.id)
    over = (notifications.SKIPPED, notifications.CANCELLED)
    due = [r for r in rows if r.due_at is not None and r.due_at <= j.now and r.status not in over]
    unsent = [r for r in due if r.status != notifications.SENT]
    if not due:
        return Finding(True, "none due yet")
    counted = f"{len(due) - len(unsent)}/{len(due)} due so far"
    if not unsent:
        return Finding(True, counted)
    named = ", ".join(f"{label(r.id)} {r.kind} to {r.audience} ({r.status})" for r in unsent[:5])
    more = f" and {len(unsent) - 5} more" if len(unsent) > 5 else ""
    drafts = [label(r.id) for r in unsent if r.status == notifications.DRAFT]
    fix = f"send the drafts: maintctl notify send {drafts[0]}" if drafts else ""
    fix = (
        fix
        or f"the worker sends them (maintctl worker --once); see maintctl notify log {j.window.id}"
    )
    return Finding(False, f"{counted}; missing {named}{more}", fix)


def status_page(j: Judging) -> Finding:
    """The window is on the status page, and on each hosted Statuspage that should show it."""
    w, config = j.window, j.deps.config
    rule = config.policy.types.get(w.spec.type)
    if not public.is_public(w, rule, config.status_page.show_not_impacting):
        if w.published_start is not None and rule is not None and not rule.customer_impacting:
            return Finding(True, "not customer-impacting: kept off the page")
        return Finding(False, "not on the status page: never scheduled", "get it approved first")
    behind = []
    for channel in config.channels:
        if channel.statuspage is None:
            continue
        wanted = statuspage.wanted(w, rule, config, channel)
        if wanted is None:
            continue
        held = synced_store.get(j.session, channel.name, w.id)
        if held is None or held.incident_id is None or statuspage.change(held.fields, wanted):
            behind.append(channel.name)
    if behind:
        return Finding(
            False,
            f"Statuspage not in step: {', '.join(behind)}",
            "the worker syncs it within seconds (where no server runs: maintctl worker --once)",
        )
    hosted = [c.name for c in config.channels if c.statuspage]
    return Finding(True, "public" + (f"; Statuspage {', '.join(hosted)} synced" if hosted else ""))


def team_channel(j: Judging) -> Finding:
    """A chat or webhook channel tells engineering, and its last send (if any) went through."""
    names = [
        c.name for c in j.deps.config.channels if c.audience == ENGINEERING and c.kind in _CHAT
    ]
    if not names:
        return Finding(
            False,
            f"no chat or webhook channel for {ENGINEERING} is configured",
            f"add one under channels: with audience {ENGINEERING} (docs/channels.md)",
        )
    last = notifications.last_attempt(j.session, names)
    if last is not None and not last[1].ok:
        channel, tried = last
        said = tried.result[:120]
        return Finding(
            False,
            f"the last send to {channel} failed: {said}",
            "fix the channel, then maintctl notify log",
        )
    return Finding(True, ", ".join(names) + ("; last send ok" if last else ""))


register_judge("precheck.approvals-verified", approvals)
register_judge("precheck.notifications-sent", notices_sent)
register_judge("precheck.status-page-updated", status_page)
register_judge("precheck.channel-established", team_channel)


def baseline(j: Judging) -> Finding:
    """A baseline of the configured checks was captured on the window before the work."""
    from maintctl.services.runs import baseline_captured

    if not j.deps.config.checks:
        return Finding(
            False,
            "not judged: no checks are configured, so there is no baseline to capture",
            "add checks: to the config file (docs/checks.md), then capture one",
        )
    at = baseline_captured(j.session, j.window.id)
    if at is None:
        return Finding(
            False,
            "no baseline captured",
            f"maintctl validate --window {j.window.id} --baseline capture",
        )
    return Finding(True, f"captured {format_instant(at)}")


register_judge("precheck.baseline-captured", baseline)
