"""A patient's payment (front desk, mail, online, card), applied to the account's claims.

The rule (README, "Payments without a remittance"), fixed so two people posting the same
payment get the same ledger:

1. a payment naming a claim goes to that claim's patient balance, all of it;
2. otherwise to the account's patient balances oldest first: earliest date of service,
   then the lowest claim id; each claim takes at most what the patient owes on it;
3. what is left (the payment was more than the patient owes) stays on the named claim,
   else on the account's most recent claim, as a patient credit balance, which the queue
   then owns (a ``credit_balance`` item, :func:`queue.credits.refresh_credit_balances`).

One ``patient_payment`` entry: Dr cash clearing the whole payment / Cr patient receivable
per claim.  Idempotent by (account, normalised reference, amount, date).  Runs in the
caller's transaction; never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import JournalLine, PatientAccount, SubmittedClaim
from edi_posting.db.payments import PaymentFrom, ReceivedStatus
from edi_posting.db.races import lock_claims
from edi_posting.ledger.journal import EntryDraft, Posting, account_ids, write_entries
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.payments.received import (
    PaymentError,
    PaymentRecord,
    Received,
    identity_key,
    received_before,
    store_received,
)
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.records.states import SubmissionStatus

__all__ = ["PatientBalance", "account_named", "allocate", "patient_balances",
           "post_patient_payment"]

_ACCOUNT, _CLAIM, _LINE = table_of(PatientAccount), table_of(SubmittedClaim), table_of(JournalLine)


@dataclass(frozen=True, slots=True)
class PatientBalance:
    """What the patient owes on one active claim of the account (negative: a credit)."""

    claim_id: int
    pcn: str
    service_date: dt.date | None
    patient_cents: int


def account_named(conn: Connection, account_number: str) -> Any:
    row = conn.execute(select(_ACCOUNT).where(
        _ACCOUNT.c.account_number == account_number.strip())).first()
    if row is None:
        raise PaymentError(f"no patient account {account_number.strip()!r} (`edi-posting "
                           "claim find` shows a claim's account)")
    return row


def patient_balances(conn: Connection, account_id: int) -> list[PatientBalance]:
    """The account's active claims in the order payments apply: oldest date of service,
    then claim id (a claim without a date of service last)."""
    patient = account_ids(conn)[AccountCode.PATIENT_AR]
    owed = (select(_LINE.c.submitted_claim_id, func.sum(_LINE.c.amount_cents).label("cents"))
            .where(_LINE.c.account_id == patient, _LINE.c.patient_account_id == account_id)
            .group_by(_LINE.c.submitted_claim_id).subquery())
    rows = conn.execute(
        select(_CLAIM.c.id, _CLAIM.c.patient_control_number, _CLAIM.c.statement_from,
               func.coalesce(owed.c.cents, 0))
        .outerjoin(owed, owed.c.submitted_claim_id == _CLAIM.c.id)
        .where(_CLAIM.c.patient_account_id == account_id,
               _CLAIM.c.status == SubmissionStatus.ACTIVE)).all()
    balances = [PatientBalance(int(i), pcn, dos, int(c)) for i, pcn, dos, c in rows]
    return sorted(balances, key=lambda b: (b.service_date or dt.date.max, b.claim_id))


def allocate(balances: list[PatientBalance], cents: int, named: int | None
             ) -> list[tuple[int, int]]:
    """(claim id, cents) the payment credits, by the module's rule; sums to ``cents``."""
    if named is not None:
        return [(named, cents)]
    parts: dict[int, int] = {}
    left = cents
    for balance in balances:
        take = min(max(balance.patient_cents, 0), left)
        if take:
            parts[balance.claim_id] = take
            left -= take
    if left:
        newest = max(balances, key=lambda b: (b.service_date or dt.date.min, b.claim_id))
        parts[newest.claim_id] = parts.get(newest.claim_id, 0) + left
    return list(parts.items())


def _named_claim(balances: list[PatientBalance], pcn: str | None, account: str) -> int | None:
    if pcn is None or not pcn.strip():
        return None
    found = [b.claim_id for b in balances if normalize_pcn(b.pcn) == normalize_pcn(pcn)]
    if not found:
        raise PaymentError(f"claim {pcn.strip()} is no active claim of account {account}")
    return found[-1]


def post_patient_payment(conn: Connection, account: Any, claim_pcn: str | None,
                         record: PaymentRecord, actor: str) -> Received:
    """Post one patient payment (see the module docstring for where it goes)."""
    key = identity_key(PaymentFrom.PATIENT, account.id, record)
    said = (f"{record.method} {record.reference.strip()} of {format_cents(record.amount_cents)}"
            f" on account {account.account_number} ({record.received_date.isoformat()})")
    received_before(conn, key, f"patient payment {said}")
    # the claims locked first, then their balances read: a concurrent posting on them is
    # seen, not applied over (PostgreSQL; SQLite writers hold the whole database)
    lock_claims(conn, [b.claim_id for b in patient_balances(conn, account.id)])
    balances = patient_balances(conn, account.id)
    if not balances:
        raise PaymentError(f"account {account.account_number} has no active claim to hold "
                           "the payment")
    named = _named_claim(balances, claim_pcn, account.account_number)
    parts = allocate(balances, record.amount_cents, named)
    owed = {b.claim_id: max(b.patient_cents, 0) for b in balances}
    credit = sum(max(cents - owed[claim], 0) for claim, cents in parts)
    dims = {"patient_account_id": account.id}
    [entry_id] = write_entries(conn, [EntryDraft(
        f"payment:{key}", EntryKind.PATIENT_PAYMENT, record.received_date,
        (Posting(AccountCode.CASH_CLEARING, record.amount_cents, **dims),
         *(Posting(AccountCode.PATIENT_AR, -cents, submitted_claim_id=claim, **dims)
           for claim, cents in parts)),
        memo=f"patient payment {said}", source_file_id=record.file_id,
        submitted_claim_id=named)], actor)
    opened = refresh_credit_balances(conn, [c for c, _ in parts], actor=actor,
                                     cause=f"patient payment {said}", entry_id=entry_id)
    payment_id = store_received(conn, record, key, paid_by=PaymentFrom.PATIENT,
                                patient_account_id=account.id, submitted_claim_id=named,
                                received_by=actor, status=ReceivedStatus.APPLIED,
                                journal_entry_id=entry_id,
                                review_item_id=opened[0] if opened else None)
    pcns = {b.claim_id: b.pcn for b in balances}
    applied = "; ".join(f"{format_cents(c)} to {pcns[claim]}" for claim, c in parts)
    extra = f"; {format_cents(credit)} left as a patient credit balance" if credit else ""
    return Received(payment_id, entry_id, opened[0] if opened else None,
                    record.amount_cents - credit, credit,
                    f"payment {payment_id}: patient payment {said}: {applied}{extra}")
