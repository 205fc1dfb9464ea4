"""The streaming X12 reader: separators, layouts, envelopes and hostile input."""

from __future__ import annotations

import hashlib
import io
import time

import pytest

from edi_posting.records.problems import Severity
from edi_posting.x12.reader import X12Reader
from tests.x12build import build_x12

BODY = """
BPR*I*100*C*CHK************20260105~
TRN*1*12345*1512345678~
N1*PR*PAYER~
N1*PE*CLINIC*XX*1234567893~
LX*1~
CLP*PCN1*1*150*100**12*ICN1~
CAS*CO*45*50~
"""


def read(data: bytes, **kwargs: object) -> tuple[list[tuple[str, list[list[str]], list[str]]],
                                                  X12Reader]:
    """(control number, body segments, set problem codes) per set, and the reader."""
    reader = X12Reader(io.BytesIO(data), **kwargs)  # type: ignore[arg-type]
    sets = []
    for tset in reader:
        body = [elements for elements, _ in tset]
        sets.append((tset.control_number, body, [p.code for p in tset.problems]))
    return sets, reader


def codes(reader: X12Reader) -> list[str]:
    return [p.code for p in reader.problems]


def test_reads_segments_with_positions_and_elements_by_x12_index() -> None:
    reader = X12Reader(io.BytesIO(build_x12(BODY).encode()))
    tset = next(iter(reader))
    segments = list(tset)
    assert tset.transaction_id == "835" and tset.control_number == "0001"
    assert tset.group is not None and tset.group.functional_id == "HP"
    assert segments[0] == (["BPR", "I", "100", "C", "CHK", "", "", "", "", "", "", "", "", "",
                            "", "", "20260105"], 4)
    clp = next(e for e, _ in segments if e[0] == "CLP")
    assert clp[4] == "100"
    assert tset.is_complete and tset.problems == [] and tset.segment_count == 9
    assert list(reader) == [] and reader.problems == []


@pytest.mark.parametrize("terminator,line_break", [
    ("~", "\n"), ("~", "\r\n"), ("~", ""), ("~", "\r"), ("^", "\n"), ("\n", ""), ("\r", "\n"),
])
def test_any_terminator_and_line_break_style_reads_the_same(terminator: str,
                                                             line_break: str) -> None:
    expected, _ = read(build_x12(BODY).encode())
    sets, reader = read(build_x12(BODY, terminator=terminator, line_break=line_break,
                                  repetition="!").encode())
    assert sets == expected and reader.problems == []


def test_other_element_and_component_separators_come_from_the_isa() -> None:
    sets, reader = read(build_x12(BODY, element="|", component=">").encode())
    assert reader.delimiters is not None and reader.delimiters.component == ">"
    assert sets[0][1][0][:3] == ["BPR", "I", "100"]


def test_bom_indentation_and_line_breaks_inside_segments_are_tolerated() -> None:
    text = build_x12(BODY, line_break="\r\n    ").replace("CLP*PCN1", "CLP*PC\r\nN1")
    sets, reader = read(b"\xef\xbb\xbf" + text.encode())
    assert reader.problems == []
    assert ["CLP", "PCN1", "1", "150", "100", "", "12", "ICN1"] in sets[0][1]


def test_line_break_before_each_terminator_is_read_as_the_terminator_it_precedes() -> None:
    text = build_x12(BODY, element="|", component="^", repetition="!", terminator="\n~",
                     line_break="")
    sets, reader = read(text.encode())
    assert reader.delimiters is not None and reader.delimiters.terminator == "~"
    assert sets[0][2] == [] and len(sets[0][1]) == 7


def test_non_fixed_width_isa_is_read_by_its_separators_with_a_warning() -> None:
    text = build_x12(BODY).replace("*          *", "* *").replace("SENDER         ", "SENDER")
    sets, reader = read(text.encode())
    assert codes(reader) == ["ISA_NOT_FIXED_WIDTH"]
    assert reader.problems[0].severity is Severity.WARNING and len(sets[0][1]) == 7


def test_file_starting_at_st_has_inferred_separators_and_a_warning() -> None:
    sets, reader = read(build_x12(BODY, envelope=False).encode())
    assert codes(reader) == ["NO_ENVELOPE"] and sets[0][2] == []
    sets, reader = read(build_x12(BODY, envelope=False, terminator="\n", line_break="").encode())
    assert reader.delimiters is not None and reader.delimiters.terminator == "\n"
    assert len(sets[0][1]) == 7


