"""A payer's check received before its remittance (issue 24): unapplied cash with an
item, then claimed by the 835 of the same payer and trace, so its cash counts once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

import edi_posting
from edi_posting.db.models import (
    JournalLine,
    LedgerAccount,
    ReceivedPayment,
    Remittance,
    ReviewItem,
)
from edi_posting.money import format_cents
from tests.test_queue_money import OFFICE_VISIT
from tests.x835 import Practice, clp, remit, svc

Sessions = Callable[[str], edi_posting.Session]
PAID_80 = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
MARCH_9 = dt.date(2026, 3, 9)


def _accounts(p: Practice) -> dict[str, str]:
    """Cash clearing and unapplied cash, as the ledger sums them (debit positive)."""
    with p.engine.connect() as conn:
        rows = conn.execute(select(LedgerAccount.code, func.sum(JournalLine.amount_cents))
                            .join(JournalLine, JournalLine.account_id == LedgerAccount.id)
                            .group_by(LedgerAccount.code)).all()
    sums = {code: int(total) for code, total in rows}
    return {code: format_cents(sums.get(code, 0)) for code in ("cash_clearing", "unapplied_cash")}


def _items(p: Practice) -> list[tuple[str, str, str]]:
    with p.engine.connect() as conn:
        return [(k, s, format_cents(a)) for k, s, a in conn.execute(
            select(ReviewItem.kind, ReviewItem.status, ReviewItem.amount_cents)
            .order_by(ReviewItem.id))]


def _receive(as_user: Sessions, amount_cents: int = 8000, reference: str = "00 12-345",
             payer: str = "ACME01") -> edi_posting.Received:
    return edi_posting.receive_payment(as_user("pat"), payer=payer, amount_cents=amount_cents,
                                       reference=reference, received_date=MARCH_9)


def test_a_check_received_before_its_835_is_claimed_and_its_cash_counts_once(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = _receive(as_user)
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "-80.00"}
    assert _items(practice) == [("awaiting_remittance", "open", "80.00")]
    practice.receive(remit("80", PAID_80, trace="12345"))  # TRN02 as the payer writes it
    # what the 835 alone leaves: BPR02 in cash clearing, nothing unapplied
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "0.00"}
    assert _items(practice) == [("awaiting_remittance", "resolved", "0.00")]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        row = conn.execute(select(ReceivedPayment.status, ReceivedPayment.claimed_by_remittance_id)
                           .where(ReceivedPayment.id == received.payment_id)).one()
    assert row.status == "claimed" and row.claimed_by_remittance_id is not None


def test_a_check_larger_than_its_835_keeps_the_difference_on_its_item(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _receive(as_user, amount_cents=10000)
    practice.receive(remit("80", PAID_80, trace="12345"))
    assert _accounts(practice) == {"cash_clearing": "100.00", "unapplied_cash": "-20.00"}
    assert _items(practice) == [("awaiting_remittance", "open", "20.00")]


def test_a_check_smaller_than_its_835_is_claimed_whole(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _receive(as_user, amount_cents=5000)
    practice.receive(remit("80", PAID_80, trace="12345"))
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "0.00"}
    assert _items(practice) == [("awaiting_remittance", "resolved", "0.00")]


def test_an_835_of_another_trace_claims_nothing(practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _receive(as_user)
    practice.receive(remit("80", PAID_80, trace="12346"))
    assert _accounts(practice) == {"cash_clearing": "160.00", "unapplied_cash": "-80.00"}
    assert _items(practice) == [("awaiting_remittance", "open", "80.00")]


def test_the_same_check_received_twice_posts_nothing(practice: Practice,
                                                     as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    first = _receive(as_user)
    with pytest.raises(edi_posting.PaymentAlreadyReceivedError,
                       match=f"received already \\(payment {first.payment_id}, by pat"):
        _receive(as_user, reference="12345")  # the same check, written another way
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "-80.00"}
    assert len(_items(practice)) == 1


def test_a_check_of_a_payer_nobody_knows_is_refused(practice: Practice,
                                                    as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    with pytest.raises(edi_posting.PaymentError, match="no payer 'NOBODY'"):
        _receive(as_user, payer="NOBODY")
    assert _accounts(practice) == {"cash_clearing": "0.00", "unapplied_cash": "0.00"}


def test_a_check_whose_remittance_never_comes_can_be_returned(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = _receive(as_user)
    assert received.review_item_id is not None
    edi_posting.set_refund_limit(as_user("ada"), 100_000)
    edi_posting.return_payment(as_user("sam"), received.review_item_id, "sent to us in error")
    assert _accounts(practice) == {"cash_clearing": "0.00", "unapplied_cash": "0.00"}
    assert _items(practice) == [("awaiting_remittance", "resolved", "0.00")]


def test_a_check_whose_835_was_posted_already_is_not_received_again(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", PAID_80, trace="12345"))
    with pytest.raises(edi_posting.PaymentAlreadyReceivedError,
                       match="came with its remittance already"):
        _receive(as_user)
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "0.00"}


def test_a_check_whose_835_came_under_another_trace_is_claimed_by_hand(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = _receive(as_user, reference="CHK 991")
    practice.receive(remit("80", PAID_80, trace="EFT-12345"))  # the same money, another number
    assert _accounts(practice) == {"cash_clearing": "160.00", "unapplied_cash": "-80.00"}
    assert received.review_item_id is not None
    with practice.engine.connect() as conn:
        remittance_id = conn.execute(select(func.max(Remittance.id))).scalar_one()
    rehearsed = edi_posting.claim_payment(as_user("sam"), received.review_item_id,
                                          remittance_id, reason="payer paid by EFT",
                                          dry_run=True)
    assert rehearsed.plan is not None and rehearsed.plan.describe()[0] == (
        "would post payment_claimed: unapplied_cash 80.00; cash_clearing -80.00")
    done = edi_posting.claim_payment(as_user("sam"), received.review_item_id, remittance_id,
                                     reason="payer paid by EFT")
    assert done.message == (f"review item {received.review_item_id}: claimed 80.00 of check "
                            f"CHK 991 by remittance {remittance_id} (TRN02 EFT-12345): payer "
                            "paid by EFT")
    assert _accounts(practice) == {"cash_clearing": "80.00", "unapplied_cash": "0.00"}
    assert _items(practice) == [("awaiting_remittance", "resolved", "0.00")]
    with pytest.raises(edi_posting.ActionError, match="is resolved already"):
        edi_posting.claim_payment(as_user("sam"), received.review_item_id, remittance_id,
                                  reason="again")
