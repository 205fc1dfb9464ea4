"""A patient's payment (issue 24): to the named claim, else oldest patient balance first
(earliest date of service, then claim id); more than the patient owes becomes a patient
credit balance owned by a ``credit_balance`` item; the same payment twice posts nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import PatientAccount, ReviewItem
from edi_posting.money import format_cents
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

Sessions = Callable[[str], edi_posting.Session]
_controls = itertools.count(810_000_001)
# PCN2 was seen in January, PCN1 in February: the patient owes 30.00 and 16.00
BILLED = (subscriber(2) + claim("PCN1", ("HC:99213", "100"), dos="20260220")
          + claim("PCN2", ("HC:99213", "100"), dos="20260110"))
ANSWERED = remit("114", clp("PCN1", "1", "100", "64", "16", "ICN1",
                            svc("99213", "100", "64", "CO*45*20", "PR*2*16")),
                 clp("PCN2", "1", "100", "50", "30", "ICN2",
                     svc("99213", "100", "50", "CO*45*20", "PR*1*30", dos="20260110")))


def bill_and_answer(p: Practice) -> str:
    """Two claims of one account with patient balances; the account's number."""
    p.import_text(build_x12(HEADER.split("~", 1)[1] + BILLED, functional_id="HC",
                            transaction_id="837", version="005010X222A1",
                            interchange_control=f"{next(_controls):09d}"), "claims.837")
    p.receive(ANSWERED)
    with p.engine.connect() as conn:
        return str(conn.execute(select(PatientAccount.account_number)).scalar_one())


def _pay(as_user: Sessions, account: str, cents: int, reference: str = "VISA-4242",
         claim_pcn: str | None = None) -> edi_posting.Received:
    return edi_posting.post_patient_payment(
        as_user("pat"), account=account, amount_cents=cents, method="card",
        reference=reference, received_date=dt.date(2026, 3, 12), claim=claim_pcn)


def _credit_items(p: Practice) -> list[tuple[str, str]]:
    with p.engine.connect() as conn:
        return [(s, format_cents(a)) for s, a in conn.execute(
            select(ReviewItem.status, ReviewItem.amount_cents)
            .where(ReviewItem.kind == "credit_balance").order_by(ReviewItem.id))]


def test_a_patient_payment_without_a_claim_goes_to_the_oldest_balance_first(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "16.00"), ("0.00", "30.00"))
    paid = _pay(as_user, account, 3500)
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "11.00"), ("0.00", "0.00"))
    assert paid.message.endswith("30.00 to PCN2; 5.00 to PCN1")
    assert (paid.applied_cents, paid.credit_cents) == (3500, 0)


def test_a_patient_payment_naming_a_claim_goes_to_that_claim(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    _pay(as_user, account, 1600, claim_pcn="pcn1")
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "0.00"), ("0.00", "30.00"))


def test_a_patient_overpayment_becomes_a_patient_credit_balance(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    paid = _pay(as_user, account, 5000)  # owes 46.00 in all
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "-4.00"), ("0.00", "0.00"))
    assert (paid.applied_cents, paid.credit_cents) == (4600, 400)
    assert paid.message.endswith("4.00 left as a patient credit balance")
    assert _credit_items(practice) == [("open", "4.00")]
    assert paid.review_item_id is not None


def test_the_same_patient_payment_twice_posts_nothing(practice: Practice,
                                                      as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    first = _pay(as_user, account, 1000)
    with pytest.raises(edi_posting.PaymentAlreadyReceivedError,
                       match=f"payment {first.payment_id}"):
        _pay(as_user, account, 1000, reference="visa 4242")
    assert practice.balances("PCN2") == ("0.00", "20.00")


def test_a_claim_not_on_the_account_is_refused(practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    with pytest.raises(edi_posting.PaymentError, match="claim PCN9 is no active claim"):
        _pay(as_user, account, 1000, claim_pcn="PCN9")
    with pytest.raises(edi_posting.PaymentError, match="no patient account 'NOPE'"):
        _pay(as_user, "NOPE", 1000)


def test_patient_and_payer_payments_await_their_deposit(practice: Practice,
                                                        as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    paid = _pay(as_user, account, 1000)
    check = edi_posting.receive_payment(as_user("pat"), payer="ACME HEALTH", amount_cents=2500,
                                        reference="7001", received_date=dt.date(2026, 3, 11))
    rows = edi_posting.payments_awaiting_deposit(as_user("pat"))
    assert [(r["paid_by"], r["payer"], r["account"], r["amount_cents"], r["reference"],
             r["date"], r["method"], r["journal_entry_id"]) for r in rows] == [
        ("payer", "ACME HEALTH", None, 2500, "7001", "2026-03-11", "check", check.entry_id),
        ("patient", None, account, 1000, "VISA-4242", "2026-03-12", "card", paid.entry_id)]
