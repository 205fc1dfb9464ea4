"""The case view's payment sections: what the 835 itself said, and which billed claims
could be the one it pays.

A specialist deciding an unmatched payment compares the payer's words (the patient and
member ID as sent, CLP07, dates, charge, the check or EFT) with our claims, named by PCN
with their patient, payer, balance and whether they were paid already.  Internal ids are
kept beside each value for a program, never as the only handle a person gets.  Read only;
the caller authorises and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    JournalLine,
    Patient,
    Payer,
    ReceivedFile,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
    SubmittedClaim,
)
from edi_posting.keyed.template import KEYED_KIND
from edi_posting.ledger.journal import account_ids, claim_balances
from edi_posting.money import format_cents
from edi_posting.records.states import PostingState
from edi_posting.reports.views import balances_dict

__all__ = ["adjudication", "candidate_claims", "claim_payments_of", "payer_balance_cents",
           "payment_facts"]

_CP, _REM, _CLAIM = table_of(ClaimPayment), table_of(Remittance), table_of(SubmittedClaim)
_SVC, _ADJ, _RARC = table_of(ServiceLinePayment), table_of(Adjustment), table_of(RemarkCode)
_JL = table_of(JournalLine)
# what a payment that paid a claim leaves behind: counted as "already paid"
_PAID_STATES = frozenset({PostingState.POSTED, PostingState.APPLIED})


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def payment_facts(conn: Connection, claim_payment_id: int) -> dict[str, Any]:
    """The claim payment as the payer sent it, with its check or EFT (BPR/TRN) and payer."""
    cp = conn.execute(select(_CP, _REM.c.trace_number, _REM.c.payment_date,
                             _REM.c.payment_method, _REM.c.payment_cents, _REM.c.payer_name,
                             ReceivedFile.file_name, ReceivedFile.kind.label("file_kind"),
                             ReceivedFile.received_by)
                      .join(_REM, _REM.c.id == _CP.c.remittance_id)
                      .join(ReceivedFile, ReceivedFile.id == _CP.c.source_file_id)
                      .where(_CP.c.id == claim_payment_id)).one()
    return {
        "claim_payment_id": cp.id, "patient_control_number": cp.patient_control_number,
        "status_code": cp.status_code,
        "status_description": describe_code(CodeListName.CLAIM_STATUS, cp.status_code),
        "charge": format_cents(cp.charge_cents), "paid": format_cents(cp.paid_cents),
        "patient_responsibility": (None if cp.patient_responsibility_cents is None
                                   else format_cents(cp.patient_responsibility_cents)),
        "payer_claim_control_number": cp.payer_claim_control_number,
        "patient_last_name": cp.patient_last_name, "patient_first_name": cp.patient_first_name,
        "member_id": cp.member_id, "statement_from": _iso(cp.statement_from),
        "statement_to": _iso(cp.statement_to), "service_dates": _service_dates(conn, cp.id),
        "posting_state": cp.posting_state, "remittance_id": cp.remittance_id,
        "trace_number": cp.trace_number, "payment_date": _iso(cp.payment_date),
        "payment_method": cp.payment_method, "remittance_total": format_cents(cp.payment_cents),
        "payer_name": cp.payer_name, "file": cp.file_name, "segment": cp.source_segment,
        "keyed_by": cp.received_by if cp.file_kind == KEYED_KIND else None,  # segment: its row
    }


def _service_dates(conn: Connection, claim_payment_id: int) -> dict[str, str | None]:
    """First and last date of service of the lines (an 835 often sends no claim dates)."""
    low, high = conn.execute(select(func.min(_SVC.c.service_date_from),
                                    func.max(func.coalesce(_SVC.c.service_date_to,
                                                           _SVC.c.service_date_from)))
                             .where(_SVC.c.claim_payment_id == claim_payment_id)).one()
    return {"from": _iso(low), "to": _iso(high)}


def adjudication(conn: Connection, claim_payment_id: int) -> dict[str, Any]:
    """Claim-level and per-line group/CARC/RARC, each with its description."""
    adjustments = conn.execute(select(_ADJ).where(_ADJ.c.claim_payment_id == claim_payment_id)
                               .order_by(_ADJ.c.ordinal)).all()
    remarks = conn.execute(select(_RARC).where(_RARC.c.claim_payment_id == claim_payment_id)
                           .order_by(_RARC.c.ordinal)).all()
    lines = conn.execute(select(_SVC).where(_SVC.c.claim_payment_id == claim_payment_id)
                         .order_by(_SVC.c.ordinal)).all()
    return {
        "adjustments": _adjustments(a for a in adjustments if a.service_line_payment_id is None),
        "remarks": _remarks(r for r in remarks if r.service_line_payment_id is None),
        "lines": [{"line": line.ordinal, "procedure": line.procedure_code,
                   "charge": format_cents(line.charge_cents), "paid": format_cents(line.paid_cents),
                   "adjustments": _adjustments(a for a in adjustments
                                               if a.service_line_payment_id == line.id),
                   "remarks": _remarks(r for r in remarks if r.service_line_payment_id == line.id)}
                  for line in lines],
    }


def _adjustments(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"group": a.group_code, "carc": a.reason_code, "amount": format_cents(a.amount_cents),
             "group_description": describe_code(CodeListName.GROUP, a.group_code),
             "carc_description": describe_code(CodeListName.CARC, a.reason_code)} for a in rows]


def _remarks(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """RARCs (an LQ with another qualifier than HE is not a RARC: no description)."""
    return [{"rarc": r.code, "description": (describe_code(CodeListName.RARC, r.code)
                                             if r.qualifier in (None, "HE") else None)}
            for r in rows]


def claim_payments_of(conn: Connection, claim_id: int, *,
                      besides: int | None = None) -> list[dict[str, Any]]:
    """The claim's payments from any 835 (but ``besides``), oldest first."""
    rows = conn.execute(select(_CP.c.id, _CP.c.paid_cents, _CP.c.posting_state,
                               _CP.c.payer_claim_control_number, _CP.c.status_code,
                               _REM.c.trace_number, _REM.c.payment_date, _REM.c.payer_name)
                        .join(_REM, _REM.c.id == _CP.c.remittance_id)
                        .where(_CP.c.submitted_claim_id == claim_id)
                        .order_by(_CP.c.id)).all()
    return [{"claim_payment_id": r.id, "trace_number": r.trace_number,
             "payment_date": _iso(r.payment_date), "payer_name": r.payer_name,
             "status_code": r.status_code, "paid": format_cents(r.paid_cents),
             "posting_state": r.posting_state,
             "payer_claim_control_number": r.payer_claim_control_number}
            for r in rows if r.id != besides]


