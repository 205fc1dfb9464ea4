"""The JSON documents of ``parse``: what an 835 (or 837) file says, record by record, or
its counts, sums and balancing verdicts per transaction set (streaming).

No database and no SQLAlchemy: parsing a file must stay cheap to start.  Amounts are
strings with two decimals; keys starting with ``_`` (the fatal problems, the totals
records) are for the caller's summaries and are not part of the printed document.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from edi_posting.api.claim_documents import claim_document
from edi_posting.money import format_cents
from edi_posting.records.claim import ProcedureCode
from edi_posting.records.problems import Problem, Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    RemittanceEnd,
    RemittanceRecord,
    RemittanceTotals,
    ServiceLinePaymentRecord,
)
from edi_posting.records.remittance_parts import AdjustmentRecord, Party
from edi_posting.x12.remit835.parser import FileEnd, ParseResult, iter_remittances, parse_835
from edi_posting.x12.sniff import sniff_path

__all__ = ["SCHEMA_VERSION", "file_document", "stats_document", "sum_totals"]

SCHEMA_VERSION = 1


def file_document(path: str) -> dict[str, Any]:
    """The JSON document for one file (``_fatal`` is for the stderr summary only)."""
    if sniff_path(Path(path)).startswith("837"):
        return claim_document(path, SCHEMA_VERSION)
    result: ParseResult = parse_835(path)
    fatal = [p for p in result.problems if p.is_fatal]
    fatal += [p for r in result.remittances for p in r.problems if p.is_fatal]
    return {
        "schema_version": SCHEMA_VERSION,
        "file": path,
        "sha256": result.sha256,
        "remittances": [_remittance(r) for r in result.remittances],
        "problems": [p.to_dict() for p in result.problems],
        "rejected": result.is_rejected,
        "_fatal": fatal,
    }


def _remittance(r: RemittanceRecord) -> dict[str, Any]:
    payment, trace = r.header.payment, r.header.trace
    return {
        "control_number": r.control_number,
        "version": r.header.version,
        "payer": _party(r.header.payer),
        "payee": _party(r.header.payee),
        "payment": None if payment is None else {
            "handling": payment.handling_code, "amount": format_cents(payment.amount_cents),
            "credit_debit": payment.credit_debit, "method": payment.method_code,
            "format": payment.format_code, "date": _iso(payment.date),
        },
        "trace_number": trace.trace_number if trace else None,
        "payer_trace_id": trace.originator_id if trace else None,
        "production_date": _iso(r.header.production_date),
        "claims": [_claim(c) for c in r.claims],
        "provider_adjustments": [{
            "provider_id": a.provider_id, "fiscal_period_date": _iso(a.fiscal_period_date),
            "reason": a.reason_code, "reference": a.reference_id,
            "amount": format_cents(a.amount_cents), "source": _source(a.source),
        } for a in r.provider_adjustments],
        "totals": _totals(r.totals),
        "problems": [p.to_dict() for p in r.problems],
        "source": _source(r.source),
    }


def _party(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {
        "name": party.name, "id_qualifier": party.id_qualifier, "id": party.identifier,
        "address_lines": list(party.address_lines), "city": party.city, "state": party.state,
        "postal_code": party.postal_code,
        "references": [{"qualifier": x.qualifier, "value": x.value} for x in party.references],
    }


def _claim(c: ClaimPaymentRecord) -> dict[str, Any]:
    patient = c.name("QC")
    return {
        "patient_control_number": c.patient_control_number,
        "status_code": c.status_code,
        "charge": format_cents(c.charge_cents),
        "paid": format_cents(c.paid_cents),
        "patient_responsibility": _money(c.patient_responsibility_cents),
        "filing_indicator": c.filing_indicator,
        "payer_claim_control_number": c.payer_claim_control_number,
        "patient": None if patient is None else {
            "last_name": patient.last_name, "first_name": patient.first_name,
            "id_qualifier": patient.id_qualifier, "id": patient.identifier},
        "adjustments": [_adjustment(a) for a in c.adjustments],
        "remark_codes": list(c.outpatient.remark_codes if c.outpatient else ())
        + list(c.inpatient.remark_codes if c.inpatient else ()),
        "references": [{"qualifier": x.qualifier, "value": x.value} for x in c.references],
        "dates": [{"qualifier": d.qualifier, "date": _iso(d.date)} for d in c.dates],
        "amounts": [{"qualifier": a.qualifier, "amount": _money(a.amount_cents)}
                    for a in c.amounts],
        "service_lines": [_line(x) for x in c.service_lines],
        "problems": [p.to_dict() for p in c.problems],
        "source": _source(c.source),
    }


def _line(line: ServiceLinePaymentRecord) -> dict[str, Any]:
    return {
        "procedure": _procedure(line.procedure),
        "original_procedure": _procedure(line.original_procedure),
        "charge": format_cents(line.charge_cents),
        "paid": format_cents(line.paid_cents),
        "revenue_code": line.revenue_code,
        "units": line.paid_units,
        "original_units": line.original_units,
        "service_date": _iso(line.service_date),
        "line_control_number": line.line_control_number,
        "adjustments": [_adjustment(a) for a in line.adjustments],
        "remark_codes": [{"qualifier": r.qualifier, "code": r.code} for r in line.remark_codes],
        "amounts": [{"qualifier": a.qualifier, "amount": _money(a.amount_cents)}
                    for a in line.amounts],
        "source": _source(line.source),
    }


def _procedure(code: ProcedureCode | None) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"qualifier": code.qualifier, "code": code.code, "modifiers": list(code.modifiers)}


def _adjustment(a: AdjustmentRecord) -> dict[str, Any]:
    return {"group": a.group_code, "reason": a.reason_code,
            "amount": format_cents(a.amount_cents), "quantity": a.quantity}


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _source(source: Any) -> dict[str, Any]:
    return {"segment_position": source.segment_position}


def _totals(t: RemittanceTotals) -> dict[str, Any]:
    return {
        "claims": t.claim_count, "service_lines": t.service_line_count,
        "adjustments": t.adjustment_count, "provider_adjustments": t.provider_adjustment_count,
        "bpr02": format_cents(t.payment_cents), "sum_clp04": format_cents(t.claim_paid_cents),
        "sum_plb": format_cents(t.provider_adjustment_cents),
        "balanced": {
            "service": t.unbalanced_service_lines == 0,
            "claim": t.unbalanced_claims == 0,
            "transaction": t.is_transaction_balanced,
        },
        "unbalanced_service_lines": t.unbalanced_service_lines,
        "unbalanced_claims": t.unbalanced_claims,
    }


def stats_document(path: str) -> dict[str, Any]:
    """Counts, sums and balancing per transaction set, streaming (no claim is kept)."""
    sets: list[dict[str, Any]] = []
    totals: list[RemittanceTotals] = []
    fatal: list[Problem] = []
    counts = {s.value: 0 for s in Severity}
    usable, sha256 = False, ""
    for event in iter_remittances(path):
        if isinstance(event, RemittanceEnd):
            sets.append({"control_number": event.header.transaction_set_control_number,
                         **_totals(event.totals)})
            totals.append(event.totals)
            usable = usable or event.is_usable
            _count(event.problems, counts, fatal)
        elif isinstance(event, ClaimPaymentRecord):
            if event.problems:
                _count(event.problems, counts, fatal)
        elif isinstance(event, FileEnd):
            sha256 = event.sha256
            _count(event.problems, counts, fatal)
    return {
        "schema_version": SCHEMA_VERSION, "file": path, "sha256": sha256,
        "transaction_sets": sets, "totals": sum_totals(totals), "problem_counts": counts,
        "rejected": not usable, "_fatal": fatal, "_totals": totals,
    }


def _count(problems: Iterable[Problem], counts: dict[str, int], fatal: list[Problem]) -> None:
    for problem in problems:
        counts[problem.severity.value] += 1
        if problem.is_fatal:
            fatal.append(problem)


def sum_totals(totals: list[RemittanceTotals]) -> dict[str, Any]:
    """The grand totals of several transaction sets (``--stats``' TOTAL row)."""
    verdicts = [t.is_transaction_balanced for t in totals]
    transaction = (False if False in verdicts else None if None in verdicts else True)
    return {
        "transaction_sets": len(totals),
        "claims": sum(t.claim_count for t in totals),
        "service_lines": sum(t.service_line_count for t in totals),
        "adjustments": sum(t.adjustment_count for t in totals),
        "provider_adjustments": sum(t.provider_adjustment_count for t in totals),
        "bpr02": format_cents(sum(t.payment_cents for t in totals)),
        "sum_clp04": format_cents(sum(t.claim_paid_cents for t in totals)),
        "sum_plb": format_cents(sum(t.provider_adjustment_cents for t in totals)),
        "balanced": {
            "service": all(t.unbalanced_service_lines == 0 for t in totals),
            "claim": all(t.unbalanced_claims == 0 for t in totals),
            "transaction": transaction,
        },
        "unbalanced_service_lines": sum(t.unbalanced_service_lines for t in totals),
        "unbalanced_claims": sum(t.unbalanced_claims for t in totals),
    }
