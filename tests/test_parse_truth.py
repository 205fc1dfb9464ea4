"""What the 835 parser used to lose without a word (issue 20): an unknown or out-of-place
segment, a set without TRN.  Each is a problem in ``parse`` and ``import``; a set that
loses money-bearing data is held, a set without TRN is rejected.  SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from edi_posting.db.models import ReviewItem
from edi_posting.x12.remit835.parser import iter_remittances, parse_835
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)
# PLB amounts that net to zero: the set balances with or without them
PLB = "PLB*1234567893*20261231*WO:PCN1*5*72:PCN1*-5~\n"


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    yield p
    p.check()
    p.close()


def _paid(pcn: str, *extra: str, trace: str = "TRACE1", plb: str = "") -> str:
    return remit("80", clp(pcn, "1", "100", "80", "0", f"ICN{pcn}",
                           svc("99213", "100", "80", "CO*45*20"), *extra),
                 trace=trace, plb=plb)


def _items(practice: Practice) -> list[tuple[str, str | None]]:
    with practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(ReviewItem.kind, ReviewItem.problem_code)
                                               .order_by(ReviewItem.id))]  # type: ignore[misc]


def test_a_misspelled_plb_segment_is_an_unknown_segment_problem(tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1", plb=PLB.replace("PLB*", "PLXX*")))
    [rem] = parse_835(write_x12(tmp_path, text)).remittances
    [problem] = [p for p in rem.problems if p.code == "UNKNOWN_SEGMENT"]
    assert problem.element == "PLXX" and problem.source is not None
    assert problem.source.segment_position == 15
    assert "PLXX segment at position 15" in problem.message and "held" in problem.message
    assert rem.totals.is_transaction_balanced is None  # not "balanced"


def test_parse_stats_names_the_unknown_segment_too(tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1", "MOXX*1~"))
    ends = [e for e in iter_remittances(write_x12(tmp_path, text))
            if type(e).__name__ == "RemittanceEnd"]
    [end] = ends
    assert [(p.code, p.element) for p in end.problems] == [("UNKNOWN_SEGMENT", "MOXX")]
    assert end.totals.is_transaction_balanced is None


def test_a_known_segment_out_of_place_is_unexpected(tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1").replace("DTM*405", "CAS*CO*45*1~\nDTM*405"))
    [rem] = parse_835(write_x12(tmp_path, text)).remittances
    assert [(p.code, p.element) for p in rem.problems] == [("UNEXPECTED_SEGMENT", "CAS")]
    assert rem.totals.is_transaction_balanced is True  # the header carries no money


def test_a_set_whose_plb_segment_was_misspelled_is_held_not_posted_as_balanced(
        practice: Practice) -> None:
    result = practice.receive(_paid("PCN1", plb=PLB.replace("PLB*", "PLXX*")))
    assert result.posted == 0
    assert "UNKNOWN_SEGMENT" in [p.code for p in result.problems]
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert ("balancing_failure", "UNKNOWN_SEGMENT") in _items(practice)


def test_a_set_without_trn_is_rejected_and_the_others_post(practice: Practice) -> None:
    no_trn = _paid("PCN2", trace="TRACE2").replace("TRN*1*TRACE2*1512345678~\n", "")
    result = practice.receive(_paid("PCN1"), no_trn)
    assert (result.status, result.posted) == ("partial", 1)
    fatal = [p for p in result.problems if p.is_fatal]
    assert [(p.code, p.element) for p in fatal] == [("MISSING_TRN", "TRN")]
    assert "transaction set 0002" in fatal[0].message
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.balances("PCN2") == ("100.00", "0.00")
    assert ("rejected_file", "MISSING_TRN") in _items(practice)


def test_an_unknown_segment_that_is_no_segment_id_is_not_quoted(tmp_path: Path) -> None:
    text = build_x12(_paid("PCN1", "ZQCANARY ALBA*1~"))
    [rem] = parse_835(write_x12(tmp_path, text)).remittances
    [problem] = [p for p in rem.problems if p.code == "UNKNOWN_SEGMENT"]
    assert "ZQCANARY" not in problem.message and "ZQCANARY" not in (problem.element or "")
