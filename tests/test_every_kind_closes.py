"""Every kind of review item the product opens today can be worked to closed (issue 23).

For each ``ReviewKind`` the engine opens (ARCHITECTURE.md, "Where each review kind is
opened"), the situation is built in X12 written here, then finished through the public API
with the action the README documents for it, as a specialist (or, for a rejected set, an
administrator) would.  Afterwards the item is closed, the ledger's every check passes
(``edi_posting.check_ledger``: entries balance, BPR02 moved, the queue owns exactly the
unapplied cash and the credits, no open dollar owned twice; cash clearing holds what awaits
deposit).  Every kind is opened by something today.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import ClaimPayment, ReviewItem
from edi_posting.records.states import ReviewKind
from tests.keyed import eob_csv, line
from tests.money_scenarios import REMITS
from tests.money_scenarios import stranger as unknown_patient
from tests.test_queue_accept_set import _rejected_by_validation
from tests.test_queue_money import OFFICE_VISIT, _paid_twice, claim_id, stranger
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

Sessions = Callable[[str], edi_posting.Session]
RESERVED: set[ReviewKind] = set()  # every kind is opened today
_controls = itertools.count(700_000_001)



def _bill(practice: Practice, body: str, batch: str) -> None:
    """An 837P of this body (subscriber and claims) under its own BHT03 and ISA13."""
    practice.import_text(build_x12(
        HEADER.replace("BATCH1", batch).split("~", 1)[1] + body, functional_id="HC",
        transaction_id="837", version="005010X222A1",
        interchange_control=f"{next(_controls):09d}"), "claims.837")


def _only(practice: Practice, kind: str) -> int:
    with practice.engine.connect() as conn:
        [ident] = conn.execute(select(ReviewItem.id).where(ReviewItem.kind == kind)).scalars()
    return int(ident)


# --- one case per kind: build the situation, finish it, return the item worked ---------------


def unmatched_payment(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    p.receive(remit("50", stranger("ELSEWHERE", "70", "50", svc("99214", "70", "50",
                                                                "CO*45*20"))))
    ident = _only(p, "unmatched_payment")
    edi_posting.set_refund_limit(as_user("ada"), 100_000)
    edi_posting.return_payment(as_user("sam"), ident, "paid for another practice's patient")
    return ident


def ambiguous_match(p: Practice, as_user: Sessions) -> int:
    p.bill(("ACCT12345-77", OFFICE_VISIT), ("ACCT12345-78", OFFICE_VISIT))
    p.receive(remit("80", clp("ACCT12345", "1", "100", "80", "0", "ICN1",
                              svc("99213", "100", "80", "CO*45*20"))))
    ident = _only(p, "ambiguous_match")
    edi_posting.accept_match(as_user("sam"), ident,
                             candidate_claim_id=claim_id(p, "ACCT12345-77"))
    return ident


def orphan_reversal(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    p.receive(REMITS["reversal_alone_pcn1"])  # its original was never received
    ident = _only(p, "orphan_reversal")
    edi_posting.apply_cash(as_user("sam"), ident, "PCN1")
    return ident


def denial(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN2", OFFICE_VISIT))
    p.receive(REMITS["denied_pcn2"])
    ident = _only(p, "denial")
    edi_posting.write_off(as_user("sam"), ident, "CO-16")
    return ident


def claim_problem_835(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))  # the service date 2026-13-50 is no date: held, cash kept
    p.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                              svc("99213", "100", "80", "CO*45*20", dos="20261350"))))
    ident = _only(p, "claim_problem")
    edi_posting.apply_cash(as_user("sam"), ident, "PCN1")
    return ident


def balancing_failure_claim(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN3", (("HC:99214", "150"),)))
    p.receive(REMITS["unbalanced_pcn3"])
    ident = _only(p, "balancing_failure")
    edi_posting.post_claim_as_sent(as_user("sam"), ident, "payer confirmed the 835 by phone")
    return ident


def balancing_failure_set(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))  # BPR02 says 90.00, its claims 80.00: the set is held
    p.receive(remit("90", clp("PCN1", "1", "100", "80", "0", "ICN1",
                              svc("99213", "100", "80", "CO*45*20"))))
    ident = _only(p, "balancing_failure")
    edi_posting.apply_cash(as_user("sam"), ident, "PCN1")
    return ident


def unknown_payee(p: Practice, as_user: Sessions) -> int:
    p.receive(remit("50", stranger("ELSEWHERE", "50", "50", svc("99214", "50", "50"))))
    ident = _only(p, "unknown_payee")  # nothing billed yet: no provider is on file
    edi_posting.dismiss_item(as_user("sam"), ident, "our NPI; its claims are billed next")
    return ident


def duplicate_conflict(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    p.receive(remit("80", paid, trace="T-SAME"))
    p.receive(remit("70", paid.replace("*80*", "*70*").replace("CO*45*20", "CO*45*30"),
                    trace="T-SAME"))  # the same payment identity, other content
    ident = _only(p, "duplicate_conflict")
    edi_posting.dismiss_item(as_user("sam"), ident, "payer confirmed the first one stands")
    return ident


def awaiting_correction(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    p.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                              svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))))
    p.receive(remit("0", clp("PCN1", "22", "-100", "-80", "0", "ICN1", svc(
        "99213", "-100", "-80", "CO*45*-20", line_control="PCN1-1")),
        trace="TRACE2", method="NON", plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    p.receive(remit("10", unknown_patient("PCN1-CORRECTED", "100", "90",
                                          svc("99213", "100", "90", "CO*45*10")),
                    trace="TRACE3", plb="PLB*1234567893*20261231*FB:ICN1*80~"))
    ident = _only(p, "awaiting_correction")
    with p.engine.connect() as conn:
        correction = conn.execute(select(ClaimPayment.id).where(
            ClaimPayment.patient_control_number == "PCN1-CORRECTED")).scalar_one()
    edi_posting.link_correction(as_user("sam"), ident, correction)
    return ident


def unlinked_plb(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    p.receive(REMITS["unlinked_plb"])
    ident = _only(p, "unlinked_plb")
    edi_posting.place_plb(as_user("sam"), ident, note="a levy on the practice, no claim's")
    return ident


def credit_balance(p: Practice, as_user: Sessions) -> int:
    ident = _paid_twice(p)
    edi_posting.set_refund_limit(as_user("ada"), 100_000)
    edi_posting.refund_credit(as_user("sam"), ident, "paid twice")
    return ident


def rejected_file(p: Practice, as_user: Sessions) -> int:
    ident = _rejected_by_validation(p)
    edi_posting.accept_rejected_set(as_user("ada"), ident, "payer confirmed the date")
    return ident


def claim_problem_837(p: Practice, as_user: Sessions) -> int:
    _bill(p, subscriber(2) + claim("PCNNEG", ("HC:99213", "100.00"), ("HC:85025", "-30.00")),
          "BATCH7")
    ident = _only(p, "claim_problem")
    edi_posting.dismiss_item(as_user("sam"), ident, "billing corrects it and bills it again")
    return ident


def patient_conflict(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    _bill(p, subscriber(2, last="ZQOTHER", first="BRUNO", dob="19700101")
          + claim("PCN2", *OFFICE_VISIT), "BATCH8")
    ident = _only(p, "patient_conflict")
    edi_posting.dismiss_item(as_user("sam"), ident, "two people; registration fixes the ID")
    return ident


def duplicate_claim(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    _bill(p, subscriber(2) + claim("PCN1", *OFFICE_VISIT, dos="20260221"), "BATCH9")
    ident = _only(p, "duplicate_claim")
    edi_posting.dismiss_item(as_user("sam"), ident, "billed twice by mistake")
    return ident


def lonely_deposit(p: Practice, as_user: Sessions) -> int:
    from tests.test_deposit_items import lonely_and_silent

    ident, _ = lonely_and_silent(p, as_user)
    edi_posting.match_deposit(as_user("sam"), ident, remittance_id=1)
    return ident


def silent_era(p: Practice, as_user: Sessions) -> int:
    from tests.test_deposit_items import lonely_and_silent

    _, ident = lonely_and_silent(p, as_user)
    edi_posting.match_deposit(as_user("sam"), ident, deposit_id=1)
    return ident


def deposit_variance(p: Practice, as_user: Sessions) -> int:
    from tests.test_reconcile import bank, paid

    paid(p, "PCN1", "80", "T1")
    bank(p, as_user, ("2026-03-11", "79.50", "T1", "ACME"))
    edi_posting.reconcile(as_user("sam"))
    ident = _only(p, "deposit_variance")
    edi_posting.accept_variance(as_user("sam"), ident, "bank fee on the EFT")
    return ident


def returned_item(p: Practice, as_user: Sessions) -> int:
    from tests.test_deposit_returns import bounced_check

    bounced_check(p, as_user)
    edi_posting.reconcile(as_user("sam"))
    ident = _only(p, "returned_item")
    edi_posting.chargeback_won(as_user("sam"), ident)
    return ident
def awaiting_remittance(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))  # a check with no 835 yet: its 835 claims it on arrival
    received = edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                           reference="00-42")
    p.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                              svc("99213", "100", "80", "CO*45*20")), trace="42"))
    assert received.review_item_id is not None
    return received.review_item_id


def eob_error(p: Practice, as_user: Sessions) -> int:
    p.bill(("PCN1", OFFICE_VISIT))
    p.import_text(eob_csv(line(line_paid="8O.00")), "paper.csv")  # a typo: nothing posts
    ident = _only(p, "eob_error")
    p.import_text(eob_csv(line()), "paper-fixed.csv")  # the keyer fixes the file once
    edi_posting.dismiss_item(as_user("sam"), ident, "keyed again without the typo")
    return ident


CASES: dict[str, tuple[ReviewKind, Callable[[Practice, Sessions], int]]] = {
    "unmatched_payment": (ReviewKind.UNMATCHED_PAYMENT, unmatched_payment),
    "ambiguous_match": (ReviewKind.AMBIGUOUS_MATCH, ambiguous_match),
    "orphan_reversal": (ReviewKind.ORPHAN_REVERSAL, orphan_reversal),
    "denial": (ReviewKind.DENIAL, denial),
    "claim_problem_835": (ReviewKind.CLAIM_PROBLEM, claim_problem_835),
    "balancing_failure_claim": (ReviewKind.BALANCING_FAILURE, balancing_failure_claim),
    "balancing_failure_set": (ReviewKind.BALANCING_FAILURE, balancing_failure_set),
    "unknown_payee": (ReviewKind.UNKNOWN_PAYEE, unknown_payee),
    "duplicate_conflict": (ReviewKind.DUPLICATE_CONFLICT, duplicate_conflict),
    "awaiting_correction": (ReviewKind.AWAITING_CORRECTION, awaiting_correction),
    "unlinked_plb": (ReviewKind.UNLINKED_PLB, unlinked_plb),
    "credit_balance": (ReviewKind.CREDIT_BALANCE, credit_balance),
    "rejected_file": (ReviewKind.REJECTED_FILE, rejected_file),
    "claim_problem_837": (ReviewKind.CLAIM_PROBLEM, claim_problem_837),
    "patient_conflict": (ReviewKind.PATIENT_CONFLICT, patient_conflict),
    "duplicate_claim": (ReviewKind.DUPLICATE_CLAIM, duplicate_claim),
    "lonely_deposit": (ReviewKind.LONELY_DEPOSIT, lonely_deposit),
    "silent_era": (ReviewKind.SILENT_ERA, silent_era),
    "deposit_variance": (ReviewKind.DEPOSIT_VARIANCE, deposit_variance),
    "returned_item": (ReviewKind.RETURNED_ITEM, returned_item),
    "awaiting_remittance": (ReviewKind.AWAITING_REMITTANCE, awaiting_remittance),
    "eob_error": (ReviewKind.EOB_ERROR, eob_error),
}


def test_every_kind_the_product_opens_has_a_case() -> None:
    assert {kind for kind, _ in CASES.values()} == set(ReviewKind) - RESERVED


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_is_worked_to_closed_with_the_ledger_checked(
        practice: Practice, as_user: Sessions, case: str) -> None:
    kind, work = CASES[case]
    ident = work(practice, as_user)
    detail: dict[str, Any] = edi_posting.show_queue_item(as_user("sam"), ident)
    assert detail["kind"] == kind
    assert detail["status"] in ("resolved", "dismissed"), detail["status"]
    assert edi_posting.check_ledger(as_user("aud")).violations == []
