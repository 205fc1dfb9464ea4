"""Find billed claims the way a specialist asks for them (``claim find``): by the patient's
name, a member ID, the payer's claim number (CLP07), a PLB reference, a date of service or
an amount, the filters combined with AND.

Names and ids compare as :mod:`edi_posting.names` says (without case, spaces or
punctuation: ``o'neil, jean paul`` finds O'NEIL, JEAN-PAUL), through the name keys intake
stored.  Each row names the PCN and the claim id, which ``claim show PCN --claim-id ID``
takes when a PCN was billed more than once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    ClaimPayment,
    Coverage,
    Patient,
    Payer,
    ProviderAdjustment,
    SubmittedClaim,
)
from edi_posting.ledger import journal as ledger
from edi_posting.money import format_cents
from edi_posting.names import plain
from edi_posting.parties.identity import normalize_pcn

__all__ = ["ClaimQuery", "find_claims"]

_CLAIM, _CP, _PLB = table_of(SubmittedClaim), table_of(ClaimPayment), table_of(ProviderAdjustment)
_PUNCTUATION = (" ", "-", ".", "/", "'", ",", "_")


@dataclass(frozen=True, slots=True)
class ClaimQuery:
    """``claim find`` filters; each given one narrows the result (AND)."""

    name: str | None = None  # "LAST" or "LAST, FIRST" (a first name matches by its start)
    member_id: str | None = None  # the coverage's (837) or as the 835 sent it
    payer_claim_number: str | None = None  # CLP07 of a payment matched to the claim
    plb_reference: str | None = None  # PLB03-2 linked to the claim, or naming its PCN/CLP07
    service_from: dt.date | None = None  # the claim's service dates overlap this range
    service_to: dt.date | None = None
    amount_cents: int | None = None  # the claim's charge, or what a payment of it paid
    limit: int | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.name, self.member_id, self.payer_claim_number,
                                       self.plb_reference, self.service_from,
                                       self.service_to, self.amount_cents))


def find_claims(conn: Connection, query: ClaimQuery) -> list[dict[str, Any]]:
    """The matching claims, oldest first, with patient, payer, dates, money and status."""
    select_ = (select(_CLAIM, Patient.last_name, Patient.first_name,
                      Payer.name.label("payer_name"))
               .join(Patient, Patient.id == _CLAIM.c.patient_id)
               .outerjoin(Payer, Payer.id == _CLAIM.c.payer_id)
               .where(*_conditions(query)).order_by(_CLAIM.c.id))
    if query.limit is not None:
        select_ = select_.limit(query.limit)
    claims = conn.execute(select_).all()
    paid = _paid_by_claim(conn, [c.id for c in claims])
    balances = ledger.claims_balances(conn, [c.id for c in claims])
    return [_row(c, paid.get(c.id, 0), balances[c.id]) for c in claims]


def _conditions(query: ClaimQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.name is not None:
        conditions.append(_name_condition(query.name))
    if query.member_id is not None:
        conditions.append(_member_condition(plain(query.member_id)))
    if query.payer_claim_number is not None:
        conditions.append(_CLAIM.c.id.in_(select(_CP.c.submitted_claim_id).where(
            _CP.c.payer_claim_control_number == query.payer_claim_number.strip())))
    if query.plb_reference is not None:
        conditions.append(_plb_condition(query.plb_reference.strip()))
    if query.service_from is not None:
        conditions.append(func.coalesce(_CLAIM.c.statement_to, _CLAIM.c.statement_from)
                          >= query.service_from)
    if query.service_to is not None:
        conditions.append(_CLAIM.c.statement_from <= query.service_to)
    if query.amount_cents is not None:
        conditions.append(or_(_CLAIM.c.total_charge_cents == query.amount_cents,
                              _CLAIM.c.id.in_(select(_CP.c.submitted_claim_id).where(
                                  _CP.c.paid_cents == query.amount_cents))))
    return conditions


def _name_condition(text: str) -> Any:
    """``LAST`` or ``LAST, FIRST`` against the stored name keys (names.py rules)."""
    last, _, first = text.partition(",")
    condition = Patient.last_name_key == plain(last)
    if plain(first):
        condition = condition & Patient.first_name_key.startswith(plain(first))
    return condition


def _plain_column(column: Any) -> Any:
    """A column as :func:`edi_posting.names.plain` would write it (the usual punctuation)."""
    for mark in _PUNCTUATION:
        column = func.replace(column, mark, "")
    return func.upper(column)


def _member_condition(member: str) -> Any:
    covered = select(Coverage.id).where(_plain_column(Coverage.member_id) == member)
    paid = select(_CP.c.submitted_claim_id).where(
        _CP.c.submitted_claim_id.is_not(None),
        or_(_plain_column(_CP.c.member_id) == member,
            _plain_column(_CP.c.corrected_member_id) == member))
    return or_(_CLAIM.c.coverage_id.in_(covered), _CLAIM.c.id.in_(paid))


def _plb_condition(reference: str) -> Any:
    """Claims a PLB with this reference was linked to, or whose payment it names (a held
    payment is linked to no claim: the claims billed under its PCN), or, once some PLB
    carries the reference, whose PCN or CLP07 it is."""
    plb = select(_PLB).where(_PLB.c.reference_id == reference).subquery()
    linked = select(plb.c.linked_claim_id).where(plb.c.linked_claim_id.is_not(None))
    paid_pcns = select(func.upper(func.trim(_CP.c.patient_control_number))).where(
        _CP.c.id.in_(select(plb.c.linked_claim_payment_id)))
    by_clp07 = select(_CP.c.submitted_claim_id).where(
        _CP.c.payer_claim_control_number == reference, _CP.c.submitted_claim_id.is_not(None))
    named = select(plb.c.id).exists()
    return or_(_CLAIM.c.id.in_(linked), _CLAIM.c.pcn_normalized.in_(paid_pcns),
               named & (_CLAIM.c.id.in_(by_clp07)
                        | (_CLAIM.c.pcn_normalized == normalize_pcn(reference))))


def _paid_by_claim(conn: Connection, claim_ids: list[int]) -> dict[int, int]:
    paid: dict[int, int] = defaultdict(int)
    if claim_ids:
        for claim_id, cents in conn.execute(
                select(_CP.c.submitted_claim_id, func.sum(_CP.c.paid_cents))
                .where(_CP.c.submitted_claim_id.in_(claim_ids))
                .group_by(_CP.c.submitted_claim_id)):
            paid[claim_id] = int(cents)
    return paid


def _row(c: Any, paid_cents: int, balances: ledger.Balances) -> dict[str, Any]:
    return {
        "pcn": c.patient_control_number, "claim_id": c.id,
        "patient_name": f"{c.last_name}, {c.first_name}" if c.first_name else c.last_name,
        "payer": c.payer_name,
        "service_from": _iso(c.statement_from), "service_to": _iso(c.statement_to),
        "charge": format_cents(c.total_charge_cents), "paid": format_cents(paid_cents),
        "insurance_balance": format_cents(balances.insurance_cents),
        "patient_balance": format_cents(balances.patient_cents), "status": c.status,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
