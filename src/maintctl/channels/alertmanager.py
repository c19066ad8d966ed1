"""A client of Prometheus Alertmanager's v2 API: silences.

What it follows (Alertmanager's api/v2/openapi.yaml): `POST /api/v2/silences` with a
postableSilence `{matchers: [{name, value, isRegex, isEqual}], startsAt, endsAt, createdBy,
comment}` answers `{silenceID}`; the same body with `id` updates that silence (Alertmanager may
answer a new ID when it cannot change it in place, e.g. once expired); `GET /api/v2/silences`
lists them with `status.state` (active, pending, expired); `DELETE /api/v2/silence/{id}`
expires one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from maintctl.channels.base import TransportError
from maintctl.channels.suppress import Wanted, call, refused
from maintctl.config import AlertmanagerConfig
from maintctl.domain.times import format_instant

CREATED_BY = "maintctl"


def matchers(mapping: dict[str, str]) -> list[dict[str, Any]]:
    """The config's `silence:` mapping as Alertmanager matchers: a value with `|` is a regex."""
    return [
        {"name": name, "value": value, "isRegex": "|" in value, "isEqual": True}
        for name, value in sorted(mapping.items())
    ]


class Alertmanager:
    name = "alertmanager"
    who = "Alertmanager"

    def __init__(self, config: AlertmanagerConfig, mapping: dict[str, str]) -> None:
        self.url = config.url
        self.mapping = mapping

    def _body(self, wanted: Wanted) -> dict[str, Any]:
        return {
            "matchers": matchers(self.mapping),
            "startsAt": format_instant(wanted.starts_at),
            "endsAt": format_instant(wanted.ends_at),
            "createdBy": CREATED_BY,
            "comment": f"{wanted.marker}: maintenance window {wanted.window_id}",
        }

    def _post(self, body: dict[str, Any]) -> str:
        answer = call(self.who, "POST", f"{self.url}/api/v2/silences", json=body)
        if answer.status_code >= 300:
            raise refused(self.who, answer, "POST")
        found = _json(answer, self.who).get("silenceID")
        if not isinstance(found, str) or not found:
            raise TransportError(f"{self.who} answered without a silenceID")
        return found

    def create(self, wanted: Wanted) -> str:
        return self._post(self._body(wanted))

    def extend(self, external_id: str, wanted: Wanted) -> str:
        """Move the silence's end; in place while it is active, which needs its own startsAt
        (Alertmanager set it to the moment of the create), else as a new silence."""
        body = {**self._body(wanted), "id": external_id}
        look = call(self.who, "GET", f"{self.url}/api/v2/silence/{quote(external_id, safe='')}")
        if look.status_code < 300:
            found = _json(look, self.who)
            if _state(found) == "active" and isinstance(found.get("startsAt"), str):
                body["startsAt"] = found["startsAt"]
        return self._post(body)

    def find(self, wanted: Wanted) -> str | None:
        answer = call(self.who, "GET", f"{self.url}/api/v2/silences")
        if answer.status_code >= 300:
            raise refused(self.who, answer, "GET")
        listed = _json_list(answer, self.who)
        for silence in listed:
            state = _state(silence)
            comment = str(silence.get("comment", ""))
            mine = silence.get("createdBy") == CREATED_BY and state != "expired"
            if (
                mine
                and comment.startswith(f"{wanted.marker}:")
                and isinstance(silence.get("id"), str)
            ):
                return str(silence["id"])
        return None

    def end(self, external_id: str) -> None:
        segment = quote(external_id, safe="")
        answer = call(self.who, "DELETE", f"{self.url}/api/v2/silence/{segment}")
        if answer.status_code < 300 or answer.status_code == 404:
            return
        # Expiring a silence that has already expired is refused: ended either way.
        look = call(self.who, "GET", f"{self.url}/api/v2/silence/{segment}")
        if look.status_code == 404:
            return
        if look.status_code < 300 and _state(_json(look, self.who)) == "expired":
            return
        raise refused(self.who, answer, "DELETE")


def _state(silence: dict[str, Any]) -> Any:
    found = silence.get("status")
    return found.get("state") if isinstance(found, dict) else None


def _json(answer: Any, who: str) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        raise TransportError(f"{who} answered {answer.status_code} without JSON") from None
    if not isinstance(found, dict):
        raise TransportError(f"{who} answered {answer.status_code} with an unexpected shape")
    return found


def _json_list(answer: Any, who: str) -> list[dict[str, Any]]:
    try:
        found = answer.json()
    except ValueError:
        raise TransportError(f"{who} answered {answer.status_code} without JSON") from None
    if not isinstance(found, list):
        raise TransportError(f"{who} answered {answer.status_code} with an unexpected shape")
    return [f for f in found if isinstance(f, dict)]
