"""The API's route bodies, framework-free, and the table that names them.

Each handler is a plain function; its parameters say what it needs, by name:
`deps` (Deps), `config` (Config only: no database), `who` (the caller's Principal),
`version` (If-Match), `if_none_match` (that header, as given), `body` (a pydantic model),
the path's `{names}` (typed), and query parameters (typed, bounds in Annotated; defaults
as declared). It returns a Reply or raises MaintctlError. The FastAPI routes in api/routes/
are thin wrappers that call them; the CLI's local transport (cli/transport.py) calls them
straight from ROUTES, without building the web app. A route not in ROUTES still works in
local mode, through the full app (slower).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

NO_BODY = (204, 304)  # statuses that carry neither a body nor a Content-Type


@dataclass
class Reply:
    """What a handler answers: a JSON-able body (or text for other media types).

    `stream`, when given, is the body in pieces of bytes, sent as they come: a large
    answer (the calendar feed) is never held whole in memory.
    """

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"
    stream: Iterable[bytes] | None = None


@dataclass(frozen=True)
class Route:
    """One API route: method, path template, and its handler as "module:function".

    Named as text so the table costs nothing to import; `aliases` maps a query
    parameter's HTTP name to the handler's argument (`from` is a Python keyword).
    """

    method: str
    path: str
    target: str
    aliases: tuple[tuple[str, str], ...] = ()


_W = "maintctl.api.handlers.windows:"
_S = "maintctl.api.handlers.schedule:"
_M = "maintctl.api.handlers.meta:"
_A = "maintctl.api.handlers.accounts:"
_C = "maintctl.api.handlers.calendar:"
_F = "maintctl.api.handlers.feeds:"
_J = "maintctl.api.handlers.jobs:"
_L = "maintctl.api.handlers.lifecycle:"
_R = "maintctl.api.handlers.render:"
_N = "maintctl.api.handlers.notify:"
_P = "maintctl.api.handlers.status:"
_K = "maintctl.api.handlers.precheck:"
_V = "maintctl.api.handlers.validation:"
_X = "maintctl.api.handlers.suppression:"
_T = "maintctl.api.handlers.steps:"
_O = "maintctl.api.handlers.mode:"
_H = "maintctl.api.handlers.history:"
_Y = "maintctl.api.handlers.review:"
_G = "maintctl.api.handlers.emergency:"
_AC = "maintctl.api.handlers.aftercare:"
ROUTES = (
    Route("GET", "/api/v1/windows", _W + "list_windows", (("from", "start"), ("to", "end"))),
    Route("POST", "/api/v1/windows", _W + "create_window"),
    Route("GET", "/api/v1/windows/{window_id}", _W + "show_window"),
    Route("PATCH", "/api/v1/windows/{window_id}", _W + "modify_window"),
    Route("POST", "/api/v1/windows/{window_id}/cancel", _W + "cancel_window"),
    Route("POST", "/api/v1/windows/{window_id}/submit", _W + "submit_window"),
    Route("POST", "/api/v1/windows/{window_id}/approve", _W + "approve_window"),
    Route("POST", "/api/v1/windows/{window_id}/reject", _W + "reject_window"),
    Route("GET", "/api/v1/windows/{window_id}/history", _W + "window_history"),
    Route("POST", "/api/v1/windows/{window_id}/start", _L + "start_window"),
    Route("POST", "/api/v1/windows/{window_id}/progress", _L + "progress_window"),
    Route("POST", "/api/v1/windows/{window_id}/complete", _L + "complete_window"),
    Route("POST", "/api/v1/windows/{window_id}/abort", _L + "abort_window"),
    Route("GET", "/api/v1/windows/{window_id}/updates", _L + "window_updates"),
    Route("POST", "/api/v1/windows/{window_id}/rollback", _T + "rollback_window"),
    Route("GET", "/api/v1/windows/{window_id}/steps", _T + "window_steps"),
    Route("POST", "/api/v1/windows/{window_id}/steps", _T + "begin_step"),
    Route("POST", "/api/v1/windows/{window_id}/steps/{result_id}/finish", _T + "finish_step"),
    Route("GET", "/api/v1/windows/{window_id}/log", _T + "window_log"),
    Route("POST", "/api/v1/windows/{window_id}/log", _T + "append_log"),
    Route("GET", "/api/v1/windows/{window_id}/render", _R + "render_window"),
    Route("GET", "/api/v1/windows/{window_id}/precheck", _K + "window_precheck"),
    Route("POST", "/api/v1/windows/{window_id}/acks", _K + "window_ack"),
    Route("GET", "/api/v1/windows/{window_id}/suppression", _X + "window_suppression"),
    Route("GET", "/api/v1/windows/{window_id}/checklists", _AC + "window_checklists"),
    Route("GET", "/api/v1/approvals/pending", _W + "pending_approvals"),
    Route("GET", "/api/v1/check", _S + "check"),
    Route("GET", "/api/v1/slots", _S + "slots"),
    Route("GET", "/api/v1/policy", _M + "policy"),
    Route("GET", "/api/v1/template", _M + "blank_template"),
    Route("GET", "/api/v1/me", _M + "me"),
    Route("POST", "/api/v1/users", _A + "add_user"),
    Route("GET", "/api/v1/users", _A + "list_users"),
    Route("PATCH", "/api/v1/users/{name}", _A + "modify_user"),
    Route("POST", "/api/v1/users/{name}/disable", _A + "disable_user"),
    Route("POST", "/api/v1/users/{name}/role", _A + "change_role"),
    Route("POST", "/api/v1/tokens", _A + "create_token"),
    Route("GET", "/api/v1/tokens", _A + "list_tokens"),
    Route("POST", "/api/v1/tokens/{token_id}/revoke", _A + "revoke_token"),
    Route("GET", "/api/v1/audit", _A + "audit_trail"),
    Route("GET", "/api/v1/calendar", _C + "month"),
    Route("GET", "/calendar.ics", _C + "feed"),
    Route("GET", "/api/v1/calendars", _F + "status"),
    Route("POST", "/api/v1/calendars/refresh", _F + "refresh"),
    Route("GET", "/api/v1/jobs", _J + "list_jobs"),
    Route("GET", "/api/v1/notifications", _N + "list_notifications"),
    Route("GET", "/api/v1/notifications/{notification_id}", _N + "show_notification"),
    Route("POST", "/api/v1/notifications/{notification_id}/send", _N + "send_notification"),
    Route("GET", "/api/v1/windows/{window_id}/notifications", _N + "window_notifications"),
    Route("POST", "/api/v1/validations", _V + "start_validation"),
    Route("GET", "/api/v1/validations/{run_id}", _V + "show_validation"),
    Route("GET", "/api/v1/windows/{window_id}/validations", _V + "window_validations"),
    Route("GET", "/api/v1/watches/{watch_id}", _V + "show_watch"),
    Route("GET", "/api/v1/mode", _O + "mode_status"),
    Route("GET", "/api/v1/mode/changes", _O + "mode_changes"),
    Route("POST", "/api/v1/mode/maintenance", _O + "set_maintenance"),
    Route("POST", "/api/v1/mode/traffic", _O + "set_traffic"),
    Route("GET", "/api/v1/reports/sla", _H + "sla_report"),
    Route("GET", "/api/v1/stats", _H + "stats"),
    Route("GET", "/api/v1/stats/duration", _H + "duration_hint"),
    Route("GET", "/api/v1/windows/{window_id}/review", _Y + "window_review"),
    Route("PUT", "/api/v1/windows/{window_id}/review", _Y + "edit_review"),
    Route("POST", "/api/v1/windows/{window_id}/actions", _Y + "add_action"),
    Route("POST", "/api/v1/windows/{window_id}/close", _Y + "close_window"),
    Route("GET", "/api/v1/actions", _Y + "list_actions"),
    Route("POST", "/api/v1/actions/{action_id}/done", _Y + "action_done"),
    Route("POST", "/api/v1/emergencies", _G + "start_emergency"),
    Route("POST", "/api/v1/emergencies/{window_id}/resolve", _G + "resolve_emergency"),
    # The status page's Statuspage-compatible JSON (public unless status_page.public is false);
    # /status and /history.atom, like /health, are the web app's alone.
    Route("GET", "/api/v2/summary.json", _P + "summary"),
    Route("GET", "/api/v2/status.json", _P + "overall"),
    Route("GET", "/api/v2/components.json", _P + "components"),
    Route("GET", "/api/v2/scheduled-maintenances.json", _P + "maintenances"),
    Route("GET", "/api/v2/scheduled-maintenances/upcoming.json", _P + "upcoming"),
    Route("GET", "/api/v2/scheduled-maintenances/active.json", _P + "active"),
    Route("GET", "/api/v2/incidents.json", _P + "incidents"),
    Route("GET", "/api/v2/incidents/unresolved.json", _P + "unresolved"),
)
