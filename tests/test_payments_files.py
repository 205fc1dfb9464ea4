"""The payment CSVs `import` recognises by their header (issue 24): a day's patient
payments and a bank's lockbox detail.  Every row checked first (file, row and column named;
nothing posts when one is wrong), each row posted as its command would, twice posts
nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

import edi_posting
from edi_posting.db.models import ReceivedPayment, ReviewItem
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import FileResult
from edi_posting.money import format_cents
from tests.test_payments_patient import bill_and_answer
from tests.test_payments_received import PAID_80, _accounts
from tests.x835 import Practice, remit

Sessions = Callable[[str], edi_posting.Session]
_names = itertools.count(1)
PATIENT_HEADER = "date,account,claim,amount,method,reference,name\n"
LOCKBOX_HEADER = "date,check_number,amount,remitter,reference\n"


def _import(p: Practice, text: str, name: str = "payments.csv") -> FileResult:
    path = p.directory / f"{next(_names):03d}-{name}"
    path.write_text(text)
    return import_file(p.engine, path, p.options)


def _problems(result: FileResult) -> list[tuple[str, str, str | None, str]]:
    return [(p.code, p.severity, p.element, p.message.split(": ", 1)[1])
            for p in result.problems]


def test_a_patient_payment_batch_posts_each_row_and_twice_posts_nothing(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    text = (PATIENT_HEADER + f"2026-03-12,{account},,20.00,cash,R-100,ALBA ZQCANARY\n"
            f"2026-03-12,{account},PCN1,16.00,card,VISA-1,\n")
    first = _import(practice, text)
    assert (first.kind, first.status, first.claims, first.posted, first.queued) == (
        "patient_payments", "imported", 2, 2, 0)
    assert format_cents(first.payment_cents) == "36.00"
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "0.00"), ("0.00", "10.00"))
    again = _import(practice, text)  # another copy of the same bytes
    assert again.status == "already_imported"
    reworded = _import(practice, text.replace("R-100", "r 100") + "\n")  # other bytes
    assert (reworded.status, reworded.posted) == ("already_imported", 0)
    assert [(c, s, e) for c, s, e, _ in _problems(reworded)] == [
        ("PAYMENT_ALREADY_RECEIVED", "WARNING", "reference")] * 2
    assert practice.balances("PCN2") == ("0.00", "10.00")


def test_a_patient_payment_batch_names_each_bad_row_and_column_and_posts_nothing(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    result = _import(practice, PATIENT_HEADER
                     + f"2026-03-12,{account},,20.00,cash,R-1,\n"  # fine, but not posted
                     + f"2026-02-30,{account},,5.00,cash,R-2,\n"
                     + f"2026-03-12,{account},,5.001,cash,R-3,\n"
                     + f"2026-03-12,{account},,5.00,barter,R-4,\n"
                     + f"2026-03-12,{account},,5.00,cash,,\n"
                     + "2026-03-12,NO-SUCH-1,,5.00,cash,R-6,\n"
                     + f"2026-03-12,{account},PCN9,5.00,cash,R-7,\n")
    assert result.status == "rejected"
    assert [(c, e, m.split(":")[0]) for c, _, e, m in _problems(result)] == [
        ("PAYMENT_ROW_INVALID", "date", "row 3, column date"),
        ("PAYMENT_ROW_INVALID", "amount", "row 4, column amount"),
        ("PAYMENT_ROW_INVALID", "method", "row 5, column method"),
        ("PAYMENT_ROW_INVALID", "reference", "row 6, column reference"),
        ("PAYMENT_ROW_UNKNOWN", "account", "row 7, column account"),
        ("PAYMENT_ROW_UNKNOWN", "claim", "row 8, column claim")]
    assert result.problems[0].message.startswith(f"{Path(result.path).name}: row 3, column date")
    assert result.problems[4].message.endswith("no patient account 'NO-SUCH-1' (`edi-posting "
                                               "claim find` shows a claim's account)")
    with practice.engine.connect() as conn:
        assert conn.execute(select(ReceivedPayment.id)).all() == []
    assert practice.balances("PCN2") == ("0.00", "30.00")


def test_a_lockbox_file_receives_payers_checks_posts_patients_and_holds_the_rest(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    result = _import(practice, LOCKBOX_HEADER
                     + "2026-03-13,5001,80.00,ACME HEALTH,\n"  # a payer: awaits its 835
                     + f"2026-03-13,881,10.00,ALBA ZQCANARY,{account}\n"  # an account
                     + "2026-03-13,882,6.00,ALBA ZQCANARY,pcn1\n"  # a claim's PCN
                     + "2026-03-13,990,12.50,SOMEONE ELSE,INV-77\n", "lockbox.csv")
    assert (result.kind, result.status, result.posted, result.queued) == (
        "lockbox", "imported", 4, 2)
    assert (format_cents(result.payment_cents), format_cents(result.unapplied_cents)) == (
        "108.50", "92.50")
    assert _problems(result) == [(
        "PAYMENT_UNAPPLIED", "WARNING", "reference",
        ("row 5, column reference: check 990 of SOMEONE ELSE names no payer, account or "
         "claim we hold: unapplied, review item 2"))]
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "10.00"), ("0.00", "20.00"))
    practice.receive(remit("80", PAID_80.replace("ICN1", "ICN9"),
                           trace="0005001"))  # its 835 arrives: the check is claimed
    with practice.engine.connect() as conn:
        items = conn.execute(select(ReviewItem.kind, ReviewItem.status, ReviewItem.amount_cents)
                             .where(ReviewItem.kind == "awaiting_remittance")
                             .order_by(ReviewItem.id)).all()
    assert [(s, format_cents(a)) for _, s, a in items] == [("resolved", "0.00"),
                                                           ("open", "12.50")]
    # cash once: the first 835 (114.00) and the lockbox (108.50); the second 835's 80.00 is
    # the check's.  (It pays PCN1 again, so its 80.00 is held as a duplicate, unapplied.)
    assert _accounts(practice) == {"cash_clearing": "222.50", "unapplied_cash": "-92.50"}
    again = _import(practice, LOCKBOX_HEADER + "2026-03-13,5001,80.00,ACME HEALTH,\n",
                    "lockbox2.csv")
    assert (again.status, again.posted) == ("already_imported", 0)
