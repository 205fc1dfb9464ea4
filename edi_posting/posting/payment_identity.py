"""Which payment an 835 transaction set is: its identity key, and what differs when the
same identity comes back with other content.

One payment is one payer (TRN03, else the N1*PR name) and one trace number (TRN02, the
check or EFT number the bank reassociates on).  The key names nothing else: not the
set's ST02, its interchange, or its position in a file, so a set re-sent anywhere (a
second interchange of the same file, a concatenated batch, a new file) is the same
payment.  Its content (``content_sha256``, ST02 left out) tells a true resend
(``already_imported``) from a changed one: the same payer and trace number with another
BPR02, BPR16 or claim is a ``duplicate_conflict`` for a specialist, never a second post.
A set without TRN02 has no reassociation key: BPR02 and BPR16 stand in for it.

Keys stored before migration 0008 carried BPR02, BPR16 and the occurrence in the file;
the migration rewrote them (see ``migrations/versions/0008_set_identity.py``), keeping the
rows the old key let through twice under ``<key>|legacy:<id>``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import ClaimPayment, ProviderAdjustment, Remittance, TransactionSet
from edi_posting.money import format_cents
from edi_posting.records.states import SetKind
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["LEGACY_SUFFIX", "other_form", "remittance_key", "set_differences", "set_summary"]

LEGACY_SUFFIX = "|legacy:"  # rows sharing a key since migration 0008: <key>|legacy:<id>
_REMIT, _CP, _PLB = table_of(Remittance), table_of(ClaimPayment), table_of(ProviderAdjustment)
_TS = table_of(TransactionSet)
# the two forms of one payment: an 835 and a paper EOB keyed from the same check
_OTHER_FORM = {SetKind.REMITTANCE: SetKind.KEYED_EOB, SetKind.KEYED_EOB: SetKind.REMITTANCE}


def remittance_key(read: RemittanceSetRead) -> str:
    """Payer (TRN03, else N1*PR name) and TRN02: what makes one payment one payment."""
    h = read.header
    payer = (h.trace.originator_id if h.trace and h.trace.originator_id else None) or (
        h.payer.name if h.payer and h.payer.name else "")
    trace = (h.trace.trace_number if h.trace else "").strip()
    if trace:
        return f"835|{payer.strip()}|{trace}"
    p = h.payment
    return (f"835|{payer.strip()}||{p.amount_cents if p else ''}|"
            f"{p.date.isoformat() if p and p.date else ''}")


def other_form(conn: Connection, read: RemittanceSetRead, kind: SetKind) -> int | None:
    """The transaction set that already posted this payment in the other form (an 835 of a
    check keyed from paper, or the paper keyed after its 835): the same check or trace
    number for the same amount.  Their identity keys differ (an 835 names its payer by
    TRN03, a keyer by the payer's ID or name), so without this the money would post twice."""
    other, p, t = _OTHER_FORM.get(kind), read.header.payment, read.header.trace
    if other is None or p is None or t is None or not t.trace_number.strip():
        return None
    found = conn.execute(
        select(_TS.c.id).join(_REMIT, _REMIT.c.transaction_set_id == _TS.c.id)
        .where(_REMIT.c.trace_number == t.trace_number.strip(),
               _REMIT.c.payment_cents == p.amount_cents, _TS.c.kind == other)
        .order_by(_TS.c.id)).scalar()
    return int(found) if found is not None else None


def set_summary(read: RemittanceSetRead) -> dict[str, Any]:
    """The fields a specialist compares between two sets sharing an identity."""
    p, payee = read.header.payment, read.header.payee
    return _summary(
        p.handling_code if p else None, p.amount_cents if p else None,
        p.credit_debit if p else None, p.method_code if p else None,
        p.date if p else None, payee.identifier if payee else None, len(read.claims),
        sum(c.charge_cents for c in read.claims), sum(c.paid_cents for c in read.claims),
        sum(a.amount_cents for a in read.end.provider_adjustments))


def stored_summary(conn: Connection, ts_id: int) -> dict[str, Any]:
    """:func:`set_summary` of a stored transaction set (its remittance rows)."""
    r = conn.execute(select(_REMIT).where(_REMIT.c.transaction_set_id == ts_id)).first()
    if r is None:
        return _summary(None, None, None, None, None, None, 0, 0, 0, 0)
    claims = conn.execute(select(func.count(), func.coalesce(func.sum(_CP.c.charge_cents), 0),
                                 func.coalesce(func.sum(_CP.c.paid_cents), 0))
                          .where(_CP.c.remittance_id == r.id)).one()
    plb = conn.execute(select(func.coalesce(func.sum(_PLB.c.amount_cents), 0))
                       .where(_PLB.c.remittance_id == r.id)).scalar_one()
    return _summary(r.handling_code, r.payment_cents, r.credit_debit, r.payment_method,
                    r.payment_date, r.payee_identifier, int(claims[0]), int(claims[1]),
                    int(claims[2]), int(plb))


def set_differences(conn: Connection, ts_id: int, read: RemittanceSetRead
                    ) -> dict[str, dict[str, Any]]:
    """Field by field, where the received set differs from the stored one."""
    stored, received = stored_summary(conn, ts_id), set_summary(read)
    return {name: {"stored": stored[name], "received": received[name]}
            for name in received if stored[name] != received[name]}


def _summary(handling: str | None, amount: int | None, credit_debit: str | None,
             method: str | None, date: Any, payee: str | None, claims: int,
             charge: int, paid: int, plb: int) -> dict[str, Any]:
    return {
        "BPR01": handling, "BPR02": None if amount is None else format_cents(amount),
        "BPR03": credit_debit, "BPR04": method,
        "BPR16": date.isoformat() if date is not None else None, "N1*PE": payee,
        "claims": claims, "charge_total": format_cents(charge),
        "paid_total": format_cents(paid), "plb_total": format_cents(plb),
    }
