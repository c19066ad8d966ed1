"""The approval chain: who may sign the next level of a window, and when it is done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from maintctl.domain.errors import Problem, StateError
from maintctl.domain.roles import APPROVER_RANK, Principal, Role, forbid


@dataclass(frozen=True)
class Signature:
    level: int
    role: str
    signer: str
    signer_role: str
    at: datetime
    comment: str = ""
    # The token that made the signature and who issued it (None in local mode: the OS user signs).
    # A token issued by someone other than its holder is marked wherever the signature shows.
    token_id: int | None = None
    token_issuer: str | None = None

    @property
    def token_note(self) -> str:
        """Empty for a signature made with the signer's own token; else who issued the token."""
        if self.token_issuer is None or self.token_issuer == self.signer:
            return ""
        return f"token issued by {self.token_issuer}"


def next_level(chain: Sequence[str], signed: Sequence[Signature]) -> int | None:
    """Index of the level waiting for a signature, or None when the chain is complete."""
    return len(signed) if len(signed) < len(chain) else None


def check_signer(
    chain: Sequence[str],
    signed: Sequence[Signature],
    who: Principal,
    requested_by: str,
    window_id: str,
) -> int:
    """Refuse a signature that breaks a rule; return the level it signs."""
    level = next_level(chain, signed)
    if level is None:
        raise StateError(
            [Problem("status", "state", f"{window_id} has every signature it needs", "")]
        )
    needed = Role(chain[level])
    if who.name == requested_by:
        raise forbid(
            f"approving {window_id}",
            "someone other than its requester",
            f"ask a {needed.value} or higher to sign it",
        )
    if any(s.signer == who.name for s in signed):
        raise forbid(
            f"signing level {level + 1} of {window_id}",
            "someone who has not signed another level of it",
        )
    if who.rank < APPROVER_RANK[needed]:
        raise forbid(
            f"signing level {level + 1} of {window_id} ({needed.value})",
            f"{needed.value} or higher (you are {who.role.value})",
        )
    return level


def waiting_for(
    chain: Sequence[str], signed: Sequence[Signature], who: Principal, requested_by: str
) -> bool:
    """True when `who` could sign the next level now."""
    level = next_level(chain, signed)
    if level is None or who.name == requested_by or not who.rank:
        return False
    if any(s.signer == who.name for s in signed):
        return False
    return who.rank >= APPROVER_RANK[Role(chain[level])]
