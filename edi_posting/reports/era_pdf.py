"""The ``era-pdf REMITTANCE`` report: one check or EFT as a remittance advice, the data a
paper remittance prints (the layout is :mod:`edi_posting.rendering.advice_pdf`).

Read-only over the stored 835 rows of one remittance, as the payer sent them: the summary
holds the payer/payee block and the check (method, trace, date, BPR02); the sections hold
its claims (patient, PCN, payer claim number, CLP02, dates, charge, paid, patient
responsibility), their service lines (procedure, dates, charge, allowed, paid), every CAS
adjustment with its group and CARC described, the remark codes (RARC) described, and the
PLB.  ``allowed`` is the line's AMT*B6 when the payer sent one, otherwise what the payer
and the patient owe: paid + the line's PR adjustments.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    Payer,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
    SupplementalAmount,
)
from edi_posting.records.remittance_parts import signed_payment_cents
from edi_posting.reports.remits import resolve_remittance
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["SUBJECT_OPTION", "era_pdf_report"]

#: the query option naming the remittance (its id or trace number)
SUBJECT_OPTION = "subject"
_REMIT, _CP, _SVC = table_of(Remittance), table_of(ClaimPayment), table_of(ServiceLinePayment)
_CAS, _RARC, _AMT = table_of(Adjustment), table_of(RemarkCode), table_of(SupplementalAmount)
_PLB = table_of(ProviderAdjustment)
_PATIENT_GROUP = "PR"
_ALLOWED = "B6"
_C, _N, _T, _D = ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.TEXT, ColumnKind.DATE

CLAIM_COLUMNS = (
    Column("claim", "Claim", _N), Column("patient_name", "Patient"),
    Column("member_id", "Member ID"), Column("pcn", "PCN"),
    Column("payer_claim_number", "Payer claim number"), Column("status", "CLP02"),
    Column("status_description", "Status"), Column("from", "From", _D), Column("to", "To", _D),
    Column("charge", "Charge", _C), Column("paid", "Paid", _C),
    Column("patient_responsibility", "Patient resp.", _C), Column("adjusted", "Adjusted", _C))
LINE_COLUMNS = (
    Column("claim", "Claim", _N), Column("line", "Line", _N), Column("procedure", "Procedure"),
    Column("from", "From", _D), Column("to", "To", _D), Column("charge", "Charge", _C),
    Column("allowed", "Allowed", _C), Column("paid", "Paid", _C))
ADJUSTMENT_COLUMNS = (
    Column("claim", "Claim", _N), Column("line", "Line", _N), Column("group", "Group"),
    Column("group_description", "Group description"), Column("carc", "CARC"),
    Column("carc_description", "CARC description"), Column("amount", "Amount", _C))
REMARK_COLUMNS = (Column("claim", "Claim", _N), Column("line", "Line", _N),
                  Column("code", "RARC"), Column("description", "Description"))
PLB_COLUMNS = (Column("provider", "Provider"), Column("reason", "Reason"),
               Column("description", "Description"), Column("reference", "Reference"),
               Column("amount", "Amount", _C))


def era_pdf_report(conn: Connection, query: ReportQuery) -> Report:
    """One remittance (``query.options["subject"]``: its id or trace) as an advice."""
    remittance_id = resolve_remittance(conn, query.options.get(SUBJECT_OPTION, ""))
    r = conn.execute(select(_REMIT, Payer.name.label("our_payer_name"),
                            Payer.primary_identifier)
                     .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
                     .where(_REMIT.c.id == remittance_id)).one()
    payments = conn.execute(select(_CP).where(_CP.c.remittance_id == remittance_id)
                            .order_by(_CP.c.ordinal)).all()
    ordinal_of = {p.id: p.ordinal for p in payments}
    lines = _lines(conn, ordinal_of)
    adjustments = _adjustments(conn, ordinal_of, lines)
    remarks = _remarks(conn, ordinal_of, lines)
    adjusted: dict[int, int] = defaultdict(int)
    for a in adjustments:
        adjusted[a["claim_payment_id"]] += a["amount"]
    claims = [_claim_row(p, adjusted[p.id]) for p in payments]
    plb = _plb(conn, remittance_id)
    return Report(
        "era-pdf", f"Remittance advice: {r.trace_number}", query,
        (Section("claims", "Claims", CLAIM_COLUMNS, claims, _sum(claims, CLAIM_COLUMNS)),
         Section("lines", "Service lines", LINE_COLUMNS, [ln for ln, _ in lines.values()]),
         Section("adjustments", "Adjustments", ADJUSTMENT_COLUMNS, adjustments),
         Section("remarks", "Remark codes", REMARK_COLUMNS, remarks),
         Section("plb", "Provider-level adjustments", PLB_COLUMNS, plb,
                 {"amount": sum(p["amount"] for p in plb)})),
        summary=_summary(r, claims, plb), summary_kinds=_SUMMARY_KINDS)


_SUMMARY_KINDS = {"remittance": _N, "payment_date": _D, "amount": _C, "claims": _N,
                  "total_charge": _C, "total_paid": _C, "total_plb": _C}


def _summary(r: Any, claims: list[dict[str, Any]], plb: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "remittance": r.id, "payer": r.our_payer_name or r.payer_name,
        "payer_id": r.primary_identifier or r.trace_originator, "payee": r.payee_name,
        "payee_id": r.payee_identifier, "method": r.payment_method, "trace": r.trace_number,
        "payment_date": r.payment_date,
        "amount": signed_payment_cents(r.payment_cents, r.credit_debit),
        "claims": len(claims), "total_charge": sum(c["charge"] for c in claims),
        "total_paid": sum(c["paid"] for c in claims),
        "total_plb": sum(p["amount"] for p in plb)}


def _lines(conn: Connection, ordinal_of: dict[int, int]
           ) -> dict[int, tuple[dict[str, Any], int]]:
    """line id -> (its row, its claim payment id), in claim then line order."""
    if not ordinal_of:
        return {}
    found = conn.execute(select(_SVC).where(_SVC.c.claim_payment_id.in_(list(ordinal_of)))
                         .order_by(_SVC.c.claim_payment_id, _SVC.c.ordinal)).all()
    ids = [s.id for s in found]
    allowed = dict(conn.execute(
        select(_AMT.c.service_line_payment_id, _AMT.c.amount_cents)
        .where(_AMT.c.service_line_payment_id.in_(ids), _AMT.c.qualifier == _ALLOWED)).all())
    patient: dict[int, int] = defaultdict(int)
    for line_id, cents in conn.execute(
            select(_CAS.c.service_line_payment_id, _CAS.c.amount_cents)
            .where(_CAS.c.service_line_payment_id.in_(ids), _CAS.c.group_code == _PATIENT_GROUP)):
        patient[line_id] += cents
    rows = {}
    for n, s in enumerate(found):
        modifiers = [m for m in (s.modifier1, s.modifier2, s.modifier3, s.modifier4) if m]
        rows[s.id] = ({
            "claim": ordinal_of[s.claim_payment_id], "line": s.ordinal,
            "procedure": ":".join([s.procedure_code or "", *modifiers]),
            "from": s.service_date_from, "to": s.service_date_to or s.service_date_from,
            "charge": s.charge_cents, "paid": s.paid_cents,
            "allowed": allowed.get(s.id) if allowed.get(s.id) is not None
            else s.paid_cents + patient[s.id]}, s.claim_payment_id)
    return rows


def _adjustments(conn: Connection, ordinal_of: dict[int, int],
                 lines: dict[int, tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
    if not ordinal_of:
        return []
    return [{"claim": ordinal_of[a.claim_payment_id], "claim_payment_id": a.claim_payment_id,
             "line": lines[a.service_line_payment_id][0]["line"]
             if a.service_line_payment_id in lines else None,
             "group": a.group_code,
             "group_description": describe_code(CodeListName.GROUP, a.group_code),
             "carc": a.reason_code,
             "carc_description": describe_code(CodeListName.CARC, a.reason_code),
             "amount": a.amount_cents}
            for a in conn.execute(select(_CAS).where(_CAS.c.claim_payment_id.in_(list(ordinal_of)))
                                  .order_by(_CAS.c.claim_payment_id, _CAS.c.ordinal))]


def _remarks(conn: Connection, ordinal_of: dict[int, int],
             lines: dict[int, tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
    if not ordinal_of:
        return []
    return [{"claim": ordinal_of[m.claim_payment_id],
             "line": lines[m.service_line_payment_id][0]["line"]
             if m.service_line_payment_id in lines else None,
             "code": m.code, "description": describe_code(CodeListName.RARC, m.code)}
            for m in conn.execute(select(_RARC).where(_RARC.c.claim_payment_id.in_(list(ordinal_of)))
                                  .order_by(_RARC.c.claim_payment_id, _RARC.c.ordinal))]


def _claim_row(p: Any, adjusted_cents: int) -> dict[str, Any]:
    name = p.patient_last_name and ", ".join(n for n in (p.patient_last_name,
                                                         p.patient_first_name) if n)
    return {"claim": p.ordinal, "patient_name": name, "member_id": p.member_id,
            "pcn": p.patient_control_number, "payer_claim_number": p.payer_claim_control_number,
            "status": p.status_code,
            "status_description": describe_code(CodeListName.CLAIM_STATUS, p.status_code),
            "from": p.statement_from, "to": p.statement_to, "charge": p.charge_cents,
            "paid": p.paid_cents, "patient_responsibility": p.patient_responsibility_cents or 0,
            "adjusted": adjusted_cents}


def _plb(conn: Connection, remittance_id: int) -> list[dict[str, Any]]:
    return [{"provider": p.provider_identifier, "reason": p.reason_code,
             "description": describe_code(CodeListName.PLB_REASON, p.reason_code),
             "reference": p.reference_id, "amount": p.amount_cents}
            for p in conn.execute(select(_PLB).where(_PLB.c.remittance_id == remittance_id)
                                  .order_by(_PLB.c.ordinal))]


def _sum(rows: list[dict[str, Any]], columns: tuple[Column, ...]) -> dict[str, Any]:
    return {c.key: sum(r[c.key] for r in rows) for c in columns if c.kind == _C}
