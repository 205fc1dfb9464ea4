"""Persist one 835 transaction set's rows in bulk: remittance, claim payments, service
lines, CAS, remark codes, AMT/QTY and PLB.

The import hot path: the set's ids are reserved first, in one round trip
(:func:`reserve_set`), so the posting rules can name the rows before they exist; then each
table gets one multi-row INSERT of plain tuples, never an ORM object or a dict per row.
Values are stored as the payer sent them, signs included; text longer than its column is
clipped (the parser reports elements that break the implementation guide's lengths) so a
hostile file cannot fail the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_tuples, reserve_blocks, reserve_ids
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServiceLinePayment,
    SupplementalAmount,
)
from edi_posting.posting.facts import claim_columns, line_columns
from edi_posting.records import remittance as rec
from edi_posting.records.remittance_parts import AdjustmentRecord
from edi_posting.records.source import SourceRef
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = [
    "StorableClaim", "StoredClaim", "StoredSet", "reserve_set", "store_provider_adjustments",
    "store_remittance",
]

_REMIT, _CP = table_of(Remittance), table_of(ClaimPayment)
_SVC, _CAS = table_of(ServiceLinePayment), table_of(Adjustment)
_RARC, _AMT = table_of(RemarkCode), table_of(SupplementalAmount)
_PLB = table_of(ProviderAdjustment)


class StorableClaim(Protocol):
    """A decided claim payment (``claim_pass.ClaimPass``): the parsed record and what the
    match and decide stages add to it before it is stored."""

    @property
    def record(self) -> rec.ClaimPaymentRecord: ...
    @property
    def ids(self) -> StoredClaim: ...
    @property
    def on_claim_id(self) -> int | None: ...
    @property
    def match_method(self) -> str | None: ...
    @property
    def posting_state(self) -> str: ...
    @property
    def submitted_line_ids(self) -> tuple[int | None, ...]: ...  # per paid line, in order


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


_SOURCE = ("source_file_id", "source_isa13", "source_st02", "source_segment")
_Row = tuple[Any, ...]


def _from(source: SourceRef | None, file_id: int, position: int | None = None) -> _Row:
    if source is None:
        return (file_id, None, None, position)
    return (file_id, source.interchange_control_number, source.transaction_set_control_number,
            position if position is not None else source.position)


def reserve_set(conn: Connection, read: RemittanceSetRead) -> StoredSet:
    """Ids for every row the set will store (remittance, claim payments, lines, CAS), in
    one query, before anything is written: the journal lines point at them."""
    claims = read.claims
    n_lines = sum(len(c.service_lines) for c in claims)
    n_cas = sum(len(c.adjustments) + sum(len(ln.adjustments) for ln in c.service_lines)
                for c in claims)
    remit, cps, lines, cas = reserve_blocks(
        conn, [(_REMIT, 1), (_CP, len(claims)), (_SVC, n_lines), (_CAS, n_cas)])
    at_line = at_cas = 0
    stored = []
    for claim, cp_id in zip(claims, cps, strict=True):
        n = len(claim.adjustments)
        claim_cas, at_cas = tuple(cas[at_cas:at_cas + n]), at_cas + n
        n = len(claim.service_lines)
        own_lines, at_line = tuple(lines[at_line:at_line + n]), at_line + n
        line_cas = []
        for line in claim.service_lines:
            n = len(line.adjustments)
            line_cas.append(tuple(cas[at_cas:at_cas + n]))
            at_cas += n
        stored.append(StoredClaim(cp_id, own_lines, claim_cas, tuple(line_cas)))
    return StoredSet(remit[0], tuple(stored))


_REMIT_COLUMNS = (
    "id", "transaction_set_id", "payer_id", "payee_provider_id", "handling_code",
    "payment_cents", "credit_debit", "payment_method", "payment_format", "sender_dfi_id",
    "sender_account", "receiver_dfi_id", "receiver_account", "payment_date", "trace_number",
    "trace_originator", "trace_supplemental", "production_date", "receiver_identifier",
    "currency", "payer_name", "payee_name", "payee_identifier", "status", *_SOURCE)


def _remittance_row(read: RemittanceSetRead, remittance_id: int, file_id: int, ts_id: int,
                    payer_id: int | None, payee_id: int | None, status: str) -> _Row:
    h = read.header
    p, t = h.payment, h.trace
    refs = {r.qualifier: r.value for r in h.references}
    dates = {d.qualifier: d.date for d in h.dates}
    payment = (p.handling_code, p.amount_cents, p.credit_debit, p.method_code, p.format_code,
               p.sender_dfi_id, p.sender_account_number, p.receiver_dfi_id,
               p.receiver_account_number, p.date) if p else ("", 0, "", "", *[None] * 6)
    return (remittance_id, ts_id, payer_id, payee_id, *payment,
            t.trace_number if t else "", t.originator_id if t else None,
            t.originator_supplemental_id if t else None, dates.get("405"), refs.get("EV"),
            h.currency_code, h.payer.name if h.payer else None,
            h.payee.name if h.payee else None, h.payee.identifier if h.payee else None, status,
            *_from(h.source, file_id, p.segment_position if p else None))


_CP_COLUMNS = (
    "id", "remittance_id", "ordinal", "identity_key", "submitted_claim_id",
    "patient_control_number", "status_code", "charge_cents", "paid_cents",
    "patient_responsibility_cents", "filing_indicator", "payer_claim_control_number",
    "facility_type", "frequency_code", "drg_code", "drg_weight", "discharge_fraction",
    "patient_last_name", "patient_first_name", "member_id", "corrected_member_id",
    "rendering_provider_npi", "crossover_payer_name", "crossover_payer_id", "statement_from",
    "statement_to", "received_date", "match_method", "posting_state", *_SOURCE)


def _claim_row(remittance_id: int, ts_id: int, ordinal: int, cp: StorableClaim,
               file_id: int) -> _Row:
    claim = cp.record
    c = claim_columns(claim)  # what matching reads, as matching reads it
    people = {n.entity_code: n for n in reversed(claim.names)}  # the first of each code
    rendering, tt = people.get("82"), people.get("TT")
    dates = {d.qualifier: d.date for d in claim.dates}
    key = (f"835:{ts_id}|{ordinal}|{claim.patient_control_number}|"
           f"{claim.payer_claim_control_number or ''}|{claim.status_code}")
    return (
        cp.ids.claim_payment_id, remittance_id, ordinal, key, cp.on_claim_id,
        c.patient_control_number, c.status_code, c.charge_cents, c.paid_cents,
        claim.patient_responsibility_cents, claim.filing_indicator,
        c.payer_claim_control_number, claim.facility_type, claim.frequency,
        claim.drg_code, claim.drg_weight, claim.discharge_fraction,
        c.patient_last_name, c.patient_first_name, c.member_id, c.corrected_member_id,
        rendering.identifier if rendering else None,
        tt.last_name if tt else None, tt.identifier if tt else None,
        c.statement_from, c.statement_to, dates.get("050"), cp.match_method,
        cp.posting_state, *_from(claim.source, file_id))


_SVC_COLUMNS = (
    "id", "claim_payment_id", "ordinal", "submitted_line_id", "procedure_qualifier",
    "procedure_code", "modifier1", "modifier2", "modifier3", "modifier4", "charge_cents",
    "paid_cents", "revenue_code", "paid_units", "original_procedure_qualifier",
    "original_procedure_code", "original_modifiers", "original_units", "service_date_from",
    "service_date_to", "line_item_control_number", *_SOURCE)


def _line_row(line_id: int, cp_id: int, ordinal: int, line: rec.ServiceLinePaymentRecord,
              submitted_line_id: int | None, file_id: int) -> _Row:
    c = line_columns(line)
    return (
        line_id, cp_id, ordinal, submitted_line_id, c.procedure_qualifier, c.procedure_code,
        c.modifier1, c.modifier2, c.modifier3, c.modifier4, c.charge_cents, c.paid_cents,
        line.revenue_code, c.paid_units, c.original_procedure_qualifier,
        c.original_procedure_code, c.original_modifiers, line.original_units,
        c.service_date_from, c.service_date_to, c.line_item_control_number,
        *_from(line.source, file_id))


_CAS_COLUMNS = ("id", "claim_payment_id", "service_line_payment_id", "ordinal", "group_code",
                "reason_code", "amount_cents", "quantity", *_SOURCE)


def store_remittance(
    conn: Connection, read: RemittanceSetRead, claims: Sequence[StorableClaim],
    remittance_id: int, *, file_id: int, ts_id: int, payer_id: int | None,
    payee_id: int | None, status: str,
) -> None:
    """Insert every row of the set under the ids :func:`reserve_set` gave it."""
    insert_tuples(conn, _REMIT, _REMIT_COLUMNS, [_remittance_row(
        read, remittance_id, file_id, ts_id, payer_id, payee_id, status)], clip=True)
    insert_tuples(conn, _CP, _CP_COLUMNS, [
        _claim_row(remittance_id, ts_id, i, cp, file_id) for i, cp in enumerate(claims, 1)],
        clip=True)
    insert_tuples(conn, _SVC, _SVC_COLUMNS, [
        _line_row(line_id, cp.ids.claim_payment_id, j, line, submitted, file_id)
        for cp in claims
        for j, (line, submitted, line_id) in enumerate(zip(
            cp.record.service_lines, cp.submitted_line_ids, cp.ids.line_ids), 1)], clip=True)
    _store_details(conn, claims, file_id)


def store_provider_adjustments(
    conn: Connection, remittance_id: int, adjustments: Sequence[rec.ProviderAdjustmentRecord],
    links: Sequence[tuple[int | None, int | None]], file_id: int,
) -> list[int]:
    """PLB pairs with the (submitted claim, claim payment) each reference was linked to."""
    ids = reserve_ids(conn, _PLB, len(adjustments))
    rows = [(plb_id, *_plb_row(remittance_id, i, plb, file_id), claim_id, cp_id)
            for i, (plb_id, plb, (claim_id, cp_id)) in enumerate(zip(
                ids, adjustments, links, strict=True), 1)]
    insert_tuples(conn, _PLB, ("id", *_PLB_COLUMNS, "linked_claim_id",
                               "linked_claim_payment_id"), rows, clip=True)
    return ids


def _store_details(conn: Connection, claims: Sequence[StorableClaim], file_id: int) -> None:
    """CAS under their reserved ids, remark codes and AMT/QTY of every claim."""
    cas_rows: list[_Row] = []
    rarc_rows: list[_Row] = []
    amt_rows: list[_Row] = []
    for cp in claims:
        claim, ids = cp.record, cp.ids
        cp_id = ids.claim_payment_id
        source = _from(claim.source, file_id)
        _cas_rows(cas_rows, claim, ids, source, file_id)
        _remark_rows(rarc_rows, claim, cp_id, ids.line_ids, source)
        _amount_rows(amt_rows, claim, cp_id, ids.line_ids, source)
    insert_tuples(conn, _CAS, _CAS_COLUMNS, cas_rows, clip=True)
    insert_tuples(conn, _RARC, _RARC_COLUMNS, rarc_rows, clip=True)
    insert_tuples(conn, _AMT, _AMT_COLUMNS, amt_rows, clip=True)


# The row builders below append finished tuples to the caller's list and count ordinals
# as they go: an import stores tens of thousands of these rows, so no intermediate list
# or call per row.  Each segment's own position wins over its loop's.

def _cas_rows(rows: list[_Row], claim: rec.ClaimPaymentRecord, ids: StoredClaim, source: _Row,
              file_id: int) -> None:
    """Claim-level CAS, then each line's, numbered across the claim payment."""
    cp_id, ordinal = ids.claim_payment_id, 0
    owners: list[tuple[int | None, _Row, Sequence[AdjustmentRecord], Sequence[int]]] = [
        (None, source, claim.adjustments, ids.claim_cas_ids)]
    owners += [(line_id, _from(line.source, file_id), line.adjustments, line_cas)
               for line, line_id, line_cas in zip(claim.service_lines, ids.line_ids,
                                                  ids.line_cas_ids) if line.adjustments]
    for line_id, (file, isa13, st02, position), adjustments, cas_ids in owners:
        for cas, cas_id in zip(adjustments, cas_ids):
            ordinal += 1
            at = cas.segment_position
            rows.append((cas_id, cp_id, line_id, ordinal, cas.group_code, cas.reason_code,
                         cas.amount_cents, cas.quantity, file, isa13, st02,
                         position if at is None else at))


