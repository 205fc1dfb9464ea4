"""The review queue through the public API: list, show, stats, the specialist's non-money
actions (assign, note, escalate, dismiss) and the evidence packet.

Each function checks the session user's permission and records what the queue showed or
did, so the CLI and the web application cannot skip either; the money-moving actions are
in :mod:`edi_posting.api.queue_money`, the second person's in :mod:`edi_posting.api.approvals`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edi_posting.access.permissions import MATRIX, Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.codes.describe import describe_evidence
from edi_posting.db.engine import begin_write
from edi_posting.queue.items import QueueFilter, list_items
from edi_posting.queue.items import queue_stats as _queue_stats
from edi_posting.reports.case_view import case_codes, case_view
from edi_posting.reports.evidence_packet import write_packet
from edi_posting.review import actions

__all__ = ["assign_item", "dismiss_item", "escalate_item", "list_queue", "note_item",
           "queue_stats", "show_queue_item", "write_evidence_packet"]


def list_queue(session: Session, *, kind: str | None = None, status: str | None = None,
               payer: str | None = None, assignee: str | None = None,
               older_than_days: int | None = None, min_amount_cents: int | None = None,
               claim: str | None = None, sort: str = "age", limit: int | None = None,
               due: str | None = None) -> list[dict[str, Any]]:
    """Review items as ``queue list`` shows them (PHI: ``read_phi``, the read audited;
    masked when the session masks PHI).  ``status`` None: the open states.  Age counts
    from the payment (a denial: the claim's service date); ``min_amount_cents`` and
    ``sort="amount"`` use the dollars at risk; ``due``: ``"today"`` or ``"overdue"``."""
    principal = session.authorize(Permission.READ_PHI, "queue.list")
    session.audit("queue.list", role=principal.role)
    with session.reading() as conn:
        rows = list_items(conn, QueueFilter(
            kind=kind, status=status, payer=payer, assignee=assignee,
            older_than_days=older_than_days, min_amount_cents=min_amount_cents, claim=claim,
            sort=sort, limit=limit, due=due))
    return session.shown(rows)


def show_queue_item(session: Session, item_id: int) -> dict[str, Any]:
    """One item with its evidence, history, the CARC/RARC codes it names, described, and
    ``case``: what decides it, the raw segments and the commands that finish it, each with
    what it would post as this user, when the user holds ``resolve`` (``read_phi``,
    audited; PHI masked, in the segments too, when the session masks it).  The previews run in one write transaction that is
    rolled back whole: nothing is written but the read's audit event.  LookupError when
    there is no such item; ArchiveIntegrityError when its file's archived bytes no longer
    match their SHA-256."""
    principal = session.authorize(Permission.READ_PHI, "queue.show", str(item_id))
    session.audit("queue.show", role=principal.role, object_type="review_item",
                  object_id=str(item_id))
    if _may_resolve(principal):
        detail = session.shown(_rolled_back_case(session, item_id, principal))
    else:  # an auditor's or poster's view: no action to preview, and maybe no write grant
        with session.reading() as conn:
            detail = session.shown(case_view(conn, item_id, mask_phi=session.mask_phi))
    # every CARC/RARC the evidence and the 835's adjudication name, described
    detail["codes"] = case_codes(describe_evidence(detail["evidence"]), detail["case"])
    return detail


def _may_resolve(principal: Principal) -> bool:
    """Whether the user may run the actions the case previews (access control off: yes)."""
    return principal.role is None or Permission.RESOLVE in MATRIX.get(principal.role, ())


class _Shown(Exception):  # not an error: carries the case out of the transaction it undoes
    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__("shown")
        self.detail = detail


def _rolled_back_case(session: Session, item_id: int, principal: Principal) -> dict[str, Any]:
    """The case view read in a write transaction (the previews write, so ``BEGIN
    IMMEDIATE`` on SQLite) that is then rolled back by raising its result out of it."""
    try:
        with begin_write(session.engine) as conn:
            raise _Shown(case_view(conn, item_id, mask_phi=session.mask_phi,
                                   principal=principal))
    except _Shown as shown:
        return shown.detail


def queue_stats(session: Session) -> list[dict[str, Any]]:
    """Counts and amounts by kind, status and age bucket (no PHI: ``read_ledger``)."""
    session.authorize(Permission.READ_LEDGER, "queue.stats")
    with session.reading() as conn:
        return _queue_stats(conn)


def assign_item(session: Session, item_id: int, assignee: str) -> None:
    """Hand the item to a person; it becomes in_progress (``resolve``)."""
    act(session, Permission.RESOLVE, "queue.assign", str(item_id),
        lambda conn, who: actions.assign(conn, item_id, assignee, principal=who))


def note_item(session: Session, item_id: int, text: str) -> None:
    """Add a note to the item's history (``resolve``)."""
    act(session, Permission.RESOLVE, "queue.note", str(item_id),
        lambda conn, who: actions.add_note(conn, item_id, text, principal=who))


def escalate_item(session: Session, item_id: int, to: str, note: str) -> None:
    """Escalate to a role or an active user, with a note saying why (``resolve``)."""
    act(session, Permission.RESOLVE, "queue.escalate", str(item_id),
        lambda conn, who: actions.escalate(conn, item_id, to, note, principal=who))


def dismiss_item(session: Session, item_id: int, reason: str) -> None:
    """Close an item that holds no money, with a reason (``resolve``)."""
    act(session, Permission.RESOLVE, "queue.dismiss", str(item_id),
        lambda conn, who: actions.dismiss(conn, item_id, reason, principal=who))


def write_evidence_packet(session: Session, item_id: int, path: Path) -> str:
    """Write the item's evidence packet (a zip of JSON and HTML) to ``path`` and return its
    SHA-256.  PHI leaves the system: ``export``, the export audited, masked when the
    session masks PHI; an archive that fails its digest is audited as failed."""
    return act(session, Permission.EXPORT, "queue.packet", str(item_id),
               lambda conn, who: write_packet(conn, item_id, path, principal=who,
                                              mask_phi=session.mask_phi))