def test_several_interchanges_groups_and_sets_in_one_file() -> None:
    one = build_x12(BODY, BODY, interchange_control="000000001")
    two = build_x12(BODY, interchange_control="000000002", group_control="7")
    sets, reader = read((one + two).encode())
    assert [s[0] for s in sets] == ["0001", "0002", "0001"] and reader.problems == []


def test_envelope_trailer_mismatches_are_errors_naming_the_element() -> None:
    text = build_x12(BODY).replace("SE*9*0001", "SE*8*0002").replace("GE*1*1", "GE*2*9")
    text = text.replace("IEA*1*000000001", "IEA*2*000000009")
    sets, reader = read(text.encode())
    assert sets[0][2] == ["SEGMENT_COUNT_MISMATCH", "TRANSACTION_CONTROL_MISMATCH"]
    assert codes(reader) == ["GROUP_COUNT_MISMATCH", "GROUP_CONTROL_MISMATCH",
                             "INTERCHANGE_COUNT_MISMATCH", "INTERCHANGE_CONTROL_MISMATCH"]
    assert {p.element for p in reader.problems} == {"GE01", "GE02", "IEA01", "IEA02"}
    assert all(p.severity is Severity.ERROR for p in reader.problems)


def test_truncated_file_reports_missing_trailers() -> None:
    text = build_x12(BODY)
    sets, reader = read(text[: text.index("CAS*CO")].encode())
    assert sets[0][2] == ["MISSING_SE"]
    assert codes(reader) == ["MISSING_GE", "MISSING_IEA"]


def test_set_without_se_before_the_next_st_is_fatal_for_that_set_only() -> None:
    text = build_x12(BODY, BODY).replace("SE*9*0001~\n", "", 1)
    sets, reader = read(text.encode())
    assert [s[2] for s in sets] == [["MISSING_SE"], []]
    assert codes(reader) == ["GROUP_COUNT_MISMATCH"] or codes(reader) == []


def test_unread_bodies_are_skipped_and_still_checked() -> None:
    reader = X12Reader(io.BytesIO(build_x12(BODY, BODY).encode()))
    tsets = list(reader)
    assert [t.is_complete for t in tsets] == [True, True] and reader.problems == []


def test_sha256_is_of_the_raw_bytes_read_in_chunks() -> None:
    data = build_x12(*[BODY] * 50).encode()
    _, reader = read(data, chunk_size=64)
    assert reader.sha256 == hashlib.sha256(data).hexdigest()


def test_small_chunks_split_segments_anywhere_and_read_the_same() -> None:
    data = build_x12(BODY, BODY, line_break="\r\n").encode()
    assert read(data, chunk_size=17)[0] == read(data)[0]


@pytest.mark.parametrize("data,code", [
    (b"", "EMPTY_FILE"),
    ("ISA*00".encode("utf-16"), "NOT_TEXT"),
    (b"\x00\x01\x02binary\x00" * 100, "NOT_TEXT"),
    (b"hello, this is not X12\n" * 5000, "NOT_X12"),
    (b"ISA*00*", "TRUNCATED"),
    (b"ISA*00*00~GS*HP~", "BAD_ISA"),
])
def test_non_x12_input_is_one_fatal_problem(data: bytes, code: str) -> None:
    sets, reader = read(data)
    assert sets == [] and codes(reader) == [code] and reader.is_fatal


def test_garbage_after_a_valid_head_stops_in_bounded_time() -> None:
    head = build_x12(BODY).encode()
    started = time.monotonic()
    _, reader = read(head + b"@@@@ garbage ~" * 200_000)
    assert "GARBAGE" in codes(reader) and time.monotonic() - started < 10
    _, reader = read(head + b"x" * 300_000)
    assert "SEGMENT_TOO_LONG" in codes(reader)


def test_envelope_record_carries_isa_and_gs_fields() -> None:
    tset = next(iter(X12Reader(io.BytesIO(build_x12(BODY).encode()))))
    envelope = tset.envelope
    assert envelope is not None
    assert (envelope.sender_id, envelope.interchange_control_number) == ("SENDER", "000000001")
    assert (envelope.functional_id, envelope.group_version) == ("HP", "005010X221A1")
    assert str(envelope.group_date) == "2026-01-01"