_RARC_COLUMNS = ("claim_payment_id", "service_line_payment_id", "ordinal", "origin",
                 "qualifier", "code", *_SOURCE)


def _remark_rows(rows: list[_Row], claim: rec.ClaimPaymentRecord, cp_id: int, lines: Sequence[int],
                 source: _Row) -> None:
    """MOA, then MIA, then each line's LQ remark codes, numbered across the claim."""
    ordinal = 0
    for origin, owner in (("MOA", claim.outpatient), ("MIA", claim.inpatient)):
        for code in owner.remark_codes if owner else ():
            ordinal += 1
            rows.append((cp_id, None, ordinal, origin, None, code, *source))
    for line, line_id in zip(claim.service_lines, lines):
        for r in line.remark_codes:
            ordinal += 1
            rows.append((cp_id, line_id, ordinal, "LQ", r.qualifier, r.code, *source))


_AMT_COLUMNS = ("claim_payment_id", "service_line_payment_id", "ordinal", "segment_id",
                "qualifier", "amount_cents", "quantity", *_SOURCE)


def _amount_rows(rows: list[_Row], claim: rec.ClaimPaymentRecord, cp_id: int, lines: Sequence[int],
                 source: _Row) -> None:
    """The claim's AMT then QTY, then each line's, numbered across the claim payment (all
    under the claim's source reference)."""
    ordinal = 0
    owners: list[tuple[int | None, rec.ClaimPaymentRecord | rec.ServiceLinePaymentRecord]] = [(None, claim)]
    owners += zip(lines, claim.service_lines)
    for line_id, owner in owners:
        for a in owner.amounts:
            ordinal += 1
            rows.append((cp_id, line_id, ordinal, "AMT", a.qualifier, a.amount_cents, None,
                         *source))
        for q in owner.quantities:
            ordinal += 1
            rows.append((cp_id, line_id, ordinal, "QTY", q.qualifier, None, q.quantity,
                         *source))


_PLB_COLUMNS = ("remittance_id", "ordinal", "provider_identifier", "fiscal_period_date",
                "reason_code", "reference_id", "amount_cents", *_SOURCE)


def _plb_row(remittance_id: int, ordinal: int, plb: rec.ProviderAdjustmentRecord,
             file_id: int) -> _Row:
    return (remittance_id, ordinal, plb.provider_id or "", plb.fiscal_period_date,
            plb.reason_code, plb.reference_id, plb.amount_cents, *_from(plb.source, file_id))