def candidate_claims(conn: Connection, candidates: list[dict[str, Any]],
                     claim_payment_id: int | None) -> list[dict[str, Any]]:
    """Each candidate of the item's evidence by PCN, with its patient, payer, balances, the
    payments it already has, and what agreed and differed with the 835."""
    shown = []
    for candidate in candidates:
        claim_id = candidate.get("claim_id")
        claim = conn.execute(select(_CLAIM).where(_CLAIM.c.id == claim_id)).first()
        if claim is None:
            continue
        patient = conn.execute(select(Patient.last_name, Patient.first_name)
                               .where(Patient.id == claim.patient_id)).one()
        payer = conn.execute(select(Payer.name).where(Payer.id == claim.payer_id)).scalar()
        payments = claim_payments_of(conn, claim.id, besides=claim_payment_id)
        shown.append({
            "patient_control_number": claim.patient_control_number, "claim_id": claim.id,
            "status": claim.status, "score": candidate.get("score"),
            "patient_last_name": patient.last_name, "patient_first_name": patient.first_name,
            "payer_name": payer, "total_charge": format_cents(claim.total_charge_cents),
            "statement_from": _iso(claim.statement_from), "statement_to": _iso(claim.statement_to),
            "balances": balances_dict(claim_balances(conn, claim.id)),
            "already_paid": any(p["posting_state"] in _PAID_STATES for p in payments),
            "payments": payments, "agreed": list(candidate.get("agreed", [])),
            "differed": list(candidate.get("disagreed", [])),
        })
    return shown


def payer_balance_cents(conn: Connection, claim_id: int, payer_id: int | None) -> int:
    """The claim's insurance receivable with one payer (a denial's amount at risk)."""
    account = account_ids(conn)[AccountCode.INSURANCE_AR]
    query = select(func.coalesce(func.sum(_JL.c.amount_cents), 0)).where(
        _JL.c.submitted_claim_id == claim_id, _JL.c.account_id == account)
    if payer_id is not None:
        query = query.where(_JL.c.payer_id == payer_id)
    return int(conn.execute(query).scalar_one())
