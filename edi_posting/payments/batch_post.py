"""The rows of a payment CSV posted, each as its command would post it.

A patient-payment row is ``payment post``.  A lockbox row goes, in this order:

1. its remitter is a payer we know (identifier, an identifier an 835 used, or whole
   name): received as ``payment receive`` does, awaiting its remittance;
2. its reference is a patient account number, or a claim's PCN: a patient payment to
   that account (and claim);
3. otherwise: unapplied, on no payer, with an ``awaiting_remittance`` item for a person
   to apply or return (a WARNING ``PAYMENT_UNAPPLIED`` says so).

A row received before (the same identity) is skipped with a WARNING; a row naming an
account or claim we do not hold is an ERROR with its row and column, and the caller rolls
the whole file back.  Runs in the caller's transaction; never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.models import PatientAccount, SubmittedClaim
from edi_posting.parties.identity import normalize_pcn
from edi_posting.payments.batch_files import PaymentFileKind, PaymentRow, row_problem
from edi_posting.payments.patients import account_named, post_patient_payment
from edi_posting.payments.received import (
    PaymentAlreadyReceivedError,
    PaymentError,
    PaymentRecord,
    Received,
    find_payer_named,
    receive_payer_payment,
)
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.states import SubmissionStatus

__all__ = ["BatchOutcome", "post_payment_rows"]

_ACCOUNT, _CLAIM = table_of(PatientAccount), table_of(SubmittedClaim)


@dataclass
class BatchOutcome:
    """What a file's rows did: counts and cents for the import's summary, and problems."""

    posted: int = 0
    queued: int = 0
    payment_cents: int = 0
    unapplied_cents: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.severity is not Severity.WARNING for p in self.problems)


def post_payment_rows(conn: Connection, kind: PaymentFileKind, rows: list[PaymentRow],
                      where: tuple[Path, str, int], actor: str) -> BatchOutcome:
    """Post every row (``where``: the file's path, SHA-256 and id); the caller rolls back
    when the outcome has errors."""
    path, sha256, file_id = where
    outcome = BatchOutcome()
    post = _patient if kind == PaymentFileKind.PATIENT_PAYMENTS else _lockbox
    for row in rows:
        record = PaymentRecord(row.amount_cents, row.reference, row.received_date, row.method,
                               row.remitter, file_id, row.row)
        try:
            received, column = post(conn, row, record, actor, outcome, (path, sha256))
        except PaymentAlreadyReceivedError as exc:
            outcome.problems.append(row_problem(
                path, sha256, row.row, "reference", f"{exc}; the row is skipped",
                ProblemCode.PAYMENT_ALREADY_RECEIVED, Severity.WARNING))
            continue
        except PaymentError as exc:
            column = "claim" if str(exc).startswith("claim ") else _column(kind)
            outcome.problems.append(row_problem(path, sha256, row.row, column, str(exc),
                                                ProblemCode.PAYMENT_ROW_UNKNOWN))
            continue
        outcome.posted += 1
        outcome.payment_cents += row.amount_cents
        outcome.queued += received.review_item_id is not None
        if column == "unapplied":
            outcome.unapplied_cents += row.amount_cents
    return outcome


def _column(kind: PaymentFileKind) -> str:
    return "account" if kind == PaymentFileKind.PATIENT_PAYMENTS else "reference"


def _patient(conn: Connection, row: PaymentRow, record: PaymentRecord, actor: str,
             outcome: BatchOutcome, at: tuple[Path, str]) -> tuple[Received, str]:
    if row.account:
        account = account_named(conn, row.account)
    else:  # the claim names the account
        account, _ = _patient_target(conn, row.claim)
        if account is None:
            raise PaymentError(f"claim {row.claim} is no active claim we hold")
    return post_patient_payment(conn, account, row.claim, record, actor), "applied"


def _lockbox(conn: Connection, row: PaymentRow, record: PaymentRecord, actor: str,
             outcome: BatchOutcome, at: tuple[Path, str]) -> tuple[Received, str]:
    payer = _payer(conn, row.remitter)
    if payer is not None:
        return receive_payer_payment(conn, payer, record, actor), "unapplied"
    account, pcn = _patient_target(conn, row.sent_reference)
    if account is not None:
        return post_patient_payment(conn, account, pcn, record, actor), "applied"
    received = receive_payer_payment(conn, None, record, actor)
    outcome.problems.append(row_problem(
        at[0], at[1], row.row, "reference", f"check {row.reference} of "
        f"{row.remitter or 'no one named'} names no payer, account or claim we hold: "
        f"unapplied, review item {received.review_item_id}", ProblemCode.PAYMENT_UNAPPLIED,
        Severity.WARNING))
    return received, "unapplied"


def _payer(conn: Connection, remitter: str | None) -> Any | None:
    if not remitter:
        return None
    try:
        return find_payer_named(conn, remitter)
    except PaymentError:
        return None


def _patient_target(conn: Connection, reference: str | None) -> tuple[Any | None, str | None]:
    """The account a lockbox reference names (its number, or one of its claims' PCN)."""
    if not reference:
        return None, None
    account = conn.execute(select(_ACCOUNT).where(
        _ACCOUNT.c.account_number == reference.strip())).first()
    if account is not None:
        return account, None
    claim = conn.execute(select(_CLAIM.c.patient_account_id, _CLAIM.c.patient_control_number)
                         .where(_CLAIM.c.pcn_normalized == normalize_pcn(reference),
                                _CLAIM.c.status == SubmissionStatus.ACTIVE)
                         .order_by(_CLAIM.c.id.desc())).first()
    if claim is None:
        return None, None
    account = conn.execute(select(_ACCOUNT).where(_ACCOUNT.c.id == claim.patient_account_id)).one()
    return account, str(claim.patient_control_number)
