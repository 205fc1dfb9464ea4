"""Control numbers are unique per sender (issue 20): the same ISA13/GS06/ST02 from two
senders is no duplicate, and where one sender repeats it, each interchange keeps its own
verdict, in the TA1/999 and in what ``import --validate`` posts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from edi_posting.db.models import Acknowledgement, ClaimPayment
from tests.test_validation import BODY, remit, tags, validate
from tests.x835 import Practice

BAD_DATE = BODY.replace("20260105~", "20261350~")


def _from(sender: str, body: str = BODY) -> str:
    """One interchange (ISA13 000000001, GS06 1, ST02 0001) from ``sender``."""
    return remit(body).replace("SENDER         ", sender.ljust(15)).replace(
        "GS*HP*SENDER*", f"GS*HP*{sender}*")


def test_the_same_control_numbers_from_two_senders_are_no_duplicate(tmp_path: Path) -> None:
    result = validate(tmp_path, _from("SENDERA") + _from("SENDERB"))
    assert result.valid, [p.message for p in result.problems]
    assert [a.kind for a in result.acks] == ["999", "999"]
    assert list(result.set_status_at.values()) == ["A", "A"]


def test_a_sender_repeating_its_isa13_gets_ta1_025_for_the_second_only(tmp_path: Path) -> None:
    result = validate(tmp_path, _from("SENDERA") + _from("SENDERA"))
    assert [p.code for p in result.problems] == ["DUPLICATE_INTERCHANGE_CONTROL_NUMBER"]
    assert [a.kind for a in result.acks] == ["999", "TA1"]
    assert "IK5*A" in tags(result.acks[0])
    assert list(result.set_status_at.values()) == ["A", "R"]


def test_each_interchange_keeps_its_own_verdict_in_import_validate(
        database_url: str, tmp_path: Path) -> None:
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213:25", "100"),)))
    text = _from("SENDERA") + _from("SENDERB", BAD_DATE.replace("EFT1", "EFT2"))
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(text, "two-senders.835")
    assert (result.status, result.posted) == ("partial", 1)
    assert [p.code for p in result.problems if p.is_fatal] == ["REJECTED_BY_VALIDATION"]
    with practice.engine.connect() as conn:
        acks = conn.execute(select(Acknowledgement.kind, Acknowledgement.is_accepted)
                            .order_by(Acknowledgement.id)).all()
        stored = conn.execute(select(ClaimPayment.patient_control_number)).scalars().all()
    assert [tuple(a) for a in acks] == [("999", True), ("999", False)]
    assert stored == ["PCN1"]
    practice.check()
    practice.close()


def test_import_validate_skips_the_rejected_837_set_by_its_position(
        database_url: str, tmp_path: Path) -> None:
    from edi_posting.db.models import SubmittedClaim
    from tests.test_validation_truth import CLAIM_837
    from tests.x12build import build_x12

    second = CLAIM_837.replace("26463774", "26463775").replace("19430501", "19431301")
    text = build_x12(CLAIM_837, second, functional_id="HC", transaction_id="837",
                     version="005010X222A1")
    practice = Practice(database_url, tmp_path)
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(text, "claims.837")
    assert [p.code for p in result.problems if p.is_fatal] == ["REJECTED_BY_VALIDATION"]
    with practice.engine.connect() as conn:
        pcns = conn.execute(select(SubmittedClaim.patient_control_number)).scalars().all()
    assert pcns == ["26463774"]
    practice.close()
