"""The case view (``queue show``): one review item with everything that decides it.

A specialist works hundreds of items a day, so one view has to carry the case: the item
and its money; for a payment the 835's own facts and the candidates by PCN; per kind what
decides it (:mod:`edi_posting.reports.case_kinds`); the raw X12 segments as sent, read
from the archive through its integrity check; and the commands that finish the case,
written out with the item's id and claim, each with what it would post
(:mod:`edi_posting.reports.case_previews`).  Returned as one plain dict (JSON-ready, every
section present, empty when it does not apply) that the CLI renders as text sections and
the web workbench as a page.  Reads only, except the previews, which a caller asks for
by passing the principal they run as: each runs in a savepoint rolled back at once, and the
caller rolls its own transaction back too.  The caller authorises and audits the PHI read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.models import (
    ClaimPayment,
    Patient,
    Payer,
    ProviderAdjustment,
    Remittance,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.ledger.journal import claim_balances
from edi_posting.money import format_cents
from edi_posting.queue.items import item_detail
from edi_posting.records.states import ReviewKind
from edi_posting.reports import case_kinds as kinds
from edi_posting.reports.case_actions import finishing_actions
from edi_posting.reports.case_keyed import keyed_case_rows, keyed_problems
from edi_posting.reports.case_payment import adjudication, candidate_claims, payment_facts
from edi_posting.reports.case_previews import action_rows
from edi_posting.reports.case_segments import (
    BILLED_CLAIM_ENDS,
    CLAIM_PAYMENT_ENDS,
    ONE_SEGMENT,
    failing_elements,
    file_segments,
)
from edi_posting.reports.views import balances_dict

__all__ = ["case_codes", "case_view"]

_ITEM, _CP, _CLAIM = table_of(ReviewItem), table_of(ClaimPayment), table_of(SubmittedClaim)
_REM, _TS, _PLB = table_of(Remittance), table_of(TransactionSet), table_of(ProviderAdjustment)
_EVENT = table_of(ReviewItemEvent)
_REVERSAL_KINDS = frozenset({ReviewKind.ORPHAN_REVERSAL, ReviewKind.AWAITING_CORRECTION})
_SET_HEADER_ENDS = frozenset({"LX", "CLP", "PLB", "SE"})
_SET_END = frozenset({"SE"})
# items about a billed claim itself (837): its CLM loop is the case
_BILLED_KINDS = frozenset({ReviewKind.CLAIM_PROBLEM, ReviewKind.PATIENT_CONFLICT,
                           ReviewKind.DUPLICATE_CLAIM})


def case_view(conn: Connection, item_id: int, *, mask_phi: bool = False,
              today: dt.date | None = None,
              principal: Principal | None = None) -> dict[str, Any]:
    """The item as ``item_detail`` gives it, plus ``case``: the sections that decide it.
    ``mask_phi`` masks the raw segments (the caller masks the dict's PHI fields); with a
    ``principal``, each action is rehearsed as that user (the caller's transaction must be
    rolled back afterwards).  LookupError when there is no such item."""
    detail = item_detail(conn, item_id)
    item = conn.execute(select(_ITEM).where(_ITEM.c.id == item_id)).one()
    payment = (payment_facts(conn, item.claim_payment_id)
               if item.claim_payment_id is not None else None)
    candidates = candidate_claims(conn, list((item.evidence or {}).get("candidates", [])),
                                  item.claim_payment_id)
    claim = _claim(conn, item.submitted_claim_id)
    case: dict[str, Any] = {
        "payer_name": _payer_name(conn, item.payer_id) or (payment or {}).get("payer_name"),
        "claim": claim, "payment": payment,
        "adjudication": (adjudication(conn, item.claim_payment_id)
                         if item.claim_payment_id is not None else None),
        "candidates": candidates,
        "duplicate": kinds.duplicate_section(item, payment),
        "denial": (kinds.denial_section(conn, item)
                   if item.kind == ReviewKind.DENIAL else None),
        "balancing": (kinds.balancing_section(item)
                      if item.kind == ReviewKind.BALANCING_FAILURE else []),
        "reversal": (kinds.reversal_section(conn, item)
                     if item.kind in _REVERSAL_KINDS else None),
        "plb": kinds.plb_section(conn, item) if item.kind == ReviewKind.UNLINKED_PLB else None,
        "credit": (kinds.credit_section(conn, item, today or dt.date.today())
                   if item.kind == ReviewKind.CREDIT_BALANCE else None),
        "differences": kinds.conflict_section(item),
        "rejection": (kinds.rejection_section(conn, item)
                      if item.kind == ReviewKind.REJECTED_FILE else None),
        "billed_twice": (kinds.billed_twice_section(item)
                         if item.kind == ReviewKind.DUPLICATE_CLAIM else None),
        "deposit": (kinds.deposit_section(conn, item)
                    if item.kind in kinds.DEPOSIT_KINDS else None),
    }
    actions = finishing_actions(item, case, money_acted=_money_acted(conn, item.id))
    case["actions"] = action_rows(conn, actions, principal)
    rows = keyed_case_rows(conn, item, mask_phi)  # a keyed paper EOB has rows, no segments
    case["segments"] = _segments(conn, item, mask_phi) if rows is None else []
    case["keyed_rows"] = rows or []
    case["keyed_problems"] = keyed_problems(item)
    detail["case"] = case
    return detail


def case_codes(codes: list[dict[str, Any]], case: dict[str, Any]) -> list[dict[str, Any]]:
    """``codes`` (the evidence's, described) and then every group code's, CARC's and
    RARC's of the case's adjudication not among them: the 835 sent more than the evidence
    names (an unmatched payment's adjustments), and the codes section lists them all."""
    found = [dict(c) for c in codes]
    seen = {(c["list"], c["code"]) for c in found}
    adjudicated = case.get("adjudication") or {}
    blocks = [adjudicated] + list(adjudicated.get("lines", []))
    for block in blocks:
        for a in block.get("adjustments", []):
            _add(found, seen, "CARC", a["carc"], a["carc_description"])
        for r in block.get("remarks", []):
            if r["description"] is not None:
                _add(found, seen, "RARC", r["rarc"], r["description"])
    return found


def _add(found: list[dict[str, Any]], seen: set[tuple[str, str]], name: str, code: str,
         description: str | None) -> None:
    if (name, code) not in seen:
        seen.add((name, code))
        found.append({"list": name, "code": code, "description": description})


def _money_acted(conn: Connection, item_id: int) -> bool:
    """Whether an event of the item posted a journal entry (a money action to undo)."""
    return conn.execute(select(_EVENT.c.id).where(
        _EVENT.c.review_item_id == item_id, _EVENT.c.journal_entry_id.is_not(None))
        .limit(1)).first() is not None


def _payer_name(conn: Connection, payer_id: int | None) -> str | None:
    if payer_id is None:
        return None
    return conn.execute(select(Payer.name).where(Payer.id == payer_id)).scalar()


def _claim(conn: Connection, claim_id: int | None) -> dict[str, Any] | None:
    """The item's billed claim by PCN, its patient, payer and balances now."""
    if claim_id is None:
        return None
    claim = conn.execute(select(_CLAIM).where(_CLAIM.c.id == claim_id)).one()
    patient = conn.execute(select(Patient.last_name, Patient.first_name)
                           .where(Patient.id == claim.patient_id)).one()
    return {"patient_control_number": claim.patient_control_number, "claim_id": claim.id,
            "status": claim.status, "patient_last_name": patient.last_name,
            "patient_first_name": patient.first_name,
            "payer_name": _payer_name(conn, claim.payer_id),
            "total_charge": format_cents(claim.total_charge_cents),
            "balances": balances_dict(claim_balances(conn, claim.id))}


def _segments(conn: Connection, item: Any, mask: bool) -> list[dict[str, Any]]:
    """The raw segments the case rests on: the claim payment's loop; a PLB's own segment;
    a held set whole, another set-level item's set header; a billed claim's CLM loop; a
    rejected file's offending segment.  Each with its named elements, the elements the
    item's problems name marked failing."""
    failing = failing_elements(item.evidence)
    if item.claim_payment_id is not None:
        cp = conn.execute(select(_CP.c.source_file_id, _CP.c.source_segment)
                          .where(_CP.c.id == item.claim_payment_id)).one()
        return file_segments(conn, cp.source_file_id, cp.source_segment, CLAIM_PAYMENT_ENDS,
                             mask=mask, failing=failing)
    plb = kinds.plb_id(item)
    if plb is not None:
        row = conn.execute(select(_PLB.c.source_file_id, _PLB.c.source_segment)
                           .where(_PLB.c.id == plb)).one()
        return file_segments(conn, row.source_file_id, row.source_segment, ONE_SEGMENT, 1,
                             mask=mask, failing=failing)
    if item.remittance_id is not None:
        rem = conn.execute(select(_REM.c.source_file_id, _TS.c.segment_position)
                           .join(_TS, _TS.c.id == _REM.c.transaction_set_id)
                           .where(_REM.c.id == item.remittance_id)).one()
        # a held set posted none of its claims: all of it is the case (as in the packet)
        held = item.kind == ReviewKind.BALANCING_FAILURE
        return file_segments(conn, rem.source_file_id, rem.segment_position,
                             _SET_END if held else _SET_HEADER_ENDS, mask=mask,
                             failing=failing)
    if item.submitted_claim_id is not None and item.kind in _BILLED_KINDS:
        claim = conn.execute(select(_CLAIM.c.source_file_id, _CLAIM.c.source_segment)
                             .where(_CLAIM.c.id == item.submitted_claim_id)).one()
        return file_segments(conn, claim.source_file_id, claim.source_segment,
                             BILLED_CLAIM_ENDS, mask=mask, failing=failing)
    position = ((item.evidence or {}).get("problem") or {}).get("segment_position")
    if item.kind == ReviewKind.REJECTED_FILE and isinstance(position, int):
        return file_segments(conn, item.file_id, position, ONE_SEGMENT, 1, mask=mask,
                             failing=failing)
    return []
