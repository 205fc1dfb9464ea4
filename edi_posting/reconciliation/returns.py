"""Returned items: a deposited check that bounced (BAI2 555), an ACH credit reversed (451,
466) or a CSV line flagged returned takes money back out of the bank.

The return line is tied to what it returns by its trace: the deposited receipt of that
trace (a remittance, or a payment received without remittance by its reference), else the
deposit of that trace and what it met.  Then, as new entries linked to a
``returned_item`` review item (kind ``deposit_return``), never by editing anything:

1. each standing ``deposit`` entry that met the remittance is reversed (Dr cash clearing /
   Cr bank): the bank side of the payment is gone and the match no longer stands;
2. the remittance's cash posted to claims is taken back (Dr insurance receivable / Cr cash
   clearing, on each claim payment's claim and payer): the claims' balances are open again;
   a received payment's own entry is reversed instead (:mod:`.payment_returns`).

A return that cannot be tied exactly (no such trace, or amounts that differ) posts nothing
and opens the item saying so.  A chargeback won later re-posts both (``chargeback-won``,
:mod:`edi_posting.review.deposits`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import Deposit, DepositMatch, JournalEntry, JournalLine, ReviewItem
from edi_posting.db.workflow import DepositMatchMethod, ReceiptKind
from edi_posting.ledger.journal import (
    EntryDraft,
    Posting,
    account_ids,
    reversal_drafts,
    write_entries,
)
from edi_posting.money import format_cents
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.reconciliation.payment_returns import (
    follow_payments,
    reopened_payments,
    returnable,
)
from edi_posting.reconciliation.receipts import (
    RECEIVED_KINDS,
    ReceiptKey,
    awaiting_receipts,
    standing,
)
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind

__all__ = ["process_returns", "reopened_cash"]

_D, _M, _I = table_of(Deposit), table_of(DepositMatch), table_of(ReviewItem)
_E, _L = table_of(JournalEntry), table_of(JournalLine)


def _returned_receipts(conn: Connection, trace: str | None) -> list[ReceiptKey]:
    """The receipts (remittances, received payments) a return's trace names: deposited ones
    by their own trace, else by the deposit of that trace and what it met."""
    if not trace:
        return []
    direct = [r.key for r in awaiting_receipts(conn, only_open=False, kinds=RECEIVED_KINDS)
              if r.trace_key == trace]
    deposited = {(str(k), int(i)) for k, i in conn.execute(
        select(_M.c.receipt_kind, _M.c.receipt_id).where(standing()))}
    if [key for key in direct if key in deposited]:
        return [key for key in direct if key in deposited]
    if direct:
        return direct
    deposits = conn.execute(select(_D.c.id).where(_D.c.trace_number == trace,
                                                  _D.c.amount_cents > 0)).scalars().all()
    return sorted({(str(k), int(i)) for k, i in conn.execute(
        select(_M.c.receipt_kind, _M.c.receipt_id).where(
            among(_M.c.deposit_id, list(deposits)),
            _M.c.receipt_kind.in_(list(RECEIVED_KINDS)), standing()))}) if deposits else []


def _standing_matches(conn: Connection, receipts: Sequence[ReceiptKey]) -> list[Any]:
    wanted = set(receipts)
    return [m for m in conn.execute(select(_M).where(
        among(_M.c.receipt_id, sorted({i for _, i in receipts})),
        _M.c.method != DepositMatchMethod.VARIANCE, standing()).order_by(_M.c.id))
        if (m.receipt_kind, m.receipt_id) in wanted]


def reopened_cash(conn: Connection, receipts: Sequence[int], key: str, day: dt.date,
                  item_id: int) -> list[EntryDraft]:
    """Per claim payment the remittances posted to a claim: its cash back onto the claim's
    insurance receivable with the payer it credited (Dr insurance AR / Cr cash clearing)."""
    cash, insurance = (account_ids(conn)[c] for c in (AccountCode.CASH_CLEARING,
                                                        AccountCode.INSURANCE_AR))
    rows = conn.execute(
        select(_E.c.claim_payment_id, _L.c.submitted_claim_id, _L.c.patient_account_id,
               func.sum(_L.c.amount_cents).label("cents"))
        .join(_L, _L.c.entry_id == _E.c.id)
        .where(among(_E.c.remittance_id, list(receipts)), _E.c.kind == EntryKind.PAYMENT,
               _L.c.account_id == cash, _L.c.submitted_claim_id.is_not(None))
        .group_by(_E.c.claim_payment_id, _L.c.submitted_claim_id, _L.c.patient_account_id)
        .order_by(_E.c.claim_payment_id)).all()
    drafts = []
    for row in rows:
        payer = conn.execute(select(_L.c.payer_id).join(_E, _E.c.id == _L.c.entry_id).where(
            _E.c.claim_payment_id == row.claim_payment_id, _L.c.account_id == insurance,
            _E.c.kind == EntryKind.PAYMENT).limit(1)).scalar()
        dims = {"patient_account_id": row.patient_account_id,
                "submitted_claim_id": row.submitted_claim_id}
        drafts.append(EntryDraft(
            f"{key}:reopen:{row.claim_payment_id}", EntryKind.DEPOSIT_RETURN, day,
            (Posting(AccountCode.INSURANCE_AR, int(row.cents), payer_id=payer, **dims),
             Posting(AccountCode.CASH_CLEARING, -int(row.cents), **dims)),
            memo=f"returned item: {format_cents(int(row.cents))} of claim payment "
                 f"{row.claim_payment_id} open again", claim_payment_id=row.claim_payment_id,
            submitted_claim_id=row.submitted_claim_id, review_item_id=item_id))
    return drafts


def _item(line: Any, receipts: Sequence[ReceiptKey], tied: bool, why: str) -> ReviewDraft:
    amount = -int(line.amount_cents)
    what = (f"returned item {line.bank_reference or line.id} of {line.deposit_date} "
            f"({format_cents(amount)}, type {line.type_code or 'flagged'}, "
            f"'{line.description or ''}')")
    remittances = [i for k, i in receipts if k == ReceiptKind.REMITTANCE]
    named = (f"remittance {', '.join(map(str, remittances))} reversed and its claims'"
             if len(remittances) == len(receipts) else
             f"{', '.join(f'{k} {i}' for k, i in receipts)} reversed and the")
    text = (f"{what}: the deposit of {named} balances open again" if tied
            else f"{what}: {why}; work it by hand")
    return ReviewDraft(f"returned_item:{line.id}", ReviewKind.RETURNED_ITEM, text, amount, 1,
                       ProblemCode.RETURNED_ITEM,
                       {"deposit_id": line.id, "receipts": [i for _, i in receipts],
                        "receipt_kinds": [k for k, _ in receipts], "tied": tied},
                       remittance_id=remittances[0] if remittances else None,
                       deposit_id=line.id)


def _one(conn: Connection, line: Any, actor: str) -> int:
    receipts = _returned_receipts(conn, line.trace_number)
    matches = _standing_matches(conn, receipts) if receipts else []
    met = sum(m.amount_cents for m in matches)
    why = ("no deposited remittance has its trace" if not matches else
           f"it returns {format_cents(-line.amount_cents)}, the deposits met "
           f"{format_cents(met)}")
    refused = returnable(conn, [i for k, i in receipts if k == ReceiptKind.PAYMENT])
    why = refused or why
    tied = bool(matches) and met == -line.amount_cents and refused is None
    [item_id] = open_review_items(conn, [_item(line, receipts, tied, why)], actor) or [0]
    if not item_id:
        return 0
    if not tied:
        return 1
    key = f"return:{line.id}"
    template = EntryDraft("", EntryKind.DEPOSIT_RETURN, line.deposit_date, (),
                          review_item_id=item_id)
    drafts = reversal_drafts(conn, [m.journal_entry_id for m in matches],
                             kind=EntryKind.DEPOSIT_RETURN, key_suffix=key,
                             effective_date=line.deposit_date, template=template)
    payments = [i for k, i in receipts if k == ReceiptKind.PAYMENT]
    remittances = [i for k, i in receipts if k == ReceiptKind.REMITTANCE]
    drafts += reopened_cash(conn, remittances, key, line.deposit_date, item_id)
    drafts += reopened_payments(conn, payments, key, line.deposit_date, item_id)
    write_entries(conn, drafts, actor)
    follow_payments(conn, payments, item_id, actor)
    return 1


def process_returns(conn: Connection, *, actor: str, date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> int:
    """Every returned item of the range not handled yet; how many were queued (tied ones
    posted)."""
    handled = set(conn.execute(select(_I.c.deposit_id).where(
        _I.c.kind == ReviewKind.RETURNED_ITEM)).scalars())
    query = select(_D).where(_D.c.is_return.is_(True))
    if date_from is not None:
        query = query.where(_D.c.deposit_date >= date_from)
    if date_to is not None:
        query = query.where(_D.c.deposit_date <= date_to)
    return sum(_one(conn, line, actor) for line in conn.execute(query.order_by(_D.c.id)).all()
               if line.id not in handled)
