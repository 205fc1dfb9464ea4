"""The evidence packet: everything about one review item, to attach when escalating.

What a specialist sends to finance or to a payer: the item with its history, the claim
with its ledger lineage (every entry touching it or posted by the item, with what each
reverses and is reversed by, back to the file and segment), the raw 835 segments the
remittance sent (its header and the claim payment's loop), and the 837 claim as billed
(its CLM loop), and the case as ``queue show`` has it (what decides the item, the commands
that finish it).  Written as ``packet.json`` plus ``packet.html`` (readable, every value
escaped) in one zip.

The packet is PHI leaving the system: the caller needs ``export``, and the export is an
item event (so ``history claim`` shows it) and an audit event carrying the zip's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from edi_posting.access.permissions import MATRIX, Permission, Principal
from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    ProviderAdjustment,
    ReceivedFile,
    Refund,
    Remittance,
    ReviewItem,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.db.workflow import ItemAction
from edi_posting.logs import mask_phi as mask_phi_in
from edi_posting.money import format_cents
from edi_posting.queue.items import item_detail
from edi_posting.records.states import AuditOutcome, ReviewKind
from edi_posting.reports.case_kinds import plb_id as plb_of
from edi_posting.reports.case_segments import (
    BILLED_CLAIM_ENDS,
    CLAIM_PAYMENT_ENDS,
    MAX_SEGMENTS,
    ONE_SEGMENT,
    file_segments,
)
from edi_posting.reports.case_view import case_view
from edi_posting.reports.evidence_html import render_packet_html
from edi_posting.reports.history import claim_history
from edi_posting.reports.views import claim_detail
from edi_posting.review.actions import ActionError, record_action

__all__ = ["MAX_SEGMENTS", "build_packet", "write_packet"]

_E, _L, _A = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)
_ITEM, _CLAIM, _CP = table_of(ReviewItem), table_of(SubmittedClaim), table_of(ClaimPayment)
_REM, _TS, _FILE = table_of(Remittance), table_of(TransactionSet), table_of(ReceivedFile)
_PLB = table_of(ProviderAdjustment)


def _claim_id(conn: Connection, item: Any) -> int | None:
    """The item's claim, else the claim its actions posted to (an applied payment)."""
    if item.submitted_claim_id is not None:
        return int(item.submitted_claim_id)
    found = conn.execute(select(_E.c.submitted_claim_id).where(
        _E.c.review_item_id == item.id, _E.c.submitted_claim_id.is_not(None))
        .order_by(_E.c.id)).scalar()
    return int(found) if found is not None else None


def _related(item: Any, claim_id: int | None) -> ColumnElement[bool]:
    """Which entries relate to the item: posted by it, touching its claim, posted by its
    claim payment (where held money came from); for an unlinked PLB, that PLB's entries;
    for another item on a whole remittance (held, unknown payee), the remittance's entries
    outside its claim payments.  Never everything without a claim: a packet is PHI leaving
    the system, and another payer's payment is none of its business."""
    condition: ColumnElement[bool] = _E.c.review_item_id == item.id
    if claim_id is not None:
        touched = select(_L.c.entry_id).where(_L.c.submitted_claim_id == claim_id)
        condition = or_(condition, _E.c.id.in_(touched))
    if item.claim_payment_id is not None:
        return or_(condition, _E.c.claim_payment_id == item.claim_payment_id)
    plb_id = plb_of(item)
    if plb_id is not None:
        plb_lines = select(_L.c.entry_id).where(_L.c.provider_adjustment_id == plb_id)
        return or_(condition, _E.c.id.in_(plb_lines))
    if item.remittance_id is not None and claim_id is None:
        return or_(condition, and_(_E.c.remittance_id == item.remittance_id,
                                   _E.c.claim_payment_id.is_(None)))
    return condition


