"""Composition root: the app for `maintctl serve`, and the pieces the CLI's local mode wires.

Local mode builds only what a command uses: the config for `policy show`, the database and the
services for the rest, and the whole web app only for a route not yet in api/handlers.ROUTES.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maintctl.config import Config, Settings, load_config

if TYPE_CHECKING:
    from fastapi import FastAPI

    from maintctl.services.deps import Deps


def build_deps(settings: Settings, local: bool, config: Config | None = None) -> Deps:
    """Deps from settings; `local` for the CLI's in-process use, else a server's (tokens)."""
    from maintctl.services.deps import Deps, LocalIdentity
    from maintctl.store.db import Database

    db = Database(settings.resolved_database_url())
    config = config or load_config(settings.config_path())
    identity = LocalIdentity(settings.os_user(), settings.as_user or None) if local else None
    return Deps.build(db, config, local=identity)


def build_app(settings: Settings, local: bool) -> FastAPI:
    from maintctl.api.app import create_app

    return create_app(build_deps(settings, local))


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process of `maintctl serve --workers N`."""
    from maintctl import logs

    logs.install()
    return build_app(Settings(), local=False)
