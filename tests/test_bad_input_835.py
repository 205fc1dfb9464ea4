"""Input no database column can hold (amounts beyond 64-bit cents, NUL and other control
characters inside an element) is a problem on its unit: that transaction set is rejected
with a message naming the segment and element, the file's other sets import, and nothing
is left stuck in ``received``.  On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ReceivedFile, ReviewItem
from edi_posting.x12.remit835.parser import parse_835
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)
HUGE = "99999999999999999999.00"  # 10**22 cents: far beyond a signed 64-bit integer


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT), ("PCN3", OFFICE_VISIT))
    yield p
    p.check()
    p.close()


def _paid(pcn: str, paid: str = "80", trace: str = "TRACE1") -> str:
    return remit(paid, clp(pcn, "1", "100", paid, "0", f"ICN{pcn}",
                           svc("99213", "100", paid, "CO*45*20")), trace=trace)


def _file_status(practice: Practice) -> list[str]:
    with practice.engine.connect() as conn:
        return list(conn.execute(select(ReceivedFile.status).order_by(ReceivedFile.id))
                    .scalars())


def _rejections(practice: Practice) -> list[dict[str, object]]:
    with practice.engine.connect() as conn:
        rows = conn.execute(select(ReviewItem.evidence).where(
            ReviewItem.kind == "rejected_file").order_by(ReviewItem.id)).scalars().all()
    return [row["problem"] for row in rows]


def test_an_amount_beyond_64_bit_cents_is_a_problem_naming_its_segment_and_element(
        tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1"), remit("1", clp("PCN2", "1", "100", HUGE, "0", "ICN2")))
    result = parse_835(write_x12(tmp_path, text))
    first, second = result.remittances
    assert not [p for p in first.problems if p.is_fatal]
    fatal = [p for p in second.problems if p.is_fatal]
    assert [(p.code, p.element) for p in fatal] == [("AMOUNT_OUT_OF_RANGE", "CLP04")]
    assert fatal[0].source is not None and fatal[0].source.segment_position == 23  # its CLP
    assert HUGE not in fatal[0].message  # the amount is named by its element, not repeated


def test_a_set_with_an_amount_beyond_64_bit_cents_is_rejected_and_the_others_post(
        practice: Practice) -> None:
    huge = remit("80", clp("PCN2", "1", "100", HUGE, "0", "ICN2", svc("99213", "100", "80")),
                 trace="TRACE2")
    result = practice.receive(_paid("PCN1"), huge, _paid("PCN3", trace="TRACE3"))
    assert (result.status, result.posted) == ("partial", 2)
    assert [p.code for p in result.problems if p.is_fatal] == ["AMOUNT_OUT_OF_RANGE"]
    assert practice.balances("PCN1") == practice.balances("PCN3") == ("0.00", "0.00")
    assert practice.balances("PCN2") == ("100.00", "0.00")
    assert _file_status(practice)[-1] == "partial"
    assert [(p["code"], p["element"]) for p in _rejections(practice)] == [
        ("AMOUNT_OUT_OF_RANGE", "CLP04")]


def test_amounts_that_fit_alone_but_sum_beyond_64_bit_cents_reject_their_set(
        practice: Practice) -> None:
    big = "50000000000000000.00"  # 5 * 10**18 cents: fits, but two of them do not
    sums = remit(big, clp("PCN2", "1", big, big, "0", "ICN2", svc("99213", big, big)),
                 trace="TRACE2")
    result = practice.receive(sums, _paid("PCN1"))
    assert (result.status, result.posted) == ("partial", 1)
    assert [p.code for p in result.problems if p.is_fatal] == ["AMOUNT_OUT_OF_RANGE"]
    assert practice.balances("PCN2") == ("100.00", "0.00")


def test_import_of_a_file_with_a_huge_amount_exits_65_and_posts_the_other_sets(
        database_url: str, tmp_path: Path) -> None:
    huge = remit("80", clp("PCN2", "1", "100", HUGE, "0", "ICN2"), trace="TRACE2")
    path = write_x12(tmp_path, build_x12(_paid("PCN1"), huge, _paid("PCN3", trace="TRACE3")),
                     "huge.835")
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--format", "json",
                                       str(path)])
    assert result.exit_code == 65, result.output
    document = json.loads(result.stdout)["files"][0]
    assert (document["status"], document["transaction_sets"]) == ("partial", 3)
    assert [(p["code"], p["element"]) for p in document["problems"]
            if p["severity"] == "FATAL"] == [("AMOUNT_OUT_OF_RANGE", "CLP04")]


def _stranger_claims(count: int) -> str:
    """Unbilled claim payments, to push what follows past the reader's 64 KiB head."""
    return "".join(clp(f"FILL{n:05d}", "1", "10", "10", "0", f"F{n}", svc("99213", "10", "10"))
                   for n in range(count))


