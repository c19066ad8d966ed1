"""Accounts' roles and what each may do. The services ask here; no face decides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from maintctl.domain.errors import MaintctlError, Problem


class Role(StrEnum):
    VIEWER = "viewer"
    REQUESTER = "requester"
    TEAM_LEAD = "team-lead"
    ENGINEERING_MANAGER = "engineering-manager"
    VP_ENGINEERING = "vp-engineering"
    CTO = "cto"
    ADMIN = "admin"


# Who may sign a level: its role or a higher one. Admin administers accounts and signs nothing.
APPROVER_RANK = {
    Role.TEAM_LEAD: 1,
    Role.ENGINEERING_MANAGER: 2,
    Role.VP_ENGINEERING: 3,
    Role.CTO: 4,
}
WRITERS = frozenset(set(Role) - {Role.VIEWER})


# Account names go into URLs and onto every signature: a small, plain alphabet.
ACCOUNT_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def account_name_problem(name: str, field: str = "name") -> Problem | None:
    """A problem when `name` is not an account name."""
    if ACCOUNT_NAME.fullmatch(name):
        return None
    return Problem(
        field,
        "account-name",
        f"{name[:80]!r} is not an account name",
        "use lower-case letters, digits, '.', '_' or '-' (at most 64)",
    )


class Unauthenticated(MaintctlError):
    """No, a bad, or a revoked token (401)."""

    kind = "unauthenticated"


class Forbidden(MaintctlError):
    """Known, but the role does not allow this (403)."""

    kind = "forbidden"


@dataclass(frozen=True)
class Principal:
    """Who is acting: an account's name and role, and the credential that proved it."""

    name: str
    role: Role
    # The token the request authenticated with and the account that issued it (None in local
    # mode, where `local_user` is the OS user at the keyboard).
    token_id: int | None = None
    token_issuer: str | None = None
    local_user: str | None = None

    @classmethod
    def local_admin(cls, os_user: str) -> Principal:
        """Local mode without --as: whoever can open the database file may do anything."""
        return cls(os_user, Role.ADMIN, local_user=os_user)

    @property
    def credential(self) -> dict[str, object]:
        """How this principal proved who it is, for the audit trails."""
        if self.token_id is not None:
            return {"token": self.token_id, "token_issuer": self.token_issuer}
        return {"local_user": self.local_user} if self.local_user else {}

    @property
    def rank(self) -> int:
        return APPROVER_RANK.get(self.role, 0)


def forbid(action: str, needed: str, fix: str = "ask someone who can") -> Forbidden:
    return Forbidden([Problem("role", "role-required", f"{action} needs {needed}", fix)])


def require_writer(who: Principal, action: str) -> None:
    """Creating and changing windows: every role but viewer."""
    if who.role not in WRITERS:
        raise forbid(action, "requester or higher (you are viewer)")


def require_admin(who: Principal, action: str) -> None:
    if who.role != Role.ADMIN:
        raise forbid(action, f"admin (you are {who.role.value})")


def require_owner_or_approver(who: Principal, requested_by: str, action: str) -> None:
    """Changing a window: its requester, any approver role, or admin."""
    require_writer(who, action)
    if who.name == requested_by or who.rank or who.role == Role.ADMIN:
        return
    raise forbid(action, f"the window's requester ({requested_by}), team-lead or higher, or admin")


def require_operator(who: Principal, requested_by: str, lead: str | None, action: str) -> None:
    """Moves during a window: its requester or lead, or team-lead or higher (DESIGN.md)."""
    require_writer(who, action)
    if who.name in (requested_by, lead) or who.rank:
        return
    named = f"the window's requester ({requested_by})" + (f" or lead ({lead})" if lead else "")
    raise forbid(action, f"{named}, or team-lead or higher (you are {who.role.value})")


def require_notice_sender(who: Principal, requested_by: str, action: str) -> None:
    """Sending a manual draft: the window's requester, or team-lead or higher (DESIGN.md)."""
    require_writer(who, action)
    if who.name == requested_by or who.rank:
        return
    needed = f"the window's requester ({requested_by}), or team-lead or higher"
    raise forbid(action, f"{needed} (you are {who.role.value})")


def require_validator(who: Principal, action: str) -> None:
    """Running the configured checks: requester, approver or admin, never viewer (DESIGN.md)."""
    require_writer(who, action)


def require_approver(who: Principal, action: str) -> None:
    """Mode, traffic and suppression: team-lead or higher (DESIGN.md); in local mode the OS user
    at the keyboard (no --as), who may do anything."""
    if who.rank or (who.role == Role.ADMIN and who.token_id is None and who.name == who.local_user):
        return
    raise forbid(action, f"team-lead or higher (you are {who.role.value})")


def require_emergency_starter(who: Principal) -> None:
    """`emergency start`: a requester or an approver (DESIGN.md); admin only in local mode,
    where whoever can open the database file may do anything."""
    if who.role == Role.REQUESTER or who.rank or (who.role == Role.ADMIN and who.local_user):
        return
    raise forbid("starting an emergency", f"requester or team-lead or higher (you are {who.role})")
