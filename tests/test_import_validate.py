"""`import --validate`: pyx12 rejects a set, its 999 is kept with the file, the set posts
nothing and the file's other sets post."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from edi_posting.db.models import Acknowledgement, ClaimPayment
from tests.test_validation import BODY, remit
from tests.x12build import write_x12
from tests.x835 import Practice


def test_a_set_validation_rejects_posts_nothing_and_its_999_is_stored(
    database_url: str, tmp_path: Path
) -> None:
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213:25", "100"),)))
    bad = BODY.replace("20260105~", "20261350~").replace("EFT1", "EFT2")
    path = write_x12(tmp_path, remit(BODY, bad), "mixed.835")
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(path.read_text(), "mixed.835")
    assert (result.status, result.posted) == ("partial", 1)
    assert [p.code for p in result.problems if p.is_fatal] == ["REJECTED_BY_VALIDATION"]
    assert practice.items() == [("rejected_file", None)]
    with practice.engine.connect() as conn:
        acks = conn.execute(select(Acknowledgement.kind, Acknowledgement.is_accepted,
                                   Acknowledgement.content)).all()
        stored = conn.execute(select(ClaimPayment.patient_control_number)).scalars().all()
    assert [(kind, accepted) for kind, accepted, _ in acks] == [("999", False)]
    text = acks[0][2].decode()
    assert "IK5*A~" in text and "IK5*R*5~" in text and "AK9*P*2*2*1~" in text
    assert stored == ["PCN1"]  # only the accepted set's claim payment
    practice.check()
    practice.close()


def test_without_validate_the_parser_checks_still_run_and_both_sets_post(
    database_url: str, tmp_path: Path
) -> None:
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213:25", "100"),)), ("PCN2", (("HC:99213:25", "100"),)))
    other = BODY.replace("EFT1", "EFT2").replace("CLP*PCN1*", "CLP*PCN2*")  # another claim:
    result = practice.import_text(remit(BODY, other), "plain.835")  # PCN1 again would be held
    assert (result.status, result.posted) == ("imported", 2)
    with practice.engine.connect() as conn:
        assert conn.execute(select(Acknowledgement.id)).first() is None
    practice.check()
    practice.close()


def test_a_rejected_set_with_a_space_padded_st02_is_not_posted(
    database_url: str, tmp_path: Path
) -> None:
    """Validation and import compare control numbers through one normaliser: pyx12's
    verdict for ``ST*835*   2`` is the reader's set ``2``."""
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213:25", "100"),)))
    bad = BODY.replace("20260105~", "20261350~").replace("EFT1", "EFT2")
    text = remit(BODY, bad).replace("ST*835*0002~", "ST*835*   2~").replace(
        "*0002~\nGE", "*2~\nGE")
    assert "ST*835*   2~" in text and "SE*" in text and "*2~\nGE" in text
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(text, "padded.835")
    assert (result.status, result.posted) == ("partial", 1)
    assert [p.code for p in result.problems if p.is_fatal] == ["REJECTED_BY_VALIDATION"]
    with practice.engine.connect() as conn:
        stored = conn.execute(select(ClaimPayment.patient_control_number)).scalars().all()
    assert stored == ["PCN1"]
    practice.check()
    practice.close()


def test_import_validate_of_the_demo_day_posts_every_set(database_url: str) -> None:
    """MA15 (a split claim's remark) and the day's unbalanced claim (held per claim) do
    not reject a transaction set: every set of the demo day is validated and posted."""
    import json

    from click.testing import CliRunner

    from edi_posting.cli import main

    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--validate",
                                       "--format", "json", str(demo / "837"), str(demo / "835")])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["totals"]["rejected"] == 0
    assert {f["status"] for f in document["files"]} <= {"imported", "already_imported"}
    assert not [p for f in document["files"] for p in f["problems"]
                if p["code"] == "REJECTED_BY_VALIDATION"]


def test_a_payment_that_does_not_match_its_claims_is_rejected_and_not_posted(
    database_url: str, tmp_path: Path
) -> None:
    """BPR02 132 for a claim paying 80: validation rejects the set (999 R) instead of
    letting the import hold its money as unapplied; the problem is listed once."""
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", (("HC:99213:25", "100"),)))
    path = write_x12(tmp_path, remit(BODY.replace("BPR*I*80*", "BPR*I*132*")), "short.835")
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(path.read_text(), "short.835")
    assert (result.status, result.posted) == ("rejected", 0)
    codes = [p.code for p in result.problems]
    assert codes.count("TRANSACTION_UNBALANCED") == 1 and "REJECTED_BY_VALIDATION" in codes
    assert practice.items() == [("rejected_file", None)]
    practice.check()
    practice.close()


def test_an_837_file_with_one_set_rejected_by_validation_is_partial(
    database_url: str, tmp_path: Path
) -> None:
    """As for an 835: one set rejected and the other imported is a ``partial`` file (exit
    65), and the good set's claims are charged."""
    import json

    from click.testing import CliRunner

    from edi_posting.cli import main
    from tests.x12build import build_x12
    from tests.x835 import Practice
    from tests.x837 import HEADER, claim, subscriber

    head = HEADER.split("~", 1)[1].replace(  # pyx12 requires the submitter's contact
        "*46*SUBMIT01~\n", "*46*SUBMIT01~\nPER*IC*JANE DOE*TE*5555551234~\n")
    good = head + subscriber(2) + claim("PCN1", ("HC:99213:25", "100"))
    bad = (head.replace("BATCH1", "BATCH2") + subscriber(2, member="ZQM000222")
           + claim("PCN2", ("HC:99213:25", "80"), dos="20261350"))
    text = build_x12(good, bad, functional_id="HC", transaction_id="837",
                     version="005010X222A1")
    path = write_x12(tmp_path, text, "mixed.837")
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--validate",
                                       "--format", "json", str(path)])
    assert result.exit_code == 65, result.output
    [document] = json.loads(result.stdout)["files"]
    assert document["status"] == "partial"
    assert [p["code"] for p in document["problems"] if p["severity"] == "FATAL"] == [
        "REJECTED_BY_VALIDATION"]
    practice = Practice(database_url, tmp_path)
    assert practice.balances("PCN1") == ("100.00", "0.00")
    with practice.engine.connect() as conn:
        from edi_posting.db.models import SubmittedClaim
        pcns = conn.execute(select(SubmittedClaim.patient_control_number)).scalars().all()
    assert pcns == ["PCN1"]
    practice.check()
    practice.close()
