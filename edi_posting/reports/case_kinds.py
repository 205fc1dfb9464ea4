"""The case view's sections that depend on the kind of item: what decides each kind.

One function per kind (or family of kinds), each taking the item's row and returning the
section's plain dict: a denial's amount at risk, a balancing failure's level and
difference, a reversal's original payment and candidate correction, a PLB's reason and the
claims it may belong to, a credit's cause, side and age, a conflicting resend's
differences, a rejected file's findings and the 999 sent.  Read only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Connection, or_, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Acknowledgement,
    ClaimPayment,
    Deposit,
    JournalEntry,
    Payer,
    ProviderAdjustment,
    Remittance,
    SubmittedClaim,
)
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.reconciliation.matches import banked_cents, open_deposits
from edi_posting.reconciliation.receipts import Receipt, awaiting_receipts
from edi_posting.records.remittance_codes import ClaimStatus
from edi_posting.records.states import PostingState, ReviewKind
from edi_posting.reports.case_payment import claim_payments_of, payer_balance_cents

__all__ = ["DEPOSIT_KINDS", "balancing_section", "billed_twice_section", "conflict_section",
           "credit_section", "denial_section", "deposit_section",
           "duplicate_section", "plb_id", "plb_section", "rejection_section",
           "reversal_section"]

_CP, _REM, _CLAIM = table_of(ClaimPayment), table_of(Remittance), table_of(SubmittedClaim)
_PLB, _ACK, _E = table_of(ProviderAdjustment), table_of(Acknowledgement), table_of(JournalEntry)
_REFERENCE_WORDS = re.compile(r"[\s/|,]+")  # as posting.plb splits a PLB03-2 reference
_REVERSED = frozenset({PostingState.REVERSED, PostingState.REVERSED_AWAITING_CORRECTION})
# where a correction waits when it did not find the reversed claim (the payer changed the PCN)
_WAITING = frozenset({PostingState.UNMATCHED, PostingState.HELD, PostingState.DUPLICATE})


def denial_section(conn: Connection, item: Any) -> dict[str, Any]:
    """The amount at risk: what the claim still owes with the denying payer."""
    if item.submitted_claim_id is None:
        return {"amount_at_risk": None}
    cents = payer_balance_cents(conn, item.submitted_claim_id, item.payer_id)
    return {"amount_at_risk": format_cents(cents)}


def duplicate_section(item: Any, payment: dict[str, Any] | None) -> dict[str, Any] | None:
    """A payment of a claim its payer paid already: both payments side by side and the
    credit posting it as cash alone would leave (the whole held amount)."""
    earlier = (item.evidence or {}).get("earlier_payments") or []
    if not earlier or payment is None:
        return None
    this = {"claim_payment_id": payment["claim_payment_id"],
            "trace_number": payment["trace_number"], "payment_date": payment["payment_date"],
            "paid": payment["paid"]}
    return {"this_payment": this, "earlier_payments": list(earlier),
            "credit_if_applied": format_cents(item.amount_cents)}


def balancing_section(item: Any) -> list[dict[str, Any]]:
    """Each balancing problem: level, segment, expected, actual, difference (a claim's
    item keeps ``problems``, a held set's its one ``problem``)."""
    evidence = item.evidence or {}
    problems = list(evidence.get("problems") or [])
    if evidence.get("problem"):
        problems.append(evidence["problem"])
    shown = []
    for problem in problems:
        details = problem.get("details") or {}
        shown.append({"level": details.get("level"), "code": problem.get("code"),
                      "segment": problem.get("segment_position"),
                      "row": problem.get("row"),  # a keyed paper EOB's
                      "element": problem.get("element"), "expected": details.get("expected"),
                      "actual": details.get("actual"), "difference": details.get("difference"),
                      "message": problem.get("message")})
    return shown


def reversal_section(conn: Connection, item: Any) -> dict[str, Any]:
    """The original payment a reversal negates (or why none was found) and the candidate
    corrections: payments carrying the same payer claim number (CLP07)."""
    number = _reversal_clp07(conn, item)
    originals: list[dict[str, Any]] = []
    if item.submitted_claim_id is not None:
        originals = [p for p in claim_payments_of(conn, item.submitted_claim_id,
                                                  besides=item.claim_payment_id)
                     if p["posting_state"] in _REVERSED]
    evidence = item.evidence or {}
    reason = evidence.get("reason") or (f"the balance was reopened by {evidence['cause']}"
                                        if evidence.get("cause") else None)
    return {"payer_claim_control_number": number, "originals": originals,
            "why_no_original": None if originals else reason,
            "corrections": _corrections(conn, item, number)}


def _reversal_clp07(conn: Connection, item: Any) -> str | None:
    """The reversal's payer claim number; an item an action opened (an orphan reversal
    applied) names no claim payment: the latest reversal received for its claim."""
    if item.claim_payment_id is not None:
        return conn.execute(select(_CP.c.payer_claim_control_number)
                            .where(_CP.c.id == item.claim_payment_id)).scalar()
    if item.submitted_claim_id is None:
        return None
    return conn.execute(select(_CP.c.payer_claim_control_number)
                        .where(_CP.c.submitted_claim_id == item.submitted_claim_id,
                               _CP.c.status_code == ClaimStatus.REVERSED)
                        .order_by(_CP.c.id.desc()).limit(1)).scalar()


def _corrections(conn: Connection, item: Any, number: str | None) -> list[dict[str, Any]]:
    """Payments (not reversals) with the same CLP07, or waiting on the same claim."""
    condition = []
    if number:
        condition.append(_CP.c.payer_claim_control_number == number)
    if item.submitted_claim_id is not None:
        condition.append(_CP.c.submitted_claim_id == item.submitted_claim_id)
    if not condition:
        return []
    rows = conn.execute(select(_CP, _REM.c.trace_number, _REM.c.payment_date)
                        .join(_REM, _REM.c.id == _CP.c.remittance_id)
                        .where(or_(*condition), _CP.c.status_code != ClaimStatus.REVERSED,
                               _CP.c.posting_state.not_in(list(_REVERSED)))
                        .order_by(_CP.c.id)).all()
    return [{"claim_payment_id": r.id, "patient_control_number": r.patient_control_number,
             "payer_claim_control_number": r.payer_claim_control_number,
             "trace_number": r.trace_number, "payment_date": _iso(r.payment_date),
             "paid": format_cents(r.paid_cents), "posting_state": r.posting_state,
             "waiting": r.posting_state in _WAITING}
            for r in rows if r.id != item.claim_payment_id]


def plb_id(item: Any) -> int | None:
    """The PLB an ``unlinked_plb`` item is about (its key names it: ``...|plb:<id>``)."""
    if item.kind != ReviewKind.UNLINKED_PLB or "plb:" not in item.dedupe_key:
        return None
    tail = item.dedupe_key.rsplit("plb:", 1)[1]
    return int(tail) if tail.isdigit() else None


def plb_section(conn: Connection, item: Any) -> dict[str, Any]:
    """The PLB's reason (described) and reference, and the claims the reference may name:
    a PCN of ours, or a payer claim number (CLP07) one of our claims was paid under."""
    evidence = item.evidence or {}
    reference = evidence.get("reference")
    return {"reason": evidence.get("reason"),
            "reason_description": describe_code(CodeListName.PLB_REASON, evidence.get("reason")),
            "reference": reference, "amount": evidence.get("amount"),
            "segment": evidence.get("segment"), "plb_id": plb_id(item),
            "claims": _claims_named(conn, reference) if reference else []}


def _claims_named(conn: Connection, reference: str) -> list[dict[str, Any]]:
    """Claims whose PCN, or whose payment's CLP07, is the reference or one of its words
    (split as posting splits it), found now: a late 837 or payment may have come since."""
    words = [reference.strip(), *_REFERENCE_WORDS.split(reference)]
    tokens = [t for t in dict.fromkeys(words) if t]
    pcns = [normalize_pcn(t) for t in tokens]
    payments = conn.execute(select(_CP.c.id, _CP.c.submitted_claim_id, _CP.c.patient_control_number)
                            .where(_CP.c.payer_claim_control_number.in_(tokens))
                            .order_by(_CP.c.id)).all()
    by_clp07 = {p.submitted_claim_id for p in payments if p.submitted_claim_id is not None}
    rows = conn.execute(select(_CLAIM.c.id, _CLAIM.c.patient_control_number,
                               _CLAIM.c.pcn_normalized, Payer.name)
                        .outerjoin(Payer, Payer.id == _CLAIM.c.payer_id)
                        .where(or_(_CLAIM.c.pcn_normalized.in_(pcns), _CLAIM.c.id.in_(by_clp07)))
                        .order_by(_CLAIM.c.id)).all()
    found = [{"patient_control_number": r.patient_control_number, "claim_id": r.id,
              "payer_name": r.name,
              "matched_by": ("patient control number" if r.pcn_normalized in pcns
                             else "payer claim number")} for r in rows]
    return found + [{"patient_control_number": p.patient_control_number, "claim_id": None,
                     "payer_name": None, "claim_payment_id": p.id,
                     "matched_by": "payer claim number of a payment matching no claim"}
                    for p in payments if p.submitted_claim_id is None]


def credit_section(conn: Connection, item: Any, today: dt.date) -> dict[str, Any]:
    """Whose credit (side), what caused it, since when (the causing entry's date)."""
    evidence = item.evidence or {}
    since = item.created_at.date()
    if evidence.get("cause_entry_id") is not None:
        since = conn.execute(select(_E.c.effective_date).where(
            _E.c.id == evidence["cause_entry_id"])).scalar() or since
    payer = None
    if evidence.get("side_payer_id") is not None:
        payer = conn.execute(select(Payer.name).where(
            Payer.id == evidence["side_payer_id"])).scalar()
    return {"side": evidence.get("side"), "payer_name": payer, "credit": evidence.get("credit"),
            "cause": evidence.get("cause"), "cause_entry_id": evidence.get("cause_entry_id"),
            "since": since.isoformat(), "age_days": (today - since).days}


def conflict_section(item: Any) -> list[dict[str, Any]]:
    """The fields that differ between the stored set and the one received again."""
    differences = (item.evidence or {}).get("differences") or {}
    return [{"field": name, "stored": values.get("stored"), "received": values.get("received")}
            for name, values in differences.items()]


def rejection_section(conn: Connection, item: Any) -> dict[str, Any]:
    """What validation found, in words, and the acknowledgements (999/TA1) sent back."""
    problem = (item.evidence or {}).get("problem") or {}
    acks = []
    if item.file_id is not None:
        acks = [{"kind": a.kind, "accepted": a.is_accepted,
                 "content": a.content.decode("ascii", errors="replace")}
                for a in conn.execute(select(_ACK).where(_ACK.c.file_id == item.file_id)
                                      .order_by(_ACK.c.id))]
    finding = {key: problem.get(key) for key in ("code", "severity", "message", "element",
                                                 "segment_position", "file")}
    return {"findings": [finding] if problem else [], "acknowledgements": acks}


def billed_twice_section(item: Any) -> dict[str, Any]:
    """A claim billed again: the earlier submission and the new one, side by side."""
    evidence = item.evidence or {}
    keys = ("claim_id", "file", "segment", "charge", "imported_on")
    return {side: {k: (evidence.get(side) or {}).get(k) for k in keys}
            for side in ("earlier", "new")}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- deposits (issue 25) -------------------------------------------------------------------

DEPOSIT_KINDS = frozenset({ReviewKind.LONELY_DEPOSIT, ReviewKind.SILENT_ERA,
                           ReviewKind.DEPOSIT_VARIANCE})
_NEAR = 5


def _receipt_row(r: Receipt) -> dict[str, Any]:
    return {"remittance_id": r.id, "payer": r.payer, "trace": r.trace,
            "received": r.received.isoformat(), "amount": format_cents(r.amount_cents),
            "awaiting": format_cents(r.awaiting_cents)}


def deposit_section(conn: Connection, item: Any) -> dict[str, Any]:
    """The deposit line and the remittance of the item, and what lies near by amount and
    date on the other side: the remittances still awaiting deposit (a lonely deposit) or
    the deposits not yet met (a silent ERA, the rest of a variance)."""
    deposit = None
    if item.deposit_id is not None:
        row = conn.execute(select(table_of(Deposit)).where(
            table_of(Deposit).c.id == item.deposit_id)).one()
        left = row.amount_cents - banked_cents(conn, [row.id]).get(row.id, 0)
        deposit = {"id": row.id, "date": row.deposit_date.isoformat(),
                   "amount": format_cents(row.amount_cents), "left": format_cents(left),
                   "reference": row.bank_reference, "trace": row.trace_number,
                   "type": row.type_code, "description": row.description}
    remittance = None
    if item.remittance_id is not None:
        found = awaiting_receipts(conn, ids=[item.remittance_id], only_open=False)
        remittance = _receipt_row(found[0]) if found else None
    return {"deposit": deposit, "remittance": remittance, "near": _near(conn, item, deposit,
                                                                        remittance)}


def _near(conn: Connection, item: Any, deposit: dict[str, Any] | None,
          remittance: dict[str, Any] | None) -> list[dict[str, Any]]:
    if item.kind == ReviewKind.LONELY_DEPOSIT and deposit is not None:
        day, cents = dt.date.fromisoformat(deposit["date"]), item.amount_cents
        receipts = sorted(awaiting_receipts(conn), key=lambda r: (
            abs(r.awaiting_cents - cents), abs((r.received - day).days), r.id))
        return [_receipt_row(r) for r in receipts[:_NEAR]]
    if remittance is None:
        return []
    day, cents = dt.date.fromisoformat(remittance["received"]), item.amount_cents
    deposits = sorted(open_deposits(conn, whole_only=False), key=lambda d: (
        abs(d.remaining_cents - cents), abs((d.date - day).days), d.id))
    return [{"deposit_id": d.id, "date": d.date.isoformat(),
             "left": format_cents(d.remaining_cents), "trace": d.trace,
             "description": d.text} for d in deposits[:_NEAR] if d.id != item.deposit_id]
