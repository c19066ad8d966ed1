"""Building the app from settings: for `maintctl serve` and for the CLI's in-process local mode."""

from __future__ import annotations

from fastapi import FastAPI

from maintctl.config import Settings, load_config
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database


def build_deps(settings: Settings, local: bool) -> Deps:
    """Deps from settings; `local` for the CLI's in-process app, else a server's (tokens)."""
    db = Database(settings.resolved_database_url())
    config = load_config(settings.config_path())
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
