"""Keyed paper EOBs (issue 24): a CSV or JSON file keyed from paper posts exactly as the
equivalent 835 would, or, with any error in any row, posts nothing and leaves one
``eob_error`` item naming every row and column to fix.

Claims are billed in X12 (``tests.x835.Practice``), EOBs keyed with ``tests.keyed``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from edi_posting.db.models import JournalEntry, ReviewItem, TransactionSet
from edi_posting.importing.units import FileResult
from edi_posting.keyed.template import COLUMNS
from edi_posting.records.states import FileStatus
from tests.keyed import eob_csv, eob_json, line, plb
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)


def _key(practice: Practice, text: str, name: str = "eob.csv") -> FileResult:
    return practice.import_text(text, name)


def _entries(practice: Practice) -> list[tuple[str, str]]:
    with practice.engine.connect() as conn:
        return [(k, m) for k, m in conn.execute(
            select(JournalEntry.kind, JournalEntry.memo).order_by(JournalEntry.id))]


def test_a_keyed_csv_posts_the_claim_as_its_835_would(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = _key(practice, eob_csv(line()))
    assert (result.kind, result.status, result.posted, result.queued) == (
        "eob", FileStatus.IMPORTED, 1, 0)
    assert result.to_dict()["payment_total"] == "80.00"
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.states() == [("PCN1", "1", "posted")]
    with practice.engine.connect() as conn:
        assert conn.execute(select(TransactionSet.kind, TransactionSet.identity_key)
                            .where(TransactionSet.kind == "eob")).one() == (
            "eob", "eob|ACME01|CHK100")
    practice.check()


def test_the_json_form_posts_the_same_as_the_csv_form(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    rows = (line("PCN1", payment_amount="150.00"),
            line("PCN2", paid="70.00", adjustments=(("CO", "45", "20.00"), ("PR", "2", "10.00")),
                 patient_responsibility="10.00", payment_amount="150.00"))
    result = _key(practice, eob_json(*rows), "eob.json")
    assert (result.kind, result.status, result.posted) == ("eob", FileStatus.IMPORTED, 2)
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.balances("PCN2") == ("0.00", "10.00")
    practice.check()


def test_a_keyed_batch_uploaded_twice_posts_once(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    text = eob_csv(line())
    first = _key(practice, text)
    again = practice.import_text(text, "again.csv")  # the very same bytes
    assert (first.status, again.status) == (FileStatus.IMPORTED, FileStatus.ALREADY_IMPORTED)
    assert len(_entries(practice)) == 2  # the 837's charge and the one payment
    practice.check()


def test_a_keyed_batch_re_saved_with_other_bytes_posts_nothing_again(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _key(practice, eob_csv(line()))
    columns = tuple(reversed(COLUMNS))  # another column order, other amounts' spelling,
    resaved = eob_csv(line(charge="100", paid="80", payment_amount="80",  # US dates, by name
                           payment_date="03/10/2026", payer="acme health"), columns=columns)
    result = practice.import_text(resaved.replace("\n", "\r\n"), "resaved.csv")
    assert (result.status, result.posted, result.set_statuses) == (
        FileStatus.ALREADY_IMPORTED, 0, ["already_imported"])
    assert len(_entries(practice)) == 2
    practice.check()


def test_a_keyed_batch_keyed_again_differently_is_a_conflict_not_a_second_post(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _key(practice, eob_csv(line()))
    result = _key(practice, eob_csv(line(paid="75.00", payment_amount="75.00",
                                         adjustments=(("CO", "45", "25.00"),))), "fixed.csv")
    assert result.set_statuses == ["conflict"]
    assert practice.items() == [("duplicate_conflict", None)]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    practice.check()


def test_an_unbalanced_keyed_claim_is_held_like_the_same_835(
        practice: Practice, tmp_path: Path) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    # PCN1's line pays 80 but the claim says 70: the claim level is off by -10.00
    result = _key(practice, eob_csv(line("PCN1", paid="70.00", line_paid="80.00",
                                         payment_amount="70.00")))
    assert (result.status, result.posted, result.queued) == (FileStatus.IMPORTED, 0, 1)
    assert practice.items() == [("balancing_failure", "PCN1")]
    evidence = practice.evidence("balancing_failure")
    [problem] = evidence["problems"]  # type: ignore[index]
    assert problem["code"] == "CLAIM_UNBALANCED"
    assert problem["details"]["level"] == "claim"
    assert problem["details"]["difference"] == "-10.00"
    assert (problem["row"], problem["file"]) == (2, result.path.rsplit("/", 1)[1])
    assert problem["message"].endswith("(difference -10.00) at row 2")
    # the same claim in an 835: the same state and item
    practice.receive(remit("70", clp("PCN2", "1", "100", "70", "0", "ICN2",
                                     svc("99213", "100", "80", "CO*45*20"))), name="x.835")
    assert practice.items() == [("balancing_failure", "PCN1"), ("balancing_failure", "PCN2")]
    assert [s[2] for s in practice.states()] == ["held", "held"]
    practice.check()


def test_a_keyed_check_that_does_not_balance_is_held_whole_like_an_835(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = _key(practice, eob_csv(line(payment_amount="85.00")))
    assert result.set_statuses == ["held"]
    assert practice.items() == [("balancing_failure", None)]
    with practice.engine.connect() as conn:
        evidence = conn.execute(select(ReviewItem.evidence)).scalar_one()
    assert evidence["problem"]["details"]["difference"] == "5.00"
    assert evidence["problem"]["details"]["level"] == "transaction"
    practice.check()


def test_a_provider_level_adjustment_row_posts_as_a_plb(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = _key(practice, eob_csv(line(payment_amount="75.00"),
                                    plb("CS", "ADJ1", "5.00", payment_amount="75.00")))
    assert (result.status, result.posted) == (FileStatus.IMPORTED, 1)
    assert [k for k, _ in _entries(practice)] == ["charge", "payment", "plb"]
    practice.check()


def test_every_error_of_every_row_is_named_by_row_and_column_and_nothing_posts(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    rows = (
        line("PCN1", payment_amount="180.00"),  # row 2: right
        line("PCN2", payment_amount="180.00", service_date="2026-02-30",  # row 3
             line_charge="100.001", claim_status="77", procedure="",
             adjustments=(("CO", "4500", "20.00"), ("XX", "45", "")), remarks="MA01 Q1"),
        line("PCN3", payment_amount="180.00", payment_method="cash", claim_pcn="",  # row 4
             units="one", modifiers="25:LONG"),
        plb("ZZ", "", "abc", payment_amount="180.00"),  # row 5
    )
    result = _key(practice, eob_csv(*rows))
    assert (result.status, result.posted, result.queued) == (FileStatus.REJECTED, 0, 1)
    found = [(p.source.row if p.source else None, p.element, p.code.value)
             for p in result.problems]
    assert found == [
        (3, "claim_status", "UNKNOWN_CLAIM_STATUS"),
        (3, "procedure", "KEYED_FIELD_MISSING"),
        (3, "service_date", "INVALID_DATE"),
        (3, "line_charge", "INVALID_AMOUNT"),
        (3, "adj1_carc", "INVALID_CARC"),
        (3, "adj2_group", "UNKNOWN_ADJUSTMENT_GROUP"),
        (3, "adj2_amount", "KEYED_FIELD_MISSING"),
        (3, "remarks", "INVALID_RARC"),
        (4, "payment_method", "KEYED_FIELD_INVALID"),
        (4, "claim_pcn", "KEYED_FIELD_MISSING"),
        (4, "modifiers", "KEYED_FIELD_INVALID"),
        (4, "units", "KEYED_FIELD_INVALID"),
        (4, "payment_method", "KEYED_ROWS_DISAGREE"),
        (5, "plb_reason", "UNKNOWN_PLB_REASON"),
        (5, "plb_amount", "INVALID_AMOUNT"),
    ]
    name = Path(result.path).name
    assert result.problems[3].message == (
        f"{name} row 3 column line_charge: not an amount with at most two decimals "
        "(e.g. 1234.50) ('100.001')")
    assert practice.items() == [("eob_error", None)]
    evidence = practice.evidence("eob_error")
    assert [(p["row"], p["element"]) for p in evidence["problems"]] == [  # type: ignore[index]
        (row, column) for row, column, _ in found]
    assert _entries(practice) == [(k, m) for k, m in _entries(practice) if k == "charge"]
    assert practice.states() == []
    practice.check()


def test_an_unknown_payer_is_an_error_of_its_rows(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = _key(practice, eob_csv(line(payer="NOBODY INSURANCE")))
    assert result.status == FileStatus.REJECTED
    [problem] = result.problems
    assert (problem.code.value, problem.source.row if problem.source else None,
            problem.element) == ("UNKNOWN_PAYER", 2, "payer")
    assert practice.items() == [("eob_error", None)]
    assert practice.states() == []


def test_a_json_error_names_the_json_path(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = _key(practice, eob_json(line(line_paid="8O.00")), "eob.json")
    [problem] = [p for p in result.problems if p.code.value == "INVALID_AMOUNT"]
    assert problem.element == "checks[0].claims[0].lines[0].paid"
    assert problem.source is not None and problem.source.row == 1
    assert practice.states() == []


def test_a_paper_eob_keyed_after_its_835_posts_nothing_and_opens_a_conflict(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="CHK100"))
    result = _key(practice, eob_csv(line()))
    assert (result.set_statuses, result.posted, result.queued) == (["conflict"], 0, 1)
    assert practice.items() == [("duplicate_conflict", None)]
    assert "was posted before in its other form" in result.problems[0].message
    assert practice.balances("PCN1") == ("0.00", "0.00")
    practice.check()


def test_the_835_of_a_check_already_keyed_posts_nothing_and_opens_a_conflict(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    _key(practice, eob_csv(line()))
    result = practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                              svc("99213", "100", "80", "CO*45*20")),
                                    trace="CHK100"))
    assert (result.set_statuses, result.posted) == (["conflict"], 0)
    assert practice.items() == [("duplicate_conflict", None)]
    assert len(_entries(practice)) == 2
    practice.check()
