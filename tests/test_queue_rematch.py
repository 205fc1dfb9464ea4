"""`queue rematch --all` over a queue a specialist has already worked: an unmatched payment
applied in part is not matched again (its rest is applied by hand), and it does not stop
the others from being matched.  Scenarios in X12 inside the test."""

from __future__ import annotations

from sqlalchemy import select

from edi_posting.audit.writes import write_transaction
from edi_posting.db.models import ClaimPayment, ReviewItem
from edi_posting.review.money import apply_cash
from edi_posting.review.rematch import rematch
from tests.acting import as_user
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)



def _unmatched(practice: Practice) -> dict[str, tuple[int, str, int]]:
    """PCN of the claim payment -> (item id, status, amount) of its review item."""
    with practice.engine.connect() as conn:
        rows = conn.execute(select(ClaimPayment.patient_control_number, ReviewItem.id,
                                   ReviewItem.status, ReviewItem.amount_cents)
                            .join(ClaimPayment, ClaimPayment.id == ReviewItem.claim_payment_id)
                            .where(ReviewItem.kind == "unmatched_payment"))
        return {pcn: (ident, status, cents) for pcn, ident, status, cents in rows}


def test_rematch_all_skips_a_payment_applied_in_part_and_matches_the_others(
        practice: Practice) -> None:
    # Both payments arrive before their claims are billed: two unmatched payments.
    practice.receive(remit("114",
                           clp("PCN1", "1", "100", "64", "16", "ICN1",
                               svc("99213", "100", "64", "CO*45*20", "PR*2*16")),
                           clp("PCN2", "1", "100", "50", "0", "ICN2",
                               svc("99213", "100", "50", "CO*45*50"))))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))  # no late-claim rematch
    partial = _unmatched(practice)["PCN2"][0]
    with write_transaction(practice.engine) as conn:
        apply_cash(conn, partial, "PCN2", principal=as_user(conn, "sam"), amount_cents=2000)

    with write_transaction(practice.engine) as conn:
        results = rematch(conn, None, principal=as_user(conn, "sam"))

    after = _unmatched(practice)
    assert [(r.item_id, r.status) for r in results] == [(after["PCN1"][0], "resolved")]
    assert after["PCN2"] == (partial, "open", 3000)  # its rest waits for `queue apply`
    assert practice.balances("PCN1") == ("0.00", "16.00")
