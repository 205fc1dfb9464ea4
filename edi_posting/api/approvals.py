"""The second person's review commands through the public API: list approvals, approve or
reject one, and the two limits above which a write-off or a refund waits for approval.

Deciding needs ``approve`` and is never allowed on one's own request: that refusal is
found where the approval row is read, and recorded on the audit trail like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.db.approvals import ApprovalStatus
from edi_posting.review import approvals, limits
from edi_posting.review.money import ActionResult

__all__ = ["approve", "list_approvals", "refund_limit", "reject_approval",
           "set_refund_limit", "set_write_off_limit", "write_off_limit"]

_T = TypeVar("_T")


def list_approvals(session: Session, status: str | None = ApprovalStatus.PENDING
                   ) -> list[dict[str, Any]]:
    """Approvals, oldest first (``status`` None: all of them); no PHI: ``read_ledger``."""
    session.authorize(Permission.READ_LEDGER, "queue.approvals")
    with session.reading() as conn:
        return approvals.list_approvals(conn, status)


def _decide(session: Session, action: str, approval_id: int,
            work: Callable[[Connection, Principal], _T]) -> _T:
    return act(session, Permission.APPROVE, f"queue.{action}", str(approval_id), work,
               object_type="approval")


def approve(session: Session, approval_id: int, *, note: str | None = None) -> ActionResult:
    """Post another user's pending write-off or refund now, as the session's user."""
    return _decide(session, "approve", approval_id, lambda conn, who: approvals.approve(
        conn, approval_id, principal=who, note=note))


def reject_approval(session: Session, approval_id: int, note: str) -> str:
    """Reject a pending write-off or refund (nothing posts); the note says why."""
    return _decide(session, "reject-approval", approval_id,
                   lambda conn, who: approvals.reject_approval(conn, approval_id, note,
                                                               principal=who))


def _read_limit(session: Session, action: str, read: Callable[[Connection], int]) -> int:
    session.authorize(Permission.READ_LEDGER, action)
    with session.reading() as conn:
        return read(conn)


def _set_limit(session: Session, action: str, cents: int,
               write: Callable[..., None]) -> int:
    principal = session.authorize(Permission.ADMINISTER, action)
    with session.writing() as conn:
        write(conn, cents, principal=principal)
    return cents


def write_off_limit(session: Session) -> int:
    """The write-off limit in cents: a claim's write-offs past it, in total, wait."""
    return _read_limit(session, "queue.write-off-limit", limits.write_off_limit_cents)


def set_write_off_limit(session: Session, cents: int) -> int:
    """Set the write-off limit (``administer``; audited with the old and new value)."""
    return _set_limit(session, "queue.write-off-limit", cents, limits.set_write_off_limit)


def refund_limit(session: Session) -> int:
    """The refund limit in cents: a refund above it waits for approval."""
    return _read_limit(session, "queue.refund-limit", limits.refund_limit_cents)


def set_refund_limit(session: Session, cents: int) -> int:
    """Set the refund limit (``administer``; audited with the old and new value)."""
    return _set_limit(session, "queue.refund-limit", cents, limits.set_refund_limit)
