"""Persist one 835 transaction set's rows in bulk: remittance, claim payments, service
lines, CAS, remark codes, AMT/QTY and PLB.

The import hot path: a few multi-row INSERTs per set (Core executemany, ids returned in
parameter order), never an ORM object per row.  Values are stored as the payer sent them,
signs included; text longer than its column is clipped here (the parser reports elements
that break the implementation guide's lengths) so a hostile file cannot fail the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table

from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_rows, insert_with_ids
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
    SupplementalAmount,
)
from edi_posting.records import remittance as rec
from edi_posting.records.source import SourceRef
from edi_posting.x12.remit_file import RemittanceSetRead

__all__ = [
    "ClaimRowInfo", "StoredClaim", "StoredSet", "store_provider_adjustments", "store_remittance",
]

_REMIT, _CP = table_of(Remittance), table_of(ClaimPayment)
_SVC, _CAS = table_of(ServiceLinePayment), table_of(Adjustment)
_RARC, _AMT = table_of(RemarkCode), table_of(SupplementalAmount)
_PLB = table_of(ProviderAdjustment)


@dataclass(frozen=True, slots=True)
class ClaimRowInfo:
    """What the match and decide stages add to a claim payment before it is stored."""

    submitted_claim_id: int | None
    match_method: str | None
    posting_state: str
    submitted_line_ids: tuple[int | None, ...]  # per paid line, in order


@dataclass(frozen=True, slots=True)
class StoredClaim:
    claim_payment_id: int
    line_ids: tuple[int, ...]
    claim_cas_ids: tuple[int, ...]
    line_cas_ids: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class StoredSet:
    remittance_id: int
    claims: tuple[StoredClaim, ...]


def _limits(table: Table) -> dict[str, int]:
    return {c.name: cast(Any, c.type).length for c in table.columns
            if isinstance(getattr(c.type, "length", None), int)}


_LIMITS = {t.name: _limits(t) for t in (_REMIT, _CP, _SVC, _CAS, _RARC, _AMT, _PLB)}


def _clip(value: str | None, table: Table, column: str) -> str | None:
    if value is None:
        return None
    length = _LIMITS[table.name].get(column)
    return value[:length] if length and len(value) > length else value


def _clip_row(row: dict[str, Any], table: Table) -> dict[str, Any]:
    """Text longer than its column, cut to fit (in place; the row is ours)."""
    for column, length in _LIMITS[table.name].items():
        value = row.get(column)
        if value is not None and len(value) > length:
            row[column] = value[:length]
    return row


def _from(source: SourceRef | None, file_id: int, position: int | None = None) -> dict[str, Any]:
    return {
        "source_file_id": file_id,
        "source_isa13": source.interchange_control_number if source else None,
        "source_st02": source.transaction_set_control_number if source else None,
        "source_segment": position if position is not None else (
            source.segment_position if source else None),
    }


def _insert_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    return insert_with_ids(conn, table, rows)


def _remittance_row(read: RemittanceSetRead, file_id: int, ts_id: int, payer_id: int | None,
                    payee_id: int | None, status: str) -> dict[str, Any]:
    h = read.header
    p, t = h.payment, h.trace
    refs = {r.qualifier: r.value for r in h.references}
    dates = {d.qualifier: d.date for d in h.dates}
    row = {
        "transaction_set_id": ts_id, "payer_id": payer_id, "payee_provider_id": payee_id,
        "handling_code": p.handling_code if p else "", "payment_cents": p.amount_cents if p else 0,
        "credit_debit": p.credit_debit if p else "", "payment_method": p.method_code if p else "",
        "payment_format": p.format_code if p else None,
        "sender_dfi_id": p.sender_dfi_id if p else None,
        "sender_account": p.sender_account_number if p else None,
        "receiver_dfi_id": p.receiver_dfi_id if p else None,
        "receiver_account": p.receiver_account_number if p else None,
        "payment_date": p.date if p else None, "trace_number": t.trace_number if t else "",
        "trace_originator": t.originator_id if t else None,
        "trace_supplemental": t.originator_supplemental_id if t else None,
        "production_date": dates.get("405"), "receiver_identifier": refs.get("EV"),
        "currency": h.currency_code, "payer_name": h.payer.name if h.payer else None,
        "payee_name": h.payee.name if h.payee else None,
        "payee_identifier": h.payee.identifier if h.payee else None, "status": status,
        **_from(h.source, file_id, p.segment_position if p else None),
    }
    return _clip_row(row, _REMIT)


def _claim_row(remittance_id: int, ts_id: int, ordinal: int, claim: rec.ClaimPayment,
               info: ClaimRowInfo, file_id: int) -> dict[str, Any]:
    def person(code: str) -> rec.PersonName | None:
        return claim.name(code)

    qc, il, fixed, rendering, tt = (person(c) for c in ("QC", "IL", "74", "82", "TT"))
    dates = {d.qualifier: d.date for d in claim.dates}
    key = (f"835:{ts_id}|{ordinal}|{claim.patient_control_number}|"
           f"{claim.payer_claim_control_number or ''}|{claim.status_code}")
    row = {
        "remittance_id": remittance_id, "ordinal": ordinal, "identity_key": key,
        "submitted_claim_id": info.submitted_claim_id,
        "patient_control_number": claim.patient_control_number,
        "status_code": claim.status_code, "charge_cents": claim.charge_cents,
        "paid_cents": claim.paid_cents,
        "patient_responsibility_cents": claim.patient_responsibility_cents,
        "filing_indicator": claim.filing_indicator,
        "payer_claim_control_number": claim.payer_claim_control_number,
        "facility_type": claim.facility_type, "frequency_code": claim.frequency,
        "drg_code": claim.drg_code, "drg_weight": claim.drg_weight,
        "discharge_fraction": claim.discharge_fraction,
        "patient_last_name": qc.last_name if qc else None,
        "patient_first_name": qc.first_name if qc else None,
        "member_id": (qc.identifier if qc else None) or (il.identifier if il else None),
        "corrected_member_id": fixed.identifier if fixed else None,
        "rendering_provider_npi": rendering.identifier if rendering else None,
        "crossover_payer_name": tt.last_name if tt else None,
        "crossover_payer_id": tt.identifier if tt else None,
        "statement_from": dates.get("232"), "statement_to": dates.get("233"),
        "received_date": dates.get("050"), "match_method": info.match_method,
        "posting_state": info.posting_state, **_from(claim.source, file_id),
    }
    return _clip_row(row, _CP)


def _line_row(cp_id: int, ordinal: int, line: rec.ServiceLinePayment,
              submitted_line_id: int | None, file_id: int) -> dict[str, Any]:
    proc, orig = line.procedure, line.original_procedure
    mods = tuple(proc.modifiers) + (None, None, None, None)
    dates = {d.qualifier: d.date for d in line.dates}
    row = {
        "claim_payment_id": cp_id, "ordinal": ordinal, "submitted_line_id": submitted_line_id,
        "procedure_qualifier": proc.qualifier or None, "procedure_code": proc.code or None,
        "modifier1": mods[0], "modifier2": mods[1], "modifier3": mods[2], "modifier4": mods[3],
        "charge_cents": line.charge_cents, "paid_cents": line.paid_cents,
        "revenue_code": line.revenue_code, "paid_units": line.paid_units,
        "original_procedure_qualifier": orig.qualifier if orig else None,
        "original_procedure_code": orig.code if orig else None,
        "original_modifiers": ":".join(orig.modifiers) if orig and orig.modifiers else None,
        "original_units": line.original_units,
        "service_date_from": dates.get("472") or dates.get("150"),
        "service_date_to": dates.get("472") or dates.get("151"),
        "line_item_control_number": line.line_control_number, **_from(line.source, file_id),
    }
    return _clip_row(row, _SVC)


def _cas_row(cp_id: int, line_id: int | None, ordinal: int, cas: rec.Adjustment,
             source: SourceRef, file_id: int) -> dict[str, Any]:
    return {
        "claim_payment_id": cp_id, "service_line_payment_id": line_id, "ordinal": ordinal,
        "group_code": _clip(cas.group_code, _CAS, "group_code"),
        "reason_code": _clip(cas.reason_code, _CAS, "reason_code"),
        "amount_cents": cas.amount_cents, "quantity": _clip(cas.quantity, _CAS, "quantity"),
        **_from(source, file_id, cas.segment_position),
    }


def store_remittance(
    conn: Connection, read: RemittanceSetRead, infos: Sequence[ClaimRowInfo], *, file_id: int,
    ts_id: int, payer_id: int | None, payee_id: int | None, status: str,
) -> StoredSet:
    """Insert every row of the set; the ids the journal lines point at."""
    remittance_id = _insert_ids(conn, _REMIT, [
        _remittance_row(read, file_id, ts_id, payer_id, payee_id, status)])[0]
    cp_ids = _insert_ids(conn, _CP, [
        _claim_row(remittance_id, ts_id, i, claim, info, file_id)
        for i, (claim, info) in enumerate(zip(read.claims, infos, strict=True), 1)])
    line_rows = [
        _line_row(cp_id, j, line, submitted, file_id)
        for cp_id, claim, info in zip(cp_ids, read.claims, infos)
        for j, (line, submitted) in enumerate(zip(claim.service_lines, info.submitted_line_ids), 1)
    ]
    line_ids = iter(_insert_ids(conn, _SVC, line_rows))
    per_claim_lines = [tuple(next(line_ids) for _ in claim.service_lines) for claim in read.claims]
    claims = _store_details(conn, read.claims, cp_ids, per_claim_lines, file_id)
    return StoredSet(remittance_id, claims)


def store_provider_adjustments(
    conn: Connection, remittance_id: int, adjustments: Sequence[rec.ProviderAdjustment],
    links: Sequence[tuple[int | None, int | None]], file_id: int,
) -> list[int]:
    """PLB pairs with the (submitted claim, claim payment) each reference was linked to."""
    rows = [{**_plb_row(remittance_id, i, plb, file_id), "linked_claim_id": claim_id,
             "linked_claim_payment_id": cp_id}
            for i, (plb, (claim_id, cp_id)) in enumerate(zip(adjustments, links, strict=True), 1)]
    return _insert_ids(conn, _PLB, rows)


def _store_details(conn: Connection, claims: Sequence[rec.ClaimPayment], cp_ids: Sequence[int],
                   line_ids: Sequence[tuple[int, ...]], file_id: int) -> tuple[StoredClaim, ...]:
    """CAS (ids kept for the journal), remark codes and AMT/QTY of every claim."""
    cas_rows: list[dict[str, Any]] = []
    extra_rarc: list[dict[str, Any]] = []
    extra_amt: list[dict[str, Any]] = []
    for claim, cp_id, lines in zip(claims, cp_ids, line_ids, strict=True):
        ordinal = 0
        for cas in claim.adjustments:
            ordinal += 1
            cas_rows.append(_cas_row(cp_id, None, ordinal, cas, claim.source, file_id))
        for line, line_id in zip(claim.service_lines, lines):
            for cas in line.adjustments:
                ordinal += 1
                cas_rows.append(_cas_row(cp_id, line_id, ordinal, cas, line.source, file_id))
        extra_rarc.extend(_remark_rows(claim, cp_id, lines, file_id))
        extra_amt.extend(_amount_rows(claim, cp_id, lines, file_id))
    cas_ids = iter(_insert_ids(conn, _CAS, cas_rows))
    insert_rows(conn, _RARC, extra_rarc)
    insert_rows(conn, _AMT, extra_amt)
    stored = []
    for claim, cp_id, lines in zip(claims, cp_ids, line_ids):
        claim_cas = tuple(next(cas_ids) for _ in claim.adjustments)
        line_cas = tuple(tuple(next(cas_ids) for _ in line.adjustments)
                         for line in claim.service_lines)
        stored.append(StoredClaim(cp_id, lines, claim_cas, line_cas))
    return tuple(stored)


def _remark_rows(claim: rec.ClaimPayment, cp_id: int, lines: Sequence[int],
                 file_id: int) -> list[dict[str, Any]]:
    found: list[tuple[int | None, str, str | None, str]] = []
    if claim.outpatient:
        found += [(None, "MOA", None, code) for code in claim.outpatient.remark_codes]
    if claim.inpatient:
        found += [(None, "MIA", None, code) for code in claim.inpatient.remark_codes]
    for line, line_id in zip(claim.service_lines, lines):
        found += [(line_id, "LQ", r.qualifier, r.code) for r in line.remark_codes]
    base = _from(claim.source, file_id)
    return [{"claim_payment_id": cp_id, "service_line_payment_id": line_id, "ordinal": i,
             "origin": origin, "qualifier": _clip(qualifier, _RARC, "qualifier"),
             "code": _clip(code, _RARC, "code"), **base}
            for i, (line_id, origin, qualifier, code) in enumerate(found, 1)]


def _amount_rows(claim: rec.ClaimPayment, cp_id: int, lines: Sequence[int],
                 file_id: int) -> list[dict[str, Any]]:
    found: list[tuple[int | None, str, str, int | None, str | None]] = []
    owners: list[tuple[int | None, rec.ClaimPayment | rec.ServiceLinePayment]] = [(None, claim)]
    owners += list(zip(lines, claim.service_lines))
    for line_id, owner in owners:
        found += [(line_id, "AMT", a.qualifier, a.amount_cents, None) for a in owner.amounts]
        found += [(line_id, "QTY", q.qualifier, None, q.quantity) for q in owner.quantities]
    base = _from(claim.source, file_id)
    return [{"claim_payment_id": cp_id, "service_line_payment_id": line_id, "ordinal": i,
             "segment_id": segment, "qualifier": _clip(qualifier, _AMT, "qualifier"),
             "amount_cents": amount, "quantity": _clip(quantity, _AMT, "quantity"), **base}
            for i, (line_id, segment, qualifier, amount, quantity) in enumerate(found, 1)]


def _plb_row(remittance_id: int, ordinal: int, plb: rec.ProviderAdjustment,
             file_id: int) -> dict[str, Any]:
    return {
        "remittance_id": remittance_id, "ordinal": ordinal,
        "provider_identifier": _clip(plb.provider_id, _PLB, "provider_identifier") or "",
        "fiscal_period_date": plb.fiscal_period_date,
        "reason_code": _clip(plb.reason_code, _PLB, "reason_code"),
        "reference_id": _clip(plb.reference_id, _PLB, "reference_id"),
        "amount_cents": plb.amount_cents, **_from(plb.source, file_id),
    }
