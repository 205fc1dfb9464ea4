"""Returned items (issue 25): a bounced check (BAI2 555), a reversed ACH credit or a CSV
line flagged returned reverses the bank side of the payment it returns, opens the claim's
balance again with new linked entries and raises a ``returned_item``; a chargeback won
re-posts both."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

import edi_posting
from edi_posting.db.models import JournalEntry, ReviewItem
from tests.bank import bai2, csv_file, detail, write_bank
from tests.test_reconcile import paid
from tests.x835 import Practice

Sessions = Callable[[str], edi_posting.Session]


def kinds(p: Practice) -> list[str]:
    with p.engine.connect() as conn:
        return list(conn.execute(select(JournalEntry.kind).where(JournalEntry.kind.in_(
            ["deposit", "deposit_return", "chargeback_won", "match_deposit"]))
            .order_by(JournalEntry.id)).scalars())


def returned(p: Practice) -> tuple[int, str, int, str]:
    with p.engine.connect() as conn:
        row = conn.execute(select(ReviewItem).where(ReviewItem.kind == "returned_item")).one()
    return row.id, row.status, row.amount_cents, row.message


def bounced_check(p: Practice, as_user: Sessions) -> None:
    """PCN1 paid 64.00 by check 0777, deposited, then returned unpaid (NSF)."""
    paid(p, "PCN1", "64", "0777", method="CHK")
    edi_posting.import_deposits(as_user("pat"), [write_bank(p.directory, bai2(
        detail("301", 6400, "B1", "CHECK DEPOSIT", customer="777")))])
    edi_posting.reconcile(as_user("sam"))
    edi_posting.import_deposits(as_user("pat"), [write_bank(p.directory, bai2(
        detail("555", 6400, "B2", "DEPOSITED ITEM RETURNED NSF", customer="00777"),
        as_of="260316"))])


def test_a_bounced_check_reverses_its_deposit_and_opens_the_claim_again(
        practice: Practice, as_user: Sessions) -> None:
    bounced_check(practice, as_user)
    assert practice.balances("PCN1") == ("0.00", "0.00")
    result = edi_posting.reconcile(as_user("sam"))

    assert (result.returned, result.matches) == (1, ())
    assert practice.balances("PCN1") == ("64.00", "0.00")
    assert kinds(practice) == ["deposit", "deposit_return", "deposit_return"]
    _, status, cents, message = returned(practice)
    assert (status, cents) == ("open", 6400)
    assert message == ("returned item B2 of 2026-03-16 (64.00, type 555, 'DEPOSITED ITEM "
                       "RETURNED NSF'): the deposit of remittance 1 reversed and its claims' "
                       "balances open again")
    assert edi_posting.list_deposits(as_user("sam"))[0]["matched"] == ""
    again = edi_posting.reconcile(as_user("sam"))
    assert (again.returned, again.matches, again.opened) == (0, (), {})


def test_a_chargeback_won_re_posts_the_cash_and_the_deposit(
        practice: Practice, as_user: Sessions) -> None:
    bounced_check(practice, as_user)
    edi_posting.reconcile(as_user("sam"))
    ident = returned(practice)[0]
    rehearsal = edi_posting.chargeback_won(as_user("sam"), ident, dry_run=True)
    done = edi_posting.chargeback_won(as_user("sam"), ident, note="bank paid it on re-present")

    assert rehearsal.plan is not None and rehearsal.plan.describe()[:2] == [
        ("would post chargeback_won (reversing entry "
         f"{rehearsal.plan.entries[0].reverses_entry_id}): insurance_ar -64.00; "
         "cash_clearing 64.00"),
        "would post chargeback_won: bank 64.00; cash_clearing -64.00"]
    assert done.message == ("review item 1: chargeback won: 64.00 deposited again and the "
                            "claims' cash re-posted: bank paid it on re-present")
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert returned(practice)[1] == "resolved"
    assert edi_posting.list_deposits(as_user("sam"))[0]["matched"] == "remittance 1"


def test_a_return_that_ties_to_no_deposit_posts_nothing_and_says_so(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "64", "T1")
    edi_posting.import_deposits(as_user("pat"), [write_bank(practice.directory, csv_file(
        ("03/12/2026", "64.00", "T1", "ACME", "0012345678", "CREDIT"),
        ("03/13/2026", "10.00", "Z9", "RETURN Z9", "0012345678", "RETURN"),
        header="Posting Date,Amount,Reference,Description,Account,Type"), "csv")],
        mapping="bank-export")
    result = edi_posting.reconcile(as_user("sam"))

    assert (len(result.matches), result.returned) == (1, 1)
    assert kinds(practice) == ["deposit"]
    assert returned(practice)[3] == (
        "returned item Z9 of 2026-03-13 (10.00, type flagged, 'RETURN Z9'): no deposited "
        "remittance has its trace; work it by hand")
