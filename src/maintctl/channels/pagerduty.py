"""A client of PagerDuty's REST API v2: maintenance windows on services.

What it follows (developer.pagerduty.com, "Maintenance Windows"): `POST /maintenance_windows`
with `{"maintenance_window": {"type": "maintenance_window", "start_time", "end_time",
"description", "services": [{"id", "type": "service_reference"}]}}` answers 201 with the
object; `PUT /maintenance_windows/{id}` changes its end; `DELETE /maintenance_windows/{id}`
ends an ongoing one early (204); `GET /maintenance_windows?query=&filter=open` lists those
whose description holds the query. Every call sends `Authorization: Token token=<token>`,
`Accept: application/vnd.pagerduty+json;version=2`, and writes `From: <a user's email>`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from maintctl.channels.base import TransportError
from maintctl.channels.suppress import Wanted, call, refused
from maintctl.config import Config, PagerDutyConfig
from maintctl.domain.times import format_instant

ACCEPT = "application/vnd.pagerduty+json;version=2"


class PagerDuty:
    name = "pagerduty"
    who = "PagerDuty"

    def __init__(self, config: PagerDutyConfig, services: list[str], whole: Config) -> None:
        self.config = config
        self.services = services
        self.whole = whole

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Token token={self._token()}",
            "Accept": ACCEPT,
            "From": self.config.sender,
        }

    def _token(self) -> str:
        if self.config.token_file:
            try:
                text = self.whole.path(self.config.token_file).read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise TransportError(
                    f"{self.who}: the token file {self.config.token_file} cannot be read"
                ) from None
        else:
            text = (self.config.token or "").strip()
        if not text:
            raise TransportError(f"{self.who}: the token is empty", permanent=True)
        return text

    def _call(self, method: str, path: str, body: Any = None, **params: str) -> dict[str, Any]:
        answer = call(
            self.who,
            method,
            f"{self.config.url}{path}",
            json=body,
            headers=self._headers(),
            params=params or None,
        )
        if answer.status_code >= 300:
            raise refused(self.who, answer, method)
        if answer.status_code == 204 or not answer.content:
            return {}
        try:
            found = answer.json()
        except ValueError:
            raise TransportError(f"{self.who} answered {answer.status_code} without JSON") from None
        if not isinstance(found, dict):
            raise TransportError(f"{self.who} answered with an unexpected shape")
        return found

    def _id(self, found: dict[str, Any]) -> str:
        window = found.get("maintenance_window")
        if not isinstance(window, dict) or not isinstance(window.get("id"), str):
            raise TransportError(f"{self.who} answered without a maintenance window id")
        return str(window["id"])

    def create(self, wanted: Wanted) -> str:
        body = {
            "maintenance_window": {
                "type": "maintenance_window",
                "start_time": format_instant(wanted.starts_at),
                "end_time": format_instant(wanted.ends_at),
                "description": f"{wanted.marker}: maintenance window {wanted.window_id}",
                "services": [{"id": s, "type": "service_reference"} for s in self.services],
            }
        }
        return self._id(self._call("POST", "/maintenance_windows", body))

    def find(self, wanted: Wanted) -> str | None:
        found = self._call("GET", "/maintenance_windows", query=wanted.marker, filter="open")
        for window in found.get("maintenance_windows") or []:
            said = str(window.get("description", "")) if isinstance(window, dict) else ""
            if said.startswith(f"{wanted.marker}:") and isinstance(window.get("id"), str):
                return str(window["id"])
        return None

    def extend(self, external_id: str, wanted: Wanted) -> str:
        body = {
            "maintenance_window": {
                "type": "maintenance_window",
                "end_time": format_instant(wanted.ends_at),
            }
        }
        path = f"/maintenance_windows/{quote(external_id, safe='')}"
        return self._id(self._call("PUT", path, body))

    def end(self, external_id: str) -> None:
        try:
            self._call("DELETE", f"/maintenance_windows/{quote(external_id, safe='')}")
        except TransportError as exc:
            # Gone, or already over (a past window cannot be deleted): ended either way.
            if not str(exc).startswith((f"{self.who} answered 404", f"{self.who} answered 405")):
                raise
