"""The BAI2 reader alone (no database): records, continuations, funds types, returns and
the checks that reject a file naming the record."""

from __future__ import annotations

from edi_posting.bank.bai2 import read_bai2
from edi_posting.bank.traces import normalize_trace
from tests.bank import bai2, detail


def _read(text: str):  # type: ignore[no-untyped-def]
    return read_bai2(text, file_name="bank.bai", sha256="0" * 64)


def test_a_detail_without_text_keeps_its_references_clean() -> None:
    read = _read(bai2(["16,165,500,Z,B1,C-77/"]))
    [line] = read.lines
    assert (line.bank_reference, line.customer_reference, line.text, line.trace) == (
        "B1", "C-77", "", "C77")


def test_funds_types_with_extra_fields_are_skipped_to_the_references() -> None:
    read = _read(bai2(["16,301,100,S,50,25,25,B1,C1,SPLIT AVAILABILITY"],
                      ["16,301,200,D,2,0,150,1,50,B2,C2,DISTRIBUTED"]))
    assert [(x.bank_reference, x.customer_reference, x.text) for x in read.lines] == [
        ("B1", "C1", "SPLIT AVAILABILITY"), ("B2", "C2", "DISTRIBUTED")]


def test_an_account_header_continued_in_an_88_record_is_read_whole() -> None:
    text = bai2(detail("165", 700, "B1", "X")).replace(
        "03,0012345678,USD,010,700,1,Z/", "03,0012345678,USD,010,700,1,Z/\n88,015,0,,Z/")
    # the 88 is one more record at every level
    text = text.replace("49,1400,3/", "49,1400,4/").replace("98,1400,1,5/", "98,1400,1,6/")
    text = text.replace("99,1400,1,7/", "99,1400,1,8/")
    read = _read(text)
    assert read.problems == () and [x.amount_cents for x in read.lines] == [700]


def test_return_type_codes_are_debits_that_return_an_item() -> None:
    read = _read(bai2(detail("555", 6400, "B2", "RETURNED NSF", customer="0777"),
                      detail("475", 100, "B3", "CHECK PAID")))
    assert [(x.amount_cents, x.is_return, x.trace) for x in read.lines] == [
        (-6400, True, "777"), (-100, False, "B3")]


def test_a_detail_outside_an_account_is_rejected_naming_its_record() -> None:
    read = _read("01,BANK,PRACTICE,260311,0600,1,,,2/\n16,165,100,Z,B1,B1,X/\n")
    [problem] = read.problems
    assert (problem.code, problem.element, problem.message) == (
        "BANK_STRUCTURE_INVALID", "16", "record 2 (16) outside an account (03)")


def test_traces_compare_without_case_spaces_dashes_or_leading_zeros() -> None:
    assert {normalize_trace(t) for t in ("EFT-0012345", "eft 12345", "EFT12345")} == {
        "EFT12345"}
    assert normalize_trace("000") is None