def _lineage(conn: Connection, item: Any, claim_id: int | None) -> list[dict[str, Any]]:
    """The entries related to the item (see ``_related``), each with its lines and links."""
    entries = conn.execute(select(_E, _FILE.c.file_name)
                           .outerjoin(_FILE, _FILE.c.id == _E.c.source_file_id)
                           .where(_related(item, claim_id)).order_by(_E.c.id)).all()
    ids = [e.id for e in entries]
    reversed_by = dict(conn.execute(select(_E.c.reverses_entry_id, _E.c.id).where(
        _E.c.reverses_entry_id.in_(ids))).all()) if ids else {}
    lines: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(select(_L, _A.c.code).join(_A, _A.c.id == _L.c.account_id)
                            .where(_L.c.entry_id.in_(ids)).order_by(_L.c.entry_id, _L.c.ordinal)):
        lines.setdefault(row.entry_id, []).append({
            "account": row.code, "amount": format_cents(row.amount_cents),
            "payer_id": row.payer_id, "submitted_claim_id": row.submitted_claim_id,
            "group_code": row.group_code, "reason_code": row.reason_code})
    return [{"entry_id": e.id, "kind": e.kind, "effective_date": e.effective_date.isoformat(),
             "posted_at": e.posted_at.isoformat(sep=" ", timespec="seconds"), "actor": e.actor,
             "memo": e.memo, "reverses_entry_id": e.reverses_entry_id,
             "reversed_by_entry_id": reversed_by.get(e.id), "review_item_id": e.review_item_id,
             "claim_payment_id": e.claim_payment_id, "remittance_id": e.remittance_id,
             "source": {"file": e.file_name, "isa13": e.source_isa13, "st02": e.source_st02,
                        "segment": e.source_segment},
             "lines": lines.get(e.id, [])} for e in entries]


def _remittance(conn: Connection, item: Any, mask: bool) -> dict[str, Any] | None:
    remittance_id, cp = item.remittance_id, None
    if item.claim_payment_id is not None:
        cp = conn.execute(select(_CP).where(_CP.c.id == item.claim_payment_id)).one()
        remittance_id = cp.remittance_id
    if remittance_id is None:
        return None
    rem = conn.execute(select(_REM, _TS.c.segment_position.label("st_position"),
                              _TS.c.control_number, _FILE.c.file_name, _FILE.c.sha256)
                       .join(_TS, _TS.c.id == _REM.c.transaction_set_id)
                       .join(_FILE, _FILE.c.id == _TS.c.file_id)
                       .where(_REM.c.id == remittance_id)).one()
    whole = cp is None and item.kind == ReviewKind.BALANCING_FAILURE  # a held set is sent whole
    header_ends = frozenset({"SE"}) if whole else frozenset({"LX", "CLP", "PLB", "SE"})
    segments = file_segments(conn, rem.source_file_id, rem.st_position, header_ends,
                              mask=mask)
    if cp is not None:
        segments += file_segments(conn, cp.source_file_id, cp.source_segment,
                                   CLAIM_PAYMENT_ENDS, mask=mask)
    plb_id = plb_of(item)
    if plb_id is not None:  # its own PLB segment, not the other claims of the remittance
        plb = conn.execute(select(_PLB.c.source_file_id, _PLB.c.source_segment)
                           .where(_PLB.c.id == plb_id)).one()
        segments += file_segments(conn, plb.source_file_id, plb.source_segment, ONE_SEGMENT, 1,
                                   mask=mask)
    return {"remittance_id": rem.id, "file": rem.file_name, "file_sha256": rem.sha256,
            "st02": rem.control_number, "trace_number": rem.trace_number,
            "payment": format_cents(rem.payment_cents), "payment_date": _iso(rem.payment_date),
            "payer_name": rem.payer_name,
            "claim_payment": None if cp is None else {
                "id": cp.id, "patient_control_number": cp.patient_control_number,
                "status_code": cp.status_code, "charge": format_cents(cp.charge_cents),
                "paid": format_cents(cp.paid_cents), "posting_state": cp.posting_state,
                "payer_claim_control_number": cp.payer_claim_control_number},
            "segments": segments}


