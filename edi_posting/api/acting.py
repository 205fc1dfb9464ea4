"""One review action as the public API runs it: authorise, work in one write transaction,
and keep on the audit trail the refusals that the transaction's rollback would lose.

Why here and not in each function: ``queue``, ``queue_money`` and ``approvals`` all act the
same way, and the permission must be checked (and a refusal recorded) exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, PermissionDeniedError, Principal
from edi_posting.api.session import Session
from edi_posting.archive.integrity import ArchiveIntegrityError
from edi_posting.records.states import AuditOutcome

__all__ = ["act"]

_T = TypeVar("_T")


def act(session: Session, permission: Permission, action: str, object_id: str,
        work: Callable[[Connection, Principal], _T], *,
        object_type: str = "review_item") -> _T:
    """``work(conn, principal)`` after ``permission`` is checked (a refusal is audited and
    raised).  A refusal found while working (one's own approval, an override without
    ``administer``) or a tampered archive rolls the work back, so it is recorded again in
    its own transaction before it is raised."""
    principal = session.authorize(permission, action, object_id)
    try:
        with session.writing() as conn:
            return work(conn, principal)
    except ArchiveIntegrityError as exc:  # a tampered archive is data, and worth the trail
        _record(session, principal, (action, object_type, object_id), AuditOutcome.FAILED, exc)
        raise
    except PermissionDeniedError as exc:
        _record(session, principal, (action, object_type, object_id), AuditOutcome.REFUSED,
                exc)
        raise


def _record(session: Session, principal: Principal, what: tuple[str, str, str],
            outcome: AuditOutcome, exc: Exception) -> None:
    action, object_type, object_id = what
    session.audit(action, role=principal.role, object_type=object_type, object_id=object_id,
                  outcome=outcome, summary={"reason": str(exc)})
