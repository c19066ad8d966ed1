"""The FastAPI application: the same app behind `maintctl serve` and the CLI's local mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from maintctl import __version__
from maintctl.api import errors
from maintctl.api.door import Door
from maintctl.api.openapi import REFUSALS
from maintctl.api.routes import (
    accounts,
    calendar,
    emergency,
    feeds,
    history,
    jobs,
    meta,
    metrics,
    mode,
    notify,
    precheck,
    render,
    review,
    schedule,
    status,
    steps,
    suppression,
    validation,
    windows,
)
from maintctl.services.deps import Deps
from maintctl.store import migrate


def create_app(deps: Deps) -> FastAPI:
    """An app over `deps`; the schema is brought up to date when it starts."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        migrate.upgrade(deps.db)
        yield

    app = FastAPI(
        title="maintctl",
        version=__version__,
        summary="Maintenance windows: policy-checked requests, conflicts, slots and calendar.",
        lifespan=lifespan,
    )
    app.state.deps = deps
    errors.install(app)
    app.add_middleware(Door, classify=deps.db.fault)
    for router in (
        windows.router,
        schedule.router,
        calendar.router,
        feeds.router,
        accounts.router,
        jobs.router,
        render.router,
        notify.router,
        precheck.router,
        mode.router,
        validation.router,
        suppression.router,
        steps.router,
        history.router,
        review.router,
        emergency.router,
    ):
        app.include_router(router, responses=REFUSALS)
    app.include_router(meta.router)
    app.include_router(metrics.router, responses=REFUSALS)
    app.include_router(status.router, responses=REFUSALS)
    return app
