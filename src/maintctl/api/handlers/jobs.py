"""Route bodies for /api/v1/jobs (see handlers/__init__.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from pydantic import Field

from maintctl.api.handlers import Reply
from maintctl.domain import bounds
from maintctl.domain.roles import Principal
from maintctl.domain.times import format_instant
from maintctl.services import jobs
from maintctl.services.deps import Deps
from maintctl.store.jobs import Job

MAX_JOB_ID = 2**31 - 1  # the id column is a 32-bit INTEGER on PostgreSQL
Limit = Annotated[int, Field(ge=1, le=bounds.PAGE_MAX)]
Before = Annotated[int | None, Field(ge=1, le=MAX_JOB_ID)]
Status = Annotated[str | None, Field(max_length=16)]


def _when(at: Any) -> str | None:
    return format_instant(at) if at is not None else None


def job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "key": job.key,
        "due_at": format_instant(job.due_at),
        "attempts": job.attempts,
        "next_try_at": _when(job.next_try_at) if job.status in ("pending", "running") else None,
        "claimed_by": job.claimed_by if job.status == "running" else None,
        "claimed_until": _when(job.claimed_until),
        "result": job.result,
        "config_hash": job.config_hash,
        "created_at": format_instant(job.created_at),
        "finished_at": _when(job.finished_at),
        "payload": job.payload,
    }


def list_jobs(
    deps: Deps,
    who: Principal,
    limit: Limit = bounds.PAGE_DEFAULT,
    before: Before = None,
    status: Status = None,
) -> Reply:
    """Jobs newest first, optionally of one status; the next page in the Link header."""
    rows = [job_json(j) for j in jobs.listing(deps, who, limit, before, status)]
    if len(rows) < limit:
        return Reply(rows)
    more = f"/api/v1/jobs?limit={limit}&before={rows[-1]['id']}"
    if status is not None:
        more += f"&status={quote(status)}"
    return Reply(rows, headers={"Link": f'<{more}>; rel="next"'})
