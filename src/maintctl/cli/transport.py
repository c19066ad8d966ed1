"""Local mode's transport: the API in-process, calling the route bodies without the web stack."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

if TYPE_CHECKING:
    from maintctl.api.handlers import Route
    from maintctl.config import Config, Settings
    from maintctl.domain.roles import Principal
    from maintctl.services.deps import Deps


class Headers(dict[str, str]):
    """Response headers, looked up without regard to case, as HTTP names them."""

    def __init__(self, given: dict[str, str]) -> None:
        super().__init__((k.lower(), v) for k, v in given.items())

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class LocalResponse:
    """The part of httpx.Response the CLI reads.

    A streamed body (`pieces`) is read as it is asked for: `iter_bytes` keeps one piece in
    memory at a time; `content` joins them all, once.
    """

    def __init__(
        self,
        status_code: int,
        headers: dict[str, str],
        content: bytes = b"",
        pieces: Iterable[bytes] | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = Headers(headers)
        self._content = content
        self._pieces = pieces

    @property
    def content(self) -> bytes:
        if self._pieces is not None:
            self._content, self._pieces = b"".join(self._pieces), None
        return self._content

    def iter_bytes(self) -> Iterator[bytes]:
        """The body piece by piece, as httpx.Response.iter_bytes gives it."""
        if self._pieces is None:
            yield self._content
            return
        pieces, self._pieces = self._pieces, None
        yield from (piece for piece in pieces if piece)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.content)


def _query_text(value: Any) -> str:
    # As httpx writes query values, so a request means the same in both transports.
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) is Annotated:  # bounds aside: list[str] or not
        annotation = get_args(annotation)[0]
    args = [a for a in get_args(annotation) if a is not type(None)]
    optional = get_origin(annotation) in (Union, UnionType) and len(args) == 1
    return args[0] if optional else annotation


@dataclass
class _Handler:
    """A handler, its parameters and their types, read once."""

    function: Callable[..., Any]
    parameters: list[inspect.Parameter]
    hints: dict[str, Any]

    @classmethod
    def load(cls, target: str) -> _Handler:
        module, name = target.split(":")
        function = getattr(importlib.import_module(module), name)
        hints = get_type_hints(function, include_extras=True)  # bounds, as the route's Query
        return cls(function, list(inspect.signature(function).parameters.values()), hints)


class LocalTransport:
    """The API in-process: calls the route bodies (api/handlers) without building the web app.

    Same surface as httpx.Client.request; same status, headers and body as the server gives,
    problem+json included. Routes not in ROUTES go through the full app (TestClient).
    """

    in_process = True  # Api.call: no network errors to turn into lines

    def __init__(self, settings: Settings, deps: Deps | None = None) -> None:
        from maintctl.api.handlers import ROUTES

        self.settings = settings
        self.routes = [(r, r.path.strip("/").split("/")) for r in ROUTES]
        self.handlers: dict[str, _Handler] = {}
        self._config: Config | None = deps.config if deps else None
        self._deps: Deps | None = deps  # given by tests; else built on first need
        self._app: Any = None
        self._stack = ExitStack()

    def close(self) -> None:
        self._stack.close()
        if self._deps is not None:
            self._deps.db.dispose()

    @property
    def config(self) -> Config:
        if self._config is None:
            from maintctl.config import load_config

            self._config = load_config(self.settings.config_path())
        return self._config

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            from maintctl.local import build_deps
            from maintctl.store import migrate

            self._deps = build_deps(self.settings, local=True, config=self.config)
            migrate.upgrade(self._deps.db)  # as the app does when it starts
        return self._deps

    def who(self) -> Principal:
        """The OS user, with admin rights; with --as, that account (services.local_principal)."""
        from maintctl.domain.roles import Principal

        if not self.settings.as_user:
            return Principal.local_admin(self.settings.os_user())
        from maintctl.services import accounts

        with self.deps.db.read() as session:
            return accounts.local_principal(session, self.settings.os_user(), self.settings.as_user)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        from urllib.parse import parse_qsl, unquote, urlsplit

        parts = urlsplit(path)
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        for name, value in (params or {}).items():
            values = value if isinstance(value, list | tuple) else [value]
            query.setdefault(name, []).extend(_query_text(v) for v in values)
        # Routed on the decoded path, as Starlette routes.
        decoded = unquote(parts.path)
        found = self._match(method.upper(), decoded)
        if found is None:
            return self._full_app().request(method, path, params=params, json=json, headers=headers)
        route, path_params = found
        return self._call(route, path_params, query, json, headers or {}, decoded)

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = path.strip("/").split("/")
        for route, template in self.routes:
            if route.method != method or len(template) != len(segments):
                continue
            bound: dict[str, str] = {}
            for want, got in zip(template, segments, strict=True):
                if want.startswith("{"):
                    bound[want[1:-1]] = got
                elif want != got:
                    break
            else:
                return route, bound
        return None

    def _call(
        self,
        route: Route,
        path_params: dict[str, str],
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
        instance: str,
    ) -> LocalResponse:
        from maintctl.api.handlers import NO_BODY
        from maintctl.api.problems import (
            PROBLEM_JSON,
            UNAUTHENTICATED_HEADERS,
            problem_body,
            shape_problems,
        )
        from maintctl.domain.errors import MaintctlError

        handler = self.handlers.get(route.target) or _Handler.load(route.target)
        self.handlers[route.target] = handler
        try:
            given = (path_params, query, body, headers)
            kwargs, shape_errors = self._arguments(handler, route, *given)
            if shape_errors:
                refusal = problem_body("rule-violation", shape_problems(shape_errors), instance)
                return _reply_json(422, refusal, PROBLEM_JSON)
            reply = handler.function(**kwargs)
        except MaintctlError as exc:
            refusal = problem_body(exc.kind, exc.problems, instance)
            extra = UNAUTHENTICATED_HEADERS if refusal["status"] == 401 else {}
            return _reply_json(refusal["status"], refusal, PROBLEM_JSON, extra)
        if reply.status in NO_BODY:
            return LocalResponse(reply.status, reply.headers)
        if reply.media_type == "application/json":
            return _reply_json(reply.status, reply.body, reply.media_type, reply.headers)
        kind = {**reply.headers, "content-type": f"{reply.media_type}; charset=utf-8"}
        if reply.stream is not None:
            return LocalResponse(reply.status, kind, pieces=reply.stream)
        return LocalResponse(reply.status, kind, str(reply.body).encode("utf-8"))

    def _arguments(
        self,
        handler: _Handler,
        route: Route,
        path_params: dict[str, str],
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> tuple[dict[str, Any], list[Any]]:
        """The handler's arguments, by name (handlers/__init__.py), and pydantic's complaints."""
        from pydantic import BaseModel, ValidationError

        wire_names = {arg: wire for wire, arg in route.aliases}
        kwargs: dict[str, Any] = {}
        errors: list[Any] = []
        for param in handler.parameters:
            name, hint = param.name, handler.hints[param.name]
            if name == "deps":
                kwargs[name] = self.deps
            elif name == "config":
                kwargs[name] = self.config
            elif name == "who":
                kwargs[name] = self.who()
            elif name == "version":
                kwargs[name] = _if_match(headers)
            elif name == "if_none_match":
                kwargs[name] = _header(headers, "if-none-match")
            elif name in path_params:
                given = path_params[name]
                if hint is str:
                    kwargs[name] = given
                    continue
                try:  # as FastAPI reads a typed path parameter: {token_id} is an int
                    kwargs[name] = _adapter(hint).validate_python(given)
                except ValidationError as exc:
                    errors.extend({**e, "loc": (name,)} for e in exc.errors())
            elif isinstance(hint, type) and issubclass(hint, BaseModel):
                if body is None:  # as FastAPI words a missing body
                    errors.append({"loc": ("body",), "msg": "Field required"})
                    continue
                try:
                    kwargs[name] = hint.model_validate(body)
                except ValidationError as exc:
                    errors.extend(exc.errors())
            else:
                wire = wire_names.get(name, name)
                values = query.get(wire)
                if values is None:
                    if param.default is inspect.Parameter.empty:
                        errors.append({"loc": (wire,), "msg": "Field required"})
                    continue
                many = get_origin(_strip_optional(hint)) is list
                try:
                    kwargs[name] = _adapter(hint).validate_python(values if many else values[-1])
                except ValidationError as exc:
                    errors.extend({**e, "loc": (wire,)} for e in exc.errors())
        return kwargs, errors

    def _full_app(self) -> Any:
        """The whole web app, for a route not yet in ROUTES: works, at the old cost."""
        if self._app is None:
            with warnings.catch_warnings():
                # Starlette nudges toward httpx2; httpx is what this client is written for.
                warnings.simplefilter("ignore")
                from fastapi.testclient import TestClient

            from maintctl.api.app import create_app

            client = TestClient(create_app(self.deps), base_url="http://maintctl.local")
            self._app = self._stack.enter_context(client)
        return self._app


@functools.cache
def _adapter(hint: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(hint)


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _if_match(headers: dict[str, str]) -> int | None:
    """As api/auth.py reads If-Match: "3" or W/"3"; None for absent or *."""
    given = _header(headers, "if-match")
    if given is None or given.strip() == "*":
        return None
    text = given.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() else -1


def _reply_json(
    status: int, body: Any, media_type: str, headers: dict[str, str] | None = None
) -> LocalResponse:
    # As Starlette's JSONResponse writes it.
    content = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return LocalResponse(status, {**(headers or {}), "content-type": media_type}, content.encode())
