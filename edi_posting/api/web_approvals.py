"""The approvals screen of the web workbench: what waits for the current user, and what
approving one would post, rehearsed before it posts.

Why not only :func:`edi_posting.api.approvals.list_approvals`: a person needs the
approvals *they* may decide (pending, asked by someone else, and only if they hold
``approve``) apart from their own requests waiting for someone else, each with its age;
and ``approve`` has no dry run, so :func:`rehearse_approval` runs the real approval in a
transaction that is rolled back (the same rehearsal as every money action's
``dry_run=True``), so the preview shows the very entries the approval would post.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.access.permissions import MATRIX, Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.queue_money import _Rehearsed, rehearse
from edi_posting.api.session import Session
from edi_posting.db.approvals import Approval, ApprovalStatus
from edi_posting.db.base import table_of
from edi_posting.review import approvals
from edi_posting.review.money import ActionResult

__all__ = ["ApprovalsWaiting", "approvals_waiting", "count_approvals_waiting",
           "rehearse_approval"]

_APPROVAL = table_of(Approval)


@dataclass(frozen=True, slots=True)
class ApprovalsWaiting:
    """Pending approvals as ``queue approvals`` lists them, each with its ``age``."""

    for_you: list[dict[str, Any]]  # asked by others; empty without ``approve``
    yours: list[dict[str, Any]]  # asked by you, waiting for a second person
    may_approve: bool


def approvals_waiting(session: Session, now: dt.datetime | None = None) -> ApprovalsWaiting:
    """The pending approvals the session's user decides or asked for (``read_ledger``;
    the view is audited as ``queue.approvals``: it names items, people and amounts)."""
    principal = session.authorize(Permission.READ_LEDGER, "queue.approvals")
    may = _may_approve(principal)
    session.audit("queue.approvals", role=principal.role, object_type="approval",
                  summary={"status": ApprovalStatus.PENDING.value})
    with session.reading() as conn:
        pending = approvals.list_approvals(conn, ApprovalStatus.PENDING)
    now = now or dt.datetime.now(dt.UTC)
    for row in pending:
        row["age"] = _age(row["requested_at"], now)
    mine = [r for r in pending if r["requested_by"] == principal.name]
    others = [r for r in pending if r["requested_by"] != principal.name] if may else []
    return ApprovalsWaiting(others, mine, may)


def _may_approve(principal: Principal) -> bool:
    if principal.role is None:  # access control off: no second person to wait for
        return True
    return Permission.APPROVE in MATRIX.get(principal.role, frozenset())


def count_approvals_waiting(session: Session) -> int:
    """How many pending approvals others asked the session's user to decide (the nav's
    badge: ``approve``; no rows are read, so no read is audited)."""
    principal = session.authorize(Permission.APPROVE, "queue.approvals")
    with session.reading() as conn:
        return _count(conn, principal.name)


def _count(conn: Connection, name: str) -> int:
    return int(conn.execute(select(func.count()).select_from(_APPROVAL).where(
        _APPROVAL.c.status == ApprovalStatus.PENDING,
        _APPROVAL.c.requested_by != name)).scalar_one())


def rehearse_approval(session: Session, approval_id: int, *, note: str | None = None
                      ) -> ActionResult:
    """What ``approve`` would post now (its ``plan``), written in a transaction that is
    rolled back.  Refused as ``approve`` is: without the permission, or on one's own
    request (:class:`~edi_posting.access.permissions.PermissionDeniedError`, audited)."""
    def work(conn: Connection, who: Principal) -> ActionResult:
        return approvals.approve(conn, approval_id, principal=who, note=note)

    try:
        act(session, Permission.APPROVE, "queue.approve", str(approval_id), rehearse(work),
            object_type="approval")
    except _Rehearsed as rehearsed:  # the transaction rolled back: nothing written
        return rehearsed.result
    raise AssertionError("a rehearsal always rolls back")  # pragma: no cover


def _age(requested_at: str, now: dt.datetime) -> str:
    """How long an approval has waited: days, else hours, else minutes."""
    asked = dt.datetime.fromisoformat(requested_at)
    if asked.tzinfo is None:
        asked = asked.replace(tzinfo=dt.UTC)
    waited = max(now - asked, dt.timedelta(0))
    if waited.days:
        return f"{waited.days} d"
    hours = waited.seconds // 3600
    return f"{hours} h" if hours else f"{waited.seconds // 60} min"
