"""Running due jobs of given kinds in-process, through the same job code the worker runs.

In local mode (no MAINTCTL_URL) no worker may be running, so a command whose effect is a job
(mode hooks; later start and complete) runs that job itself right after the change. The claim
is the worker's own conditional claim, so a worker running at the same time never runs a job
twice.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from maintctl.services.deps import Deps

MAX_JOBS = 100  # jobs one command runs in-process
BUDGET_S = 600.0  # past it, what is left is the worker's (each job also has its own timeout)


@dataclass(frozen=True)
class Ran:
    """One job run in-process: its id, kind, new status (done, pending for a retry, dead)."""

    id: int
    kind: str
    status: str


def run_due(
    deps: Deps, kinds: tuple[str, ...], *, limit: int = MAX_JOBS, budget_s: float = BUDGET_S
) -> list[Ran]:
    """Run the due jobs of `kinds`, oldest due first, at most `limit` and for about `budget_s`;
    a job that fails is left for its retry (the worker's, or the next command's)."""
    from maintctl.config import Settings
    from maintctl.services import jobs

    if any(kind not in jobs.KINDS for kind in kinds):
        jobs.load_kinds(Settings())
    tuning = jobs.Tuning.from_settings(Settings())
    worker = f"cli-{os.getpid()}"
    deadline = time.monotonic() + budget_s
    ran: list[Ran] = []
    while len(ran) < limit and time.monotonic() < deadline:
        claimed = jobs.claim_batch(deps, worker, tuning, kinds=kinds)
        if not claimed:
            break
        for job in claimed:
            ran.append(Ran(job.id, job.kind, jobs.run(deps, job, worker, tuning)))
    return ran


def after(api: Any, kinds: tuple[str, ...]) -> list[Ran] | None:
    """In local mode, run the due jobs of `kinds` now; None when a server's worker runs them."""
    http = api.http
    if not getattr(http, "in_process", False):
        return None
    return run_due(http.deps, kinds)
