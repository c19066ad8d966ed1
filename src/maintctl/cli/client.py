"""Talking to the API: the server at MAINTCTL_URL, or the same app in-process, on local data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import httpx

    from maintctl.config import Settings

import typer
from platformdirs import user_config_dir

EXIT_NOT_OK = 1
EXIT_REFUSED = 2


def fail(lines: list[str]) -> NoReturn:
    """Print one line per problem to stderr and exit 2."""
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    raise typer.Exit(EXIT_REFUSED)


def _problem_lines(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return [f"the server answered {response.status_code}: {response.text[:200]}"]
    problems = body.get("problems") if isinstance(body, dict) else None
    if problems:
        lines = []
        for p in problems:
            text = f"{p['field']}: {p['message']}"
            lines.append(f"{text}; {p['fix']}" if p.get("fix") else text)
        return lines
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
    return [f"{response.status_code}: {detail or response.text[:200]}"]


class Api:
    """A thin client: sends requests, turns problem+json into one line per problem and exit 2."""

    def __init__(self, http: Any) -> None:
        self.http = http

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if getattr(self.http, "in_process", False):
            response: httpx.Response = self.http.request(method, path, **kwargs)
        else:
            import httpx

            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                fail([f"could not reach the maintctl server: {exc.__class__.__name__}"])
        if response.status_code >= 400:
            fail(_problem_lines(response))
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.call(method, path, **kwargs).json()


def client_file() -> Path:
    """Where `maintctl login` keeps the server's URL and your token (mode 0600)."""
    return Path(user_config_dir("maintctl")) / "client.yaml"


def remote(settings: Settings) -> tuple[str, str]:
    """The server and token: MAINTCTL_URL / MAINTCTL_TOKEN(_FILE) first, else `maintctl login`'s."""
    url, token = settings.url, settings.api_token()
    path = client_file()
    if not url and path.is_file():
        import yaml

        saved = yaml.safe_load(path.read_text("utf-8")) or {}
        url = str(saved.get("url", ""))
        token = token or str(saved.get("token", ""))
    return url, token


@contextmanager
def connect() -> Iterator[Api]:
    """The API at MAINTCTL_URL, else the same API in-process over the local database."""
    from maintctl.config import ConfigError, Settings

    settings = Settings()
    url, token = remote(settings)
    if url:
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=url.rstrip("/"), timeout=30.0, headers=headers) as http:
            yield Api(http)
        return
    from maintctl.cli.transport import LocalTransport

    local = LocalTransport(settings)
    try:
        yield Api(local)
    except ConfigError as exc:
        fail([p.text() for p in exc.problems])
    finally:
        local.close()
