"""Nothing posts twice: an 835 transaction set is known by its payer (TRN03) and trace
number (TRN02) wherever it appears, and its content decides what a second sighting is.

Identical content (whatever its ST02, ISA13 or position) is ``already_imported``; the same
payer and trace number with another amount, date or content is one ``duplicate_conflict``
item whose evidence lists what differs, and nothing posts.
"""

from __future__ import annotations

from sqlalchemy import func, select

from edi_posting.db.models import JournalLine, LedgerAccount, TransactionSet
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)



def _cash(practice: Practice) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(LedgerAccount.code == "cash_clearing")).scalar_one())


def _paid(pcn: str = "PCN1", paid: str = "80", adjustment: str = "CO*45*20") -> str:
    return clp(pcn, "1", "100", paid, "0", "ICN1", svc("99213", "100", paid, adjustment))


def test_same_set_twice_in_one_file_posts_once(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    body = remit("80", _paid())
    text = (build_x12(body, interchange_control="000000101")
            + build_x12(body, interchange_control="000000102"))
    result = practice.import_text(text, "twice.835")
    assert result.set_statuses == ["posted", "already_imported"]
    assert (result.status, result.posted) == ("imported", 1)
    assert _cash(practice) == 8000
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.items() == []


def test_same_set_inside_one_interchange_with_another_st02_posts_once(
    practice: Practice,
) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    first = remit("80", _paid())
    other = remit("80", _paid("PCN2"), trace="TRACE2")
    result = practice.receive(first, other, first)  # ST02 0001, 0002, 0003
    assert result.set_statuses == ["posted", "posted", "already_imported"]
    assert _cash(practice) == 16000


def test_a_resent_set_in_a_concatenated_batch_is_already_imported(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT), ("PCN3", OFFICE_VISIT))
    first = remit("80", _paid())
    practice.receive(first)
    batch = (build_x12(remit("80", _paid("PCN2"), trace="TRACE2"),
                       interchange_control="000000201")
             + build_x12(remit("80", _paid("PCN3"), trace="TRACE3"), first,  # first: ST02 0002
                         interchange_control="000000202", group_control="7"))
    again = practice.import_text(batch, "batch.835")
    assert again.set_statuses == ["posted", "posted", "already_imported"]
    assert _cash(practice) == 24000


def test_same_payment_with_a_changed_amount_is_one_conflict_listing_the_differences(
    practice: Practice,
) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", _paid()))
    changed = practice.receive(remit("90", _paid(paid="90", adjustment="CO*45*10")))
    assert (changed.set_statuses, changed.posted, changed.queued) == (["conflict"], 0, 1)
    assert [p.code for p in changed.problems] == ["DUPLICATE_CONFLICT"]
    again = practice.receive(remit("90", _paid(paid="90", adjustment="CO*45*10")))
    assert again.set_statuses == ["conflict"] and again.queued == 0  # still one item
    assert practice.items() == [("duplicate_conflict", None)]
    differences = practice.evidence("duplicate_conflict")["differences"]
    assert differences["BPR02"] == {"stored": "80.00", "received": "90.00"}
    assert differences["paid_total"] == {"stored": "80.00", "received": "90.00"}
    assert "BPR16" not in differences and "claims" not in differences
    assert _cash(practice) == 8000
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_same_payment_with_a_changed_date_is_a_conflict_and_posts_nothing(
    practice: Practice,
) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    practice.receive(remit("80", _paid()))
    changed = practice.receive(remit("160", _paid(), _paid("PCN2"), date="20260311"))
    assert (changed.set_statuses, changed.posted) == (["conflict"], 0)
    differences = practice.evidence("duplicate_conflict")["differences"]
    assert differences["BPR16"] == {"stored": "2026-03-10", "received": "2026-03-11"}
    assert differences["claims"] == {"stored": 1, "received": 2}
    assert _cash(practice) == 8000
    assert practice.balances("PCN2") == ("100.00", "0.00")


def test_identity_key_names_payer_and_trace_only(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", _paid(), trace=" TRACE1 "))
    with practice.engine.connect() as conn:
        keys = conn.execute(select(TransactionSet.identity_key)
                            .where(TransactionSet.kind == "835")).scalars().all()
    assert keys == ["835|1512345678|TRACE1"]
