"""The public status page: who may read it, and its document, built once per change.

The document is read with a few bounded queries along the windows' time indexes and kept in
memory with the id of the newest audit row it saw. Every move of a window writes an audit row,
so a request costs one primary-key lookup while nothing changed. The kept document is also
rebuilt after FRESH: the page moves with time (the 90 days' history, auto in-progress), and on
PostgreSQL a transaction may commit an older audit id after a newer one was read.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from maintctl.domain import bounds, public
from maintctl.domain import status as domain
from maintctl.domain.errors import Problem
from maintctl.domain.model import Status
from maintctl.domain.roles import Principal, Unauthenticated
from maintctl.services.deps import Deps
from maintctl.store import status as store

FRESH = timedelta(seconds=5)
LIMIT = bounds.STATUS_LIST_MAX
HISTORY = bounds.STATUS_HISTORY
PAGE_PATH = "/status"
_ENDED = (Status.COMPLETED, Status.ROLLED_BACK, Status.CLOSED, Status.CANCELLED)


def check_reader(deps: Deps, who: Principal | None) -> None:
    """Anyone reads a public page; with `status_page.public: false`, any account (a viewer)."""
    if who is None and not deps.config.status_page.public:
        raise Unauthenticated(
            [
                Problem(
                    "token",
                    "unauthenticated",
                    "this status page is not public",
                    "send Authorization: Bearer <token> (a viewer's will do), "
                    "or set status_page.public: true",
                )
            ]
        )


@dataclass
class Built:
    """One document and its renderings (JSON, HTML, Atom), each encoded once."""

    key: int
    at: datetime
    doc: domain.Document
    links: dict[str, str]
    forms: dict[str, tuple[Any, bytes, str]] = field(default_factory=dict)

    def form(
        self, name: str, make: Callable[[Built], Any], encoder: Callable[[Any], bytes]
    ) -> tuple[Any, bytes, str]:
        """The form `name`: its body, that body encoded, and its ETag; made on first use."""
        found = self.forms.get(name)
        if found is None:
            body = make(self)
            encoded = encoder(body)
            tag = 'W/"' + hashlib.sha256(encoded).hexdigest()[:20] + '"'
            found = self.forms[name] = (body, encoded, tag)
        return found


_kept: dict[int, tuple[weakref.ref[Deps], Built]] = {}
_lock = threading.Lock()


def current(deps: Deps) -> Built:
    """The document as of now: the kept one while no window changed, else a new one."""
    now = deps.clock()
    with deps.db.read() as session:
        change, changed_at = store.last_change(session)
        held = _kept.get(id(deps))
        if held is not None and held[0]() is deps:
            built = held[1]
            if built.key == change and built.at <= now < built.at + FRESH:
                return built
        built = _build(deps, session, now, change, changed_at)
    with _lock:
        for key in [k for k, (ref, _) in _kept.items() if ref() is None]:
            del _kept[key]
        _kept[id(deps)] = (weakref.ref(deps), built)
    return built


def _build(
    deps: Deps, session: Session, now: datetime, change: int, changed_at: datetime | None
) -> Built:
    config = deps.config
    page_config = config.status_page
    types = config.policy.types
    hidden = (
        []
        if page_config.show_not_impacting
        else [name for name, rule in types.items() if not rule.customer_impacting]
    )
    found = store.windows(
        session, (Status.IN_PROGRESS, Status.VERIFYING), hidden_types=hidden, limit=LIMIT
    )
    active = len(found)
    if page_config.auto_in_progress:
        found += store.windows(
            session,
            (Status.SCHEDULED,),
            hidden_types=hidden,
            start_before=now,
            end_after=now,
            limit=LIMIT,
        )
    # To come (those shown in progress by auto_in_progress come again: room for them).
    found += store.windows(
        session,
        (Status.SCHEDULED, Status.PENDING_APPROVAL),
        hidden_types=hidden,
        start_after=now - HISTORY,
        limit=LIMIT + len(found) - active,
    )
    # The past: what ended in the last 90 days, the most recent first.
    found += store.windows(
        session,
        _ENDED,
        hidden_types=hidden,
        start_before=now,
        end_after=now - HISTORY,
        newest_first=True,
        limit=LIMIT,
    )
    # Called off before its time: still shown, marked cancelled, the soonest first.
    found += store.windows(
        session, (Status.CANCELLED,), hidden_types=hidden, start_after=now, limit=LIMIT
    )
    shown = {
        w.id: w
        for w in found
        if public.is_public(w, types.get(w.spec.type), page_config.show_not_impacting)
    }
    ids = list(shown)
    moves, notes = store.moves(session, ids), store.notes(session, ids)
    # An emergency is an incident on the page, not a scheduled maintenance.
    urgent = [w for w in shown.values() if w.spec.type == public.EMERGENCY]
    maintenances = [
        domain.maintenance(
            w,
            types.get(w.spec.type),
            config.components,
            moves[w.id],
            notes[w.id],
            now,
            page_config.auto_in_progress,
        )
        for w in shown.values()
        if w.spec.type != public.EMERGENCY
    ]
    incidents = [domain.incident(w, config.components, moves[w.id], notes[w.id]) for w in urgent]
    url = page_config.url or PAGE_PATH
    updated = max(
        [m.updated_at for m in maintenances] + [i.updated_at for i in incidents],
        default=changed_at or bounds.EARLIEST,
    )
    page = domain.Page(
        domain.page_id(page_config.url or page_config.title), page_config.title, url, updated
    )
    doc = domain.document(page, config.components, maintenances, LIMIT, now, incidents)
    links = {i: f"{url}#{i}" for i in [m.id for m in maintenances] + [i.id for i in incidents]}
    return Built(change, now, doc, links)


def encode(body: Any) -> bytes:
    """JSON as the API writes it (compact, UTF-8)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def summary(built: Built) -> dict[str, Any]:
    return domain.summary_json(built.doc, built.links)


def status(built: Built) -> dict[str, Any]:
    doc = built.doc
    return {"page": domain.page_json(doc.page), "status": domain.status_json(doc)}


def components(built: Built) -> dict[str, Any]:
    doc = built.doc
    return {
        "page": domain.page_json(doc.page),
        "components": [domain.component_json(doc.page, s) for s in doc.components],
    }


def maintenances(built: Built, which: str) -> dict[str, Any]:
    """scheduled-maintenances.json (`every`), or its `upcoming` or `active` subset."""
    doc = built.doc
    chosen = {"every": doc.every, "upcoming": doc.upcoming, "active": doc.active}[which]
    return {
        "page": domain.page_json(doc.page),
        "scheduled_maintenances": [
            domain.maintenance_json(doc, m, built.links[m.id]) for m in chosen
        ],
    }


def incidents(built: Built, unresolved: bool) -> dict[str, Any]:
    """incidents.json (the 50 most recent emergencies) or incidents/unresolved.json."""
    return domain.incidents_json(built.doc, built.links, unresolved)