def _billed(conn: Connection, claim_id: int | None, mask: bool) -> dict[str, Any] | None:
    if claim_id is None:
        return None
    claim = conn.execute(select(_CLAIM, _FILE.c.file_name).outerjoin(
        _FILE, _FILE.c.id == _CLAIM.c.source_file_id).where(_CLAIM.c.id == claim_id)).one()
    return {"claim_id": claim.id, "file": claim.file_name, "st02": claim.source_st02,
            "segments": file_segments(conn, claim.source_file_id, claim.source_segment,
                                       BILLED_CLAIM_ENDS, mask=mask)}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_packet(conn: Connection, item_id: int, *, actor: str,
                 mask_phi: bool = False) -> dict[str, Any]:
    """The packet's content as one JSON-ready document (no permission check, no audit);
    ``mask_phi`` (``--mask-phi``): names, member IDs, birth dates and account numbers
    masked, in the raw segments too, as in every other output."""
    item = conn.execute(select(_ITEM).where(_ITEM.c.id == item_id)).first()
    if item is None:
        raise ActionError(f"no review item {item_id}")
    claim_id = _claim_id(conn, item)
    claim = pcn = None
    if claim_id is not None:
        pcn = conn.execute(select(_CLAIM.c.patient_control_number)
                           .where(_CLAIM.c.id == claim_id)).scalar_one()
        claim = claim_detail(conn, pcn, claim_id)
    refunds = conn.execute(select(table_of(Refund)).where(Refund.review_item_id == item_id))
    packet = {
        "packet": {"review_item_id": item_id, "generated_by": actor,
                   "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        "item": item_detail(conn, item_id),
        "claim": claim,
        "claim_history": claim_history(conn, pcn) if pcn else [],
        "ledger_lineage": _lineage(conn, item, claim_id),
        "remittance": _remittance(conn, item, mask_phi),
        "billed_claim_837": _billed(conn, claim_id, mask_phi),
        "refunds": [{"id": r.id, "payee": r.payee, "amount": format_cents(r.amount_cents),
                     "reason": r.reason, "approved_by": r.approved_by,
                     "journal_entry_id": r.journal_entry_id} for r in refunds],
        # what decides the item and the commands that finish it, as `queue show` has them
        "case": case_view(conn, item_id, mask_phi=mask_phi)["case"],
    }
    return mask_phi_in(packet) if mask_phi else packet


def write_packet(conn: Connection, item_id: int, path: Path, *, principal: Principal,
                 mask_phi: bool = False) -> str:
    """Write the zip (``export`` permission); record the export (and whether its PHI was
    masked); return its SHA-256."""
    actor = principal.name
    packet = build_packet(conn, item_id, actor=actor, mask_phi=mask_phi)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("packet.json", json.dumps(packet, indent=2, default=str))
        archive.writestr("packet.html", render_packet_html(packet))
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    path.write_bytes(data)
    item = conn.execute(select(_ITEM).where(_ITEM.c.id == item_id)).one()
    note = f"evidence packet exported ({path.name}, SHA-256 {digest[:12]})"
    details = {"sha256": digest, "bytes": len(data), "phi_masked": mask_phi}
    if principal.role is not None and Permission.RESOLVE not in MATRIX[principal.role]:
        # an auditor: the export is in the audit trail, the queue's history is not theirs
        # to write (`db grant --read-only` gives them INSERT on audit_events alone)
        record_event(conn, actor=actor, role=principal.role, action="queue.packet",
                     object_type="review_item", object_id=str(item.id), outcome=AuditOutcome.OK,
                     summary={"kind": item.kind, "details": details, "note": note})
    else:
        record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.PACKET,
                      note=note, details=details)
    return digest
