"""What the 837 parser used to lose without a word (issue 20): an unknown or out-of-place
segment.  It is a problem in ``parse``, ``validate`` and ``import``; inside a claim or a
service line the claim is held, not charged, and the rest of the file imports.  SQLite and
PostgreSQL for the import; X12 written inside the tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, insert, select

from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ReceivedFile, ReviewItem, SubmittedClaim
from edi_posting.intake.claims import import_claim_batch
from edi_posting.ledger import journal as ledger
from edi_posting.reports.ledger_checks import check_ledger
from tests.x12build import build_x12, write_x12
from tests.x837 import HEADER, batch_of, claim, subscriber

VISIT = ("HC:99213", "100.00")
# the first claim's service line carries a misspelled SV1 (segment 22 of the set)
MISSPELLED = (subscriber(2) + claim("PCNBAD", VISIT).replace("SV1*", "SV9*")
              + claim("PCNOK", ("HC:99213", "80.00")))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    with eng.connect() as conn:
        assert check_ledger(conn) == []
    eng.dispose()


def _import(engine: Engine, body: str) -> SetOutcome:
    with write_transaction(engine) as conn:
        file_id = conn.execute(insert(ReceivedFile.__table__).values(
            sha256="a" * 64, file_name="t.837", size_bytes=1, kind="837P", content=b"x",
            status="received", received_by="tester",
        )).inserted_primary_key[0]
        return import_claim_batch(conn, SetContext(file_id, None, "000000001", "tester"),
                                  batch_of(body))


def _claim(engine: Engine, pcn: str) -> tuple[str, int]:
    with engine.connect() as conn:
        row = conn.execute(select(SubmittedClaim.id, SubmittedClaim.status).where(
            SubmittedClaim.patient_control_number == pcn)).one()
        return row.status, ledger.claim_balances(conn, row.id).insurance_cents


def _file(directory: Path, body: str) -> Path:
    text = build_x12(HEADER.split("~", 1)[1] + body, functional_id="HC",
                     transaction_id="837", version="005010X222A1")
    return write_x12(directory, text, "bill.837")


def test_misspelled_segment_in_a_service_line_is_an_unknown_segment_on_its_claim() -> None:
    batch = batch_of(MISSPELLED)
    bad, ok = batch.claims
    [problem] = bad.problems
    assert (problem.code, problem.severity.value, problem.element) == (
        "UNKNOWN_SEGMENT", "ERROR", "SV9")
    assert problem.source is not None and problem.source.segment_position == 22
    assert problem.message.startswith("SV9 segment at position 22 is not an 837 segment")
    assert "held" in problem.message
    assert ok.problems == () and batch.problems == ()


def test_claim_with_a_misspelled_service_segment_is_held_and_queued_the_rest_charged(
        engine: Engine) -> None:
    outcome = _import(engine, MISSPELLED)
    assert (outcome.claims, outcome.posted) == (2, 1)
    assert (outcome.problems[0].code, outcome.problems[0].element) == ("UNKNOWN_SEGMENT", "SV9")
    assert _claim(engine, "PCNBAD") == ("held", 0)
    assert _claim(engine, "PCNOK") == ("active", 8000)
    with engine.connect() as conn:
        items = conn.execute(select(ReviewItem.kind, ReviewItem.problem_code)).all()
    assert ("claim_problem", "UNKNOWN_SEGMENT") in [tuple(i) for i in items]


def test_a_known_segment_out_of_place_in_a_claim_is_unexpected() -> None:
    body = subscriber(2) + claim("PCN1", VISIT).replace("HI*", "PAT*19~\nHI*")
    [found] = batch_of(body).claims
    assert [(p.code, p.element) for p in found.problems] == [("UNEXPECTED_SEGMENT", "PAT")]
    assert "does not belong in a claim (CLM) loop" in found.problems[0].message


def test_an_unknown_segment_outside_a_claim_is_a_set_problem() -> None:
    body = subscriber(2).replace("DMG*", "DMX*") + claim("PCN1", VISIT)
    batch = batch_of(body)
    assert [(p.code, p.element) for p in batch.problems] == [("UNKNOWN_SEGMENT", "DMX")]
    assert batch.claims[0].problems == ()


def test_segments_the_guides_allow_in_claims_and_lines_are_no_problem() -> None:
    extra_claim = ("DTP*431*D8*20260201~\nPWK*OB*BM~\nCN1*02*100~\nAMT*F5*10~\nREF*G1*AUTH1~\n"
                   "K3*NOTE~\nNTE*ADD*NOTE~\nCR1*LB*140~\nCR2*1~\nCRC*07*Y*01~\nHI*ABK:J449~\n"
                   "HCP*03*100~\nNM1*DN*1*DOE*JOHN****XX*1234567893~\nPRV*RF*PXC*207Q00000X~\n"
                   "NM1*77*2*LAB~\nN3*1 LAB ST~\nN4*SPRINGFIELD*IL*62701~\n"
                   "SBR*S*18*GRP2******CI~\nCAS*CO*45*10~\nAMT*D*50~\nOI***Y*P**Y~\n"
                   "MOA***MA01~\nNM1*IL*1*DOE*JANE****MI*M2~\nN3*2 ST~\nN4*X*IL*62701~\n"
                   "NM1*PR*2*OTHER*****PI*OTH1~\nDTP*573*D8*20260215~\nREF*F8*ICN9~\n")
    extra_line = ("SV5*HC:E0100*DA*1*10*10*1~\nPWK*CT*BM~\nCR3*I*MO*6~\nCRC*09*Y*38~\n"
                  "QTY*PT*2~\nMEA*TR*R1*100~\nCN1*02*100~\nAMT*T*1~\nK3*X~\nNTE*ADD*X~\n"
                  "PS1*1234567893*20~\nHCP*03*100~\nLIN**N4:01234567891~\nCTP****1*UN~\n"
                  "REF*XZ*RX1~\nNM1*82*1*DOE*JOHN****XX*1234567893~\nPRV*PE*PXC*207Q00000X~\n"
                  "SVD*OTH1*50*HC:99213**1~\nCAS*CO*45*50~\nDTP*573*D8*20260215~\n"
                  "AMT*EAF*0~\nLQ*UT*01.02~\nFRM*1*Y~\n")
    text = claim("PCN1", VISIT).replace("HI*ABK:J449~\n", extra_claim) + extra_line
    batch = batch_of(subscriber(2) + text)
    assert batch.problems == () and batch.claims[0].problems == ()


def test_parse_shows_the_unknown_segment_on_its_claim(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["parse", str(_file(tmp_path, MISSPELLED))])
    document = json.loads(result.stdout)
    bad = document["claims"][0]
    assert ("UNKNOWN_SEGMENT", "SV9") in [(p["code"], p["element"]) for p in bad["problems"]]
    assert document["claims"][1]["problems"] == []


def test_validate_names_the_unknown_segment(tmp_path: Path) -> None:
    """pyx12 already knows the 837 guides' segments: validate names SV9 where it stands."""
    path = _file(tmp_path, MISSPELLED)
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(path)])
    assert result.exit_code != 0
    [document] = json.loads(result.stdout)["files"]
    found = [(p["element"], p["segment_position"]) for p in document["problems"]
             if p["code"] == "UNRECOGNIZED_SEGMENT_ID"]
    assert found == [("SV9", 22)]


