"""Intake stage, follow-up: claims billed after their payments arrived (a late 837).

An 835 that pays a claim not billed yet leaves its money in unapplied cash with an
``unmatched_payment`` (or ``ambiguous_match``) item.  When the 837 finally comes, its import
matches those payments again, exactly as ``queue rematch`` would
(:func:`edi_posting.review.rematch.rematch_by_engine`): a safe match posts as import would
have posted it and resolves the item; otherwise the item stays open with the new
candidates.  The engine acts as ``system`` (no specialist asked), and an ``import.rematch``
audit event says it was automatic and which file's import caused it.

It runs in the transaction of the claims' own transaction set, so a crash leaves neither
the claims nor a posting.  Only items the new claims could answer are matched again: open,
nothing applied yet, and their claim payment's CLP01 is one of the new PCNs (or, truncated
by the payer, the start of one), or its member ID is one the new claims were billed under
(the fallback never calls a match safe without it).  Any other item could not change, so
it is not noted again at every import.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.models import ClaimPayment, ReviewItem, SubmittedClaim
from edi_posting.db.workflow import OPEN_STATES, ReviewStatus
from edi_posting.matching.claims import MIN_TRUNCATED_PCN_LENGTH
from edi_posting.money import format_cents
from edi_posting.names import plain
from edi_posting.parties.identity import normalize_pcn
from edi_posting.records.claim import SubmittedClaimRecord
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.states import AuditOutcome
from edi_posting.review.actions import ActionError
from edi_posting.review.money import MATCH_KINDS
from edi_posting.review.rematch import REMATCH_CODES, SYSTEM_ACTOR, rematch_by_engine

__all__ = ["ImportTrigger", "rematch_waiting_payments"]

_ITEM, _CP, _CLAIM = table_of(ReviewItem), table_of(ClaimPayment), table_of(SubmittedClaim)


@dataclass(frozen=True, slots=True)
class ImportTrigger:
    """The import that brought the claims: named in the events of what it resolved."""

    file_name: str
    sha256: str
    actor: str  # who imported the file


def rematch_waiting_payments(conn: Connection, claims: Sequence[SubmittedClaimRecord],
                             trigger: ImportTrigger) -> list[Problem]:
    """Match again the waiting payments these claims could answer; a WARNING per payment
    posted (the import's summary counts them among its problems: posted, and noted)."""
    cause = (f"automatic: the import of {trigger.file_name} (by {trigger.actor}) billed a "
             "claim this payment may pay")
    notes = []
    for waiting in _answerable(conn, claims):
        try:
            result = rematch_by_engine(conn, waiting.id, cause=cause)
        except ActionError:  # closed or partly applied meanwhile: a specialist's to finish
            continue
        record_event(conn, actor=SYSTEM_ACTOR, action="import.rematch",
                     object_type="review_item", object_id=waiting.id, outcome=AuditOutcome.OK,
                     summary={"automatic": True, "kind": waiting.kind, "status": result.status,
                              "message": result.message,
                              "triggered_by": {"file": trigger.file_name,
                                               "sha256": trigger.sha256,
                                               "actor": trigger.actor}})
        if result.status == ReviewStatus.RESOLVED:
            notes.append(_posted_note(conn, waiting, claims))
    return notes


def _answerable(conn: Connection, claims: Sequence[SubmittedClaimRecord]) -> list[Any]:
    """The open, wholly unapplied match items whose payment the claims could answer."""
    pcns = sorted({normalize_pcn(c.patient_control_number) for c in claims} - {""})
    members = {plain(c.subscriber.member_id) for c in claims} - {""}
    if not pcns and not members:
        return []
    rows = conn.execute(
        select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.amount_cents, _CP.c.patient_control_number,
               _CP.c.member_id, _CP.c.corrected_member_id)
        .join(_CP, _CP.c.id == _ITEM.c.claim_payment_id)
        .where(_ITEM.c.kind.in_(MATCH_KINDS), _ITEM.c.status.in_(OPEN_STATES),
               _ITEM.c.problem_code.in_(REMATCH_CODES),
               _ITEM.c.amount_cents == _CP.c.paid_cents)
        .order_by(_ITEM.c.id)).all()
    return [r for r in rows if _may_answer(r, pcns, members)]


def _may_answer(row: Any, pcns: list[str], members: set[str]) -> bool:
    """True when matching could place the payment on one of the claims (a superset)."""
    pcn = normalize_pcn(row.patient_control_number or "")
    if pcn:
        at = bisect.bisect_left(pcns, pcn)
        if at < len(pcns) and (pcns[at] == pcn or (
                len(pcn) >= MIN_TRUNCATED_PCN_LENGTH and pcns[at].startswith(pcn))):
            return True
    return bool({plain(row.member_id), plain(row.corrected_member_id)} & members)


def _posted_note(conn: Connection, waiting: Any, claims: Sequence[SubmittedClaimRecord]
                 ) -> Problem:
    """The WARNING naming the payment posted and the claim (of this batch) it now pays."""
    pcn = conn.execute(select(_CLAIM.c.patient_control_number).join(
        _CP, _CP.c.submitted_claim_id == _CLAIM.c.id).join(
        _ITEM, _ITEM.c.claim_payment_id == _CP.c.id).where(_ITEM.c.id == waiting.id)).scalar()
    claim = next((c for c in claims if pcn is not None
                  and normalize_pcn(c.patient_control_number) == normalize_pcn(pcn)), None)
    return Problem(
        ProblemCode.LATE_CLAIM_MATCHED, Severity.WARNING,
        f"the payment waiting in review item {waiting.id} (CLP01 "
        f"{waiting.patient_control_number}, {format_cents(waiting.amount_cents)}) matched "
        f"claim {pcn} and was posted automatically",
        claim.source if claim else None, "CLM01",
    )
