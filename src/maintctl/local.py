"""Building the app from settings: for `maintctl serve` and for the CLI's in-process local mode."""

from __future__ import annotations

from fastapi import FastAPI

from maintctl.config import Settings, load_config
from maintctl.services.deps import Deps
from maintctl.store.db import Database


def build_deps(settings: Settings, actor: str | None = None) -> Deps:
    db = Database(settings.resolved_database_url())
    config = load_config(settings.config_path())
    return Deps.build(db, config, actor or settings.actor())


def build_app(settings: Settings, actor: str | None = None) -> FastAPI:
    from maintctl.api.app import create_app

    return create_app(build_deps(settings, actor))


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process of `maintctl serve --workers N`."""
    return build_app(Settings())