def test_a_nul_inside_an_element_is_a_problem_naming_its_segment_and_element(
        tmp_path: Path) -> None:
    bad = _paid("PCN2", trace="TRACE2").replace("ZQCANARY", "ZQCAN\x00ARY")
    result = parse_835(write_x12(tmp_path, build_x12(_paid("PCN1"), bad)))
    assert not [p for p in result.problems if p.is_fatal]  # the file itself is readable
    first, second = result.remittances
    assert not [p for p in first.problems if p.is_fatal]
    fatal = [p for p in second.problems if p.is_fatal]
    assert [(p.code, p.element) for p in fatal] == [("CONTROL_CHARACTER", "NM103")]
    assert fatal[0].source is not None and fatal[0].source.segment_position == 24  # its NM1
    assert "ZQCAN" not in fatal[0].message  # PHI: the value is never quoted


@pytest.mark.parametrize("head", [0, 700], ids=["in_the_head", "beyond_the_head"])
def test_a_set_with_a_nul_is_rejected_and_the_others_post(practice: Practice, head: int) -> None:
    first = remit("80", clp("PCN1", "1", "100", "80", "0", "ICNPCN1",
                            svc("99213", "100", "80", "CO*45*20")), _stranger_claims(head))
    if head:
        first = first.replace("BPR*I*80*", f"BPR*I*{80 + 10 * head}*", 1)
    bad = _paid("PCN2", trace="TRACE2").replace("ZQCANARY", "ZQCAN\x00ARY")
    result = practice.receive(first, bad, _paid("PCN3", trace="TRACE3"))
    assert (result.status, result.posted) == ("partial", 2)
    assert [(p.code, p.element) for p in result.problems if p.is_fatal] == [
        ("CONTROL_CHARACTER", "NM103")]
    assert practice.balances("PCN1") == practice.balances("PCN3") == ("0.00", "0.00")
    assert practice.balances("PCN2") == ("100.00", "0.00")
    assert _file_status(practice)[-1] == "partial"
    assert [p["code"] for p in _rejections(practice)] == ["CONTROL_CHARACTER"]


def test_an_837_set_with_a_control_character_is_rejected_and_the_others_import(
        practice: Practice) -> None:
    from tests.x837 import HEADER, claim, subscriber

    body = HEADER.split("~", 1)[1] + subscriber(2)
    text = build_x12(body.replace("BATCH1", "NEWDAY1") + claim("NEW1", ("HC:99213", "100")),
                     body.replace("BATCH1", "NEWDAY2").replace("GOOD HEALTH CLINIC",
                                                               "GOOD\x00HEALTH", 1)
                     + claim("NEW2", ("HC:99213", "100")),
                     functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control="000000777")
    result = practice.import_text(text, "claims.837")
    assert result.status == "partial"
    assert [(p.code, p.element) for p in result.problems if p.is_fatal] == [
        ("CONTROL_CHARACTER", "NM103")]
    assert practice.balances("NEW1") == ("100.00", "0.00")
    with pytest.raises(Exception, match="No row was found"):
        practice.balances("NEW2")


def test_a_nul_in_the_gs_rejects_every_set_it_wraps_and_is_a_file_problem(
        tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1"), _paid("PCN2", trace="TRACE2")).replace(
        "GS*HP*SENDER", "GS*HP*SEN\x00DER", 1)
    result = parse_835(write_x12(tmp_path, text))
    assert [(p.code, p.severity.value, p.element) for p in result.problems] == [
        ("CONTROL_CHARACTER", "ERROR", "GS02")]
    for remittance in result.remittances:
        assert [(p.code, p.element) for p in remittance.problems if p.is_fatal] == [
            ("CONTROL_CHARACTER", "GS")]
