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

from maintctl.cli.text import clean

EXIT_NOT_OK = 1
EXIT_REFUSED = 2
EXIT_FAULT = 3


def fail(lines: list[str], code: int = EXIT_REFUSED) -> NoReturn:
    """Print one line per problem to stderr and exit 2 (or `code`)."""
    for line in lines:
        print(f"error: {clean(line)}", file=sys.stderr)
    raise typer.Exit(code)


def _problem_lines(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        # A proxy's HTML error page is many lines; one line is said.
        return [
            f"the server answered {response.status_code}: {' '.join(response.text[:200].split())}"
        ]
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
                fail(
                    [
                        f"could not reach the maintctl server at {self.http.base_url} "
                        f"({exc.__class__.__name__}); check that it runs and MAINTCTL_URL"
                    ],
                    EXIT_FAULT,
                )
        if response.status_code >= 400:
            # 5xx: the server could not serve (down, busy, a bug); the request was not refused.
            fail(
                _problem_lines(response),
                EXIT_FAULT if response.status_code >= 500 else EXIT_REFUSED,
            )
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
        # The config file is how maintctl runs, not what the command was asked: it could not run.
        fail([p.text() for p in exc.problems], EXIT_FAULT)
    finally:
        local.close()
