"""Which payer an 835's money belongs to, when the 835 names its payer differently from
the 837 (TRN03, N1*PR, REF*2U against NM1*PR): a payer the 837s know is never split in
two, so every claim's balance with its payer nets where it should.

X12 written in each test (``tests/x835.py`` builders), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from edi_posting.audit.writes import write_transaction
from edi_posting.db.models import (
    JournalEntry,
    Payer,
    PayerAlias,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.queue.credit_sides import insurance_by_payer
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)
from edi_posting.review.balances import write_off
from edi_posting.review.money import apply_cash
from tests.acting import as_user
from tests.test_queue_money import accept_duplicates
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

OFFICE_VISIT = (("HC:99213", "100"),)
PAID_PCN1 = clp("PCN1", "1", "100", "64", "16", "ICN1",
                svc("99213", "100", "64", "CO*45*20", "PR*2*16", line_control="PCN1-1"))


def stranger(pcn: str, charge: str, paid: str, *segments: str) -> str:
    """A claim payment whose PCN, member ID and name match nothing billed (yet)."""
    return (f"CLP*{pcn}*1*{charge}*{paid}*0*12*ICN{pcn}*11*1~\n"
            "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n" + "".join(segments))


STRAY = stranger("NOSUCH1", "70", "50", svc("99213", "70", "50", "CO*45*20"))


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    p.check()
    with p.engine.connect() as conn:
        assert queue_unapplied_cents(conn) == ledger_unapplied_cents(conn)
        assert credit_mismatches(conn) == []
    p.close()


def by_payer(practice: Practice, pcn: str) -> dict[str, str]:
    """The claim's insurance balance per payer (by the payer's primary identifier)."""
    with practice.engine.connect() as conn:
        claim_id = conn.execute(select(SubmittedClaim.id).where(
            SubmittedClaim.patient_control_number == pcn)).scalar_one()
        names = dict(conn.execute(select(Payer.id, Payer.primary_identifier)).all())
        return {str(names.get(payer) if payer else None): f"{cents / 100:.2f}"
                for payer, cents in insurance_by_payer(conn, claim_id).items()}


def payer_of(practice: Practice, model: Any) -> list[str | None]:
    with practice.engine.connect() as conn:
        return list(conn.execute(select(Payer.primary_identifier).select_from(model).outerjoin(
            Payer, Payer.id == model.payer_id).order_by(model.id)).scalars())


def bill_to(practice: Practice, payer_id: str, *pcns: str) -> Any:
    """An 837P billing ``pcns`` to payer ``payer_id`` (named ACME HEALTH like the others)."""
    body = (HEADER.replace("BATCH1", f"BATCH-{payer_id}").split("~", 1)[1]
            + subscriber(2, payer_id=payer_id)
            + "".join(claim(pcn, *OFFICE_VISIT) for pcn in pcns))
    text = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control=f"7{sum(map(ord, payer_id)):08d}")
    return practice.import_text(text, f"{payer_id}.837")


def act(practice: Practice, action: Any, *args: Any, **kwargs: Any) -> Any:
    with write_transaction(practice.engine) as conn:
        return action(conn, *args, principal=as_user(conn, "sam"), **kwargs)


def item_id(practice: Practice, kind: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ReviewItem.id).where(ReviewItem.kind == kind)
                                .order_by(ReviewItem.id)).scalars().first())  # type: ignore[arg-type]


def test_payment_received_before_its_claim_was_billed_leaves_one_payer_on_the_claim(
        practice: Practice) -> None:
    practice.receive(remit("50", STRAY, trace="T-STRAY"))  # nothing of it matches yet
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("64", PAID_PCN1, trace="T-PAID1"))  # the same payer (TRN03)
    assert practice.balances("PCN1") == ("0.00", "16.00")
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}
    with practice.engine.connect() as conn:
        assert conn.execute(select(Payer.primary_identifier)).scalars().all() == ["ACME01"]
        assert conn.execute(select(PayerAlias.alias_kind, Payer.primary_identifier).join(
            Payer, Payer.id == PayerAlias.payer_id).where(
            PayerAlias.alias_value == "1512345678")).all() == [("trn03", "ACME01")]
    # the first payment's remittance and its items (unmatched payment, unknown payee: it
    # came before the 837 named the provider) now name the payer the 837 billed
    assert payer_of(practice, Remittance) == ["ACME01", "ACME01"]
    assert payer_of(practice, ReviewItem) == ["ACME01", "ACME01"]


def test_denial_after_a_payment_that_came_before_its_claim_can_be_written_off(
        practice: Practice) -> None:
    practice.receive(remit("50", STRAY, trace="T-STRAY"))
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1D",
                                    svc("99213", "100", "0", "CO*16*100",
                                        line_control="PCN1-1")),
                           trace="T-DENY1", method="NON"))
    result = act(practice, write_off, item_id(practice, "denial"), "CO-16")
    assert result.status == "resolved"
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}


def test_unmatched_payment_applied_before_its_payer_is_learnt_pays_the_billed_payer(
        practice: Practice) -> None:
    practice.receive(remit("64", stranger("PCN9", "100", "64", svc("99213", "100", "64",
                                                                   "CO*45*36")),
                           trace="T-EARLY"))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))
    act(practice, apply_cash, item_id(practice, "unmatched_payment"), "PCN1")
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}


def test_payer_sharing_a_trn03_with_another_billed_payer_pays_its_own_claims(
        practice: Practice) -> None:
    bill_to(practice, "ACME01", "PCN1")
    bill_to(practice, "ACME02", "PCN2")
    practice.receive(remit("64", PAID_PCN1, trace="T-PAID1"))  # learns TRN03 for ACME01
    practice.receive(remit("80", clp("PCN2", "1", "100", "80", "0", "ICN2", svc(
        "99213", "100", "80", "CO*45*20", line_control="PCN2-1")), trace="T-PAID2"))
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}
    assert by_payer(practice, "PCN2") == {"ACME02": "0.00"}


def test_payers_sharing_only_a_name_are_never_merged(practice: Practice) -> None:
    bill_to(practice, "ACME01", "PCN1")
    bill_to(practice, "ACME02", "PCN2")
    other_trn03 = remit("80", clp("PCN2", "1", "100", "80", "0", "ICN2", svc(
        "99213", "100", "80", "CO*45*20", line_control="PCN2-1")), trace="T-PAID2"
        ).replace("*1512345678~", "*1999999999~")
    practice.receive(other_trn03)  # N1*PR ACME HEALTH, like the first payer's
    practice.receive(remit("64", PAID_PCN1, trace="T-PAID1"))
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}
    assert by_payer(practice, "PCN2") == {"ACME02": "0.00"}
    with practice.engine.connect() as conn:
        aliases = dict(conn.execute(select(PayerAlias.alias_value, Payer.primary_identifier)
                                    .join(Payer, Payer.id == PayerAlias.payer_id)
                                    .where(PayerAlias.alias_kind == "trn03")).all())
    assert aliases == {"1512345678": "ACME01", "1999999999": "ACME02"}


# --- payers an older version created from an 835 that matched nothing ------------------------


def provisional_payer(practice: Practice) -> int:
    """The payer the first unmatched 835 used to create: under its TRN03, remembered."""
    with write_transaction(practice.engine) as conn:
        payer_id = int(conn.execute(insert(Payer).values(
            name="ACME HEALTH", primary_identifier="1512345678")).inserted_primary_key[0])
        conn.execute(insert(PayerAlias).values(payer_id=payer_id, alias_kind="trn03",
                                               alias_value="1512345678"))
    return payer_id


def test_provisional_payer_from_before_is_adopted_by_the_payer_its_claims_were_billed_to(
        practice: Practice) -> None:
    provisional_payer(practice)
    practice.receive(remit("50", STRAY, trace="T-STRAY"))  # posts under the provisional payer
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("64", PAID_PCN1, trace="T-PAID1"))
    assert practice.balances("PCN1") == ("0.00", "16.00")
    assert by_payer(practice, "PCN1") == {"ACME01": "0.00"}
    assert payer_of(practice, Remittance) == ["ACME01", "ACME01"]
    assert payer_of(practice, ReviewItem) == ["ACME01", "ACME01"]
    with practice.engine.connect() as conn:
        assert conn.execute(select(Payer.primary_identifier).join(
            PayerAlias, PayerAlias.payer_id == Payer.id)).scalars().all() == [
            "ACME01", "ACME01"]  # NM1*PR and TRN03
    # a later file is found as the billed payer directly
    bill_to(practice, "ACME01", "PCN2")
    practice.receive(remit("80", clp("PCN2", "1", "100", "80", "0", "ICN2", svc(
        "99213", "100", "80", "CO*45*20", line_control="PCN2-1")), trace="T-PAID2"))
    assert by_payer(practice, "PCN2") == {"ACME01": "0.00"}


def test_claim_a_provisional_payer_split_is_made_whole_when_its_payer_adopts_it(
        practice: Practice) -> None:
    provisional = provisional_payer(practice)
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    with write_transaction(practice.engine) as conn:  # what an older version posted
        claim_id, account_id = conn.execute(select(
            SubmittedClaim.id, SubmittedClaim.patient_account_id).where(
            SubmittedClaim.patient_control_number == "PCN1")).one()
        dims = {"submitted_claim_id": claim_id, "patient_account_id": account_id}
        write_entries(conn, [EntryDraft("legacy-split", "payment", dt.date(2026, 3, 1), (
            Posting("cash_clearing", 10000),
            Posting("insurance_ar", -10000, payer_id=provisional, **dims)))], "tester")
    assert by_payer(practice, "PCN1") == {"ACME01": "100.00", "1512345678": "-100.00"}
    practice.receive(remit("80", clp("PCN2", "1", "100", "80", "0", "ICN2", svc(
        "99213", "100", "80", "CO*45*20", line_control="PCN2-1")), trace="T-PAID2"))
    owed = {payer: cents for payer, cents in by_payer(practice, "PCN1").items()
            if cents != "0.00"}
    assert owed == {}
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert by_payer(practice, "PCN2") == {"ACME01": "0.00"}
    with practice.engine.connect() as conn:
        kinds = conn.execute(select(JournalEntry.kind).order_by(JournalEntry.id)).scalars().all()
    assert kinds.count("payer_reclass") == 1


def test_recovery_of_an_overpayment_clears_the_credit_of_the_payer_the_claim_was_billed_to(
        practice: Practice) -> None:
    bill_to(practice, "ACME01", "PCN1", "PCN3")
    bill_to(practice, "ACME02", "PCN2")
    practice.receive(remit("64", PAID_PCN1, trace="T-PAID1"))  # TRN03 learnt for ACME01
    practice.receive(remit("100", clp("PCN2", "1", "100", "100", "0", "ICN2B", svc(
        "99213", "100", "100", line_control="PCN2-1")), trace="T-PAID2"))
    practice.receive(remit("100", clp("PCN2", "1", "100", "100", "0", "ICN2C", svc(
        "99213", "100", "100", line_control="PCN2-1")), trace="T-TWICE2"))
    accept_duplicates(practice)  # the held second payment: its cash alone onto the claim
    assert by_payer(practice, "PCN2") == {"ACME02": "-100.00"}  # paid twice: a credit
    practice.receive(remit("0", clp("PCN3", "1", "100", "100", "0", "ICN3", svc(
        "99213", "100", "100", line_control="PCN3-1")), trace="T-RECOUP", method="NON",
        plb="PLB*1234567893*20261231*WO:ICN2C*100~"))
    assert by_payer(practice, "PCN2") == {"ACME02": "0.00"}
    assert by_payer(practice, "PCN3") == {"ACME01": "0.00"}
