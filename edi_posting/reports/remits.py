"""Remittances as a specialist looks them up: one row per check or EFT (``remit list``),
one of them whole (``remit show``).  The claim payments that adjudicated one claim, for ``claim show``, are
in :mod:`edi_posting.reports.adjudications`.

Read-only; plain dicts with amounts as signed two-decimal strings.  What was paid is read
from the 835's stored rows (as sent); what it did is its ``posting_state`` and the review
items it raised, so a denial, which posts nothing, is listed like any payment.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    Payer,
    ProviderAdjustment,
    ReceivedFile,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.keyed.template import KEYED_KIND
from edi_posting.money import format_cents
from edi_posting.reconciliation.matches import remittance_deposits
from edi_posting.records.states import PostingState
from edi_posting.reports.views import NotFoundError

__all__ = ["AmbiguousRemittanceError", "RemitQuery", "list_remittances", "remit_conditions",
           "remittance_detail", "resolve_remittance"]

_REMIT, _CP, _ITEM = table_of(Remittance), table_of(ClaimPayment), table_of(ReviewItem)
_CAS = table_of(Adjustment)
_PLB, _CLAIM = table_of(ProviderAdjustment), table_of(SubmittedClaim)

# what a claim payment's state means for the remittance's counts
POSTED_STATES = frozenset({PostingState.POSTED, PostingState.REVERSAL, PostingState.REVERSED,
                           PostingState.REVERSED_AWAITING_CORRECTION, PostingState.APPLIED})
HELD_STATES = frozenset({PostingState.HELD, PostingState.UNMATCHED, PostingState.DUPLICATE})


class AmbiguousRemittanceError(LookupError):
    """A key names several remittances (a trace number sent twice, or one that is also
    another remittance's id): the message lists their ids, which are unique."""


@dataclass(frozen=True, slots=True)
class RemitQuery:
    """``remit list`` filters, all optional and combined with AND."""

    payer: str | None = None  # part of the payer's name, or its identifier
    paid_from: dt.date | None = None  # BPR16 on or after
    paid_to: dt.date | None = None  # BPR16 on or before
    trace: str | None = None  # TRN02, exactly
    amount_cents: int | None = None  # BPR02, exactly
    limit: int | None = None


def list_remittances(conn: Connection, query: RemitQuery) -> list[dict[str, Any]]:
    """One row per remittance, by payment date then id."""
    select_ = (select(_REMIT, Payer.name.label("our_payer_name"))
               .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
               .where(*remit_conditions(query)).order_by(_REMIT.c.payment_date, _REMIT.c.id))
    if query.limit is not None:
        select_ = select_.limit(query.limit)
    remits = conn.execute(select_).all()
    states = _state_counts(conn, [r.id for r in remits])
    items = _item_counts(conn, [r.id for r in remits])
    return [_list_row(r, states.get(r.id, Counter()), items.get(r.id, 0)) for r in remits]


def remit_conditions(query: RemitQuery) -> list[Any]:
    """The WHERE conditions of a query over remittances joined (outer) to ``payers``;
    ``remit list`` and the ERA report filter alike."""
    conditions: list[Any] = []
    if query.payer:
        pattern = f"%{query.payer.lower()}%"
        conditions.append(or_(func.lower(Payer.name).like(pattern),
                              func.lower(_REMIT.c.payer_name).like(pattern),
                              Payer.primary_identifier == query.payer))
    if query.paid_from is not None:
        conditions.append(_REMIT.c.payment_date >= query.paid_from)
    if query.paid_to is not None:
        conditions.append(_REMIT.c.payment_date <= query.paid_to)
    if query.trace:
        conditions.append(_REMIT.c.trace_number == query.trace)
    if query.amount_cents is not None:
        conditions.append(_REMIT.c.payment_cents == query.amount_cents)
    return conditions


def _state_counts(conn: Connection, ids: list[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    if ids:
        rows = conn.execute(select(_CP.c.remittance_id, _CP.c.posting_state, func.count())
                            .where(_CP.c.remittance_id.in_(ids))
                            .group_by(_CP.c.remittance_id, _CP.c.posting_state))
        for remittance_id, state, count in rows:
            counts[remittance_id][state] += count
    return counts


def _item_counts(conn: Connection, ids: list[int]) -> dict[int, int]:
    """Review items raised by each remittance: on the set, or on one of its claims."""
    if not ids:
        return {}
    owner = func.coalesce(_ITEM.c.remittance_id, _CP.c.remittance_id)
    rows = conn.execute(select(owner, func.count(func.distinct(_ITEM.c.id)))
                        .outerjoin(_CP, _CP.c.id == _ITEM.c.claim_payment_id)
                        .where(owner.in_(ids)).group_by(owner))
    return {remittance_id: count for remittance_id, count in rows}


def _list_row(r: Any, states: Counter[str], items: int) -> dict[str, Any]:
    return {
        "id": r.id, "payment_date": _iso(r.payment_date),
        "payer": r.our_payer_name or r.payer_name, "amount": format_cents(r.payment_cents),
        "method": r.payment_method, "trace": r.trace_number,
        "claims": sum(states.values()),
        "posted": sum(n for s, n in states.items() if s in POSTED_STATES),
        "held": sum(n for s, n in states.items() if s in HELD_STATES),
        "denied": states.get(PostingState.DENIED, 0), "items": items,
    }


def resolve_remittance(conn: Connection, key: str) -> int:
    """The remittance ``key`` names: its trace number (TRN02) or its id."""
    condition = _REMIT.c.trace_number == key.strip()
    if key.strip().isdigit():
        condition = or_(condition, _REMIT.c.id == int(key.strip()))
    ids = sorted(conn.execute(select(_REMIT.c.id).where(condition)).scalars())
    if not ids:
        raise NotFoundError(f"no remittance with id or trace number {key!r}")
    if len(ids) > 1:
        raise AmbiguousRemittanceError(
            f"{key!r} names {len(ids)} remittances (ids {', '.join(map(str, ids))}): "
            "give the id")
    return int(ids[0])


def remittance_detail(conn: Connection, key: str) -> dict[str, Any]:
    """One check or EFT whole: BPR, TRN, payer, payee, claims, PLB, items, its source."""
    remittance_id = resolve_remittance(conn, key)
    r = conn.execute(select(_REMIT, Payer.name.label("our_payer_name"),
                            Payer.primary_identifier, ReceivedFile.file_name,
                            ReceivedFile.sha256, ReceivedFile.kind.label("file_kind"),
                            ReceivedFile.received_by)
                     .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
                     .outerjoin(ReceivedFile, ReceivedFile.id == _REMIT.c.source_file_id)
                     .where(_REMIT.c.id == remittance_id)).one()
    return {
        "id": r.id, "status": r.status, "bpr": _bpr(r), "trn": _trn(r),
        "production_date": _iso(r.production_date),
        "payer": {"id": r.payer_id, "name": r.our_payer_name, "identifier": r.primary_identifier,
                  "name_as_sent": r.payer_name},
        "payee": {"name": r.payee_name, "identifier": r.payee_identifier},
        "claims": _claims_of(conn, remittance_id),
        "provider_adjustments": _plb(conn, remittance_id),
        "review_items": _items_raised(conn, remittance_id),
        "deposits": remittance_deposits(conn, remittance_id),  # the bank lines that met it
        "source": {"transaction_set_id": r.transaction_set_id, "file_id": r.source_file_id,
                   "file_name": r.file_name, "sha256": r.sha256,
                   "isa13": r.source_isa13, "st02": r.source_st02, "segment": r.source_segment,
                   **_keyed(r)},
    }


def _keyed(r: Any) -> dict[str, Any]:
    """A keyed paper EOB's check: where its first row is and who keyed it."""
    if r.file_kind != KEYED_KIND:
        return {}
    return {"form": "keyed", "row": r.source_segment, "keyed_by": r.received_by}


def _bpr(r: Any) -> dict[str, Any]:
    return {"handling_code": r.handling_code, "amount": format_cents(r.payment_cents),
            "credit_debit": r.credit_debit, "method": r.payment_method,
            "format": r.payment_format, "payment_date": _iso(r.payment_date),
            "sender_dfi_id": r.sender_dfi_id, "receiver_dfi_id": r.receiver_dfi_id}


def _trn(r: Any) -> dict[str, Any]:
    return {"trace_number": r.trace_number, "originator": r.trace_originator,
            "supplemental": r.trace_supplemental}


def _claims_of(conn: Connection, remittance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(_CP, _CLAIM.c.patient_control_number.label("claim_pcn"))
                        .outerjoin(_CLAIM, _CLAIM.c.id == _CP.c.submitted_claim_id)
                        .where(_CP.c.remittance_id == remittance_id).order_by(_CP.c.ordinal))
    payments = rows.all()
    totals = _adjustment_totals(conn, [p.id for p in payments])
    return [{
        "ordinal": p.ordinal, "claim_payment_id": p.id, "pcn": p.patient_control_number,
        "claim_id": p.submitted_claim_id, "matched_pcn": p.claim_pcn,
        "patient_name": _name(p.patient_last_name, p.patient_first_name),
        "member_id": p.member_id, "status_code": p.status_code,
        "charge": format_cents(p.charge_cents), "paid": format_cents(p.paid_cents),
        "patient": format_cents(p.patient_responsibility_cents or 0),
        "adjustment": format_cents(totals.get(p.id, 0)),
        "payer_claim_number": p.payer_claim_control_number, "posting_state": p.posting_state,
    } for p in payments]


def _adjustment_totals(conn: Connection, payment_ids: list[int]) -> dict[int, int]:
    if not payment_ids:
        return {}
    rows = conn.execute(select(_CAS.c.claim_payment_id, func.sum(_CAS.c.amount_cents))
                        .where(_CAS.c.claim_payment_id.in_(payment_ids))
                        .group_by(_CAS.c.claim_payment_id))
    return {payment_id: int(total) for payment_id, total in rows}


def _plb(conn: Connection, remittance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(_PLB, _CLAIM.c.patient_control_number.label("claim_pcn"))
                        .outerjoin(_CLAIM, _CLAIM.c.id == _PLB.c.linked_claim_id)
                        .where(_PLB.c.remittance_id == remittance_id).order_by(_PLB.c.ordinal))
    return [{"ordinal": p.ordinal, "provider": p.provider_identifier,
             "fiscal_period": _iso(p.fiscal_period_date), "reason": p.reason_code,
             "reference": p.reference_id, "amount": format_cents(p.amount_cents),
             "claim_id": p.linked_claim_id, "claim_pcn": p.claim_pcn} for p in rows]


def _items_raised(conn: Connection, remittance_id: int) -> list[dict[str, Any]]:
    payments = select(_CP.c.id).where(_CP.c.remittance_id == remittance_id)
    rows = conn.execute(
        select(_ITEM, _CLAIM.c.patient_control_number.label("claim_pcn"),
               _CP.c.patient_control_number.label("paid_pcn"))
        .outerjoin(_CLAIM, _CLAIM.c.id == _ITEM.c.submitted_claim_id)
        .outerjoin(_CP, _CP.c.id == _ITEM.c.claim_payment_id)
        .where(or_(_ITEM.c.remittance_id == remittance_id,
                   _ITEM.c.claim_payment_id.in_(payments)))
        .order_by(_ITEM.c.id))
    return [{"id": i.id, "kind": i.kind, "status": i.status,
             "amount": format_cents(i.amount_cents), "pcn": i.claim_pcn or i.paid_pcn,
             "message": i.message} for i in rows]


def _name(last: str | None, first: str | None) -> str | None:
    if not last:
        return None
    return f"{last}, {first}" if first else last


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