def test_import_reports_an_unknown_segment_outside_a_claim_and_charges_the_claim(
        tmp_path: Path) -> None:
    body = subscriber(2).replace("DMG*", "DMX*") + claim("PCN1", VISIT)
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    result = CliRunner().invoke(main, ["import", str(_file(tmp_path, body))], env=env)
    assert result.exit_code == 0, result.output
    assert "bill.837  837P  imported  1                 1       1       0" in result.stdout
    assert ("bill.837: segment 17 DMX: ERROR UNKNOWN_SEGMENT: DMX segment at position 17 is "
            "not an 837 segment") in result.stderr


def test_import_reports_the_unknown_segment_that_holds_a_claim(tmp_path: Path) -> None:
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    result = CliRunner().invoke(main, ["import", str(_file(tmp_path, MISSPELLED))], env=env)
    assert result.exit_code == 0, result.output
    assert "bill.837  837P  imported  1                 2       1       2" in result.stdout
    assert "bill.837: segment 22 SV9: ERROR UNKNOWN_SEGMENT" in result.stderr


def test_a_claim_before_any_hl_is_still_read_and_held_not_lost() -> None:
    header = HEADER.split("HL*1**20*1~")[0]
    batch = batch_of(header + claim("PCN1", VISIT))
    [found] = batch.claims
    assert [p.code for p in found.problems] == ["CLAIM_WITHOUT_SUBSCRIBER"]
    assert batch.problems == ()
