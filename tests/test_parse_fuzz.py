"""Mutated 835s never crash the parser and finish in bounded time.

Hypothesis flips bytes, deletes, duplicates and swaps segments, changes separators and
truncates valid files.  The parser's last line of defence (a PARSER_FAILURE problem for an
unexpected exception) must never be needed either: it would hide a bug.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_posting.x12.remit835.parser import parse_835
from tests.x12build import build_x12

BODY = """
BPR*I*62*C*ACH*CCP*01*999999999*DA*123*1512345678**01*888888888*DA*456*20260105~
TRN*1*EFT1*1512345678~REF*EV*RCV~DTM*405*20260102~
N1*PR*ACME PLAN~N3*1 MAIN ST~N4*TOWN*PA*17111~REF*2U*99~PER*CX*DESK*TE*8005551212~
N1*PE*ACME CLINIC*XX*1234567893~
LX*1~TS3*1234567893*11*20261231*2*300~
CLP*PCN1*1*100*80*10*12*ICN1~NM1*QC*1*DOE*JANE****MI*M1~MOA***MA01~DTM*232*20251215~
SVC*HC:99213:25*100*80**1*HC:99214~DTM*472*20251215~CAS*CO*45*10~CAS*PR*3*10~REF*6R*L1~
AMT*B6*90~LQ*HE*N130~
CLP*PCN2*22*-200*-8*0*12*ICN2~CAS*CO*45*-192~MIA*1*2*3*4*MA15~AMT*I*1~QTY*CA*1~
PLB*1234567893*20261231*WO:ICN9*10*L6*-0~
"""
VALID = build_x12(BODY, BODY).encode()
SEGMENTS = VALID.split(b"~")

FAST = settings(max_examples=300, deadline=1000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def assert_parses(data: bytes) -> None:
    result = parse_835(io.BytesIO(data))
    problems = list(result.problems) + [p for r in result.remittances for p in r.problems]
    assert "PARSER_FAILURE" not in {p.code for p in problems}
    for remittance in result.remittances:
        assert all(isinstance(c.paid_cents, int) for c in remittance.claims)


@FAST
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8))
def test_flipped_bytes(flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for index, value in flips:
        data[index] = value
    assert_parses(bytes(data))


@FAST
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "swap"]),
                          st.integers(0, len(SEGMENTS) - 1), st.integers(0, len(SEGMENTS) - 1)),
                min_size=1, max_size=6))
def test_deleted_duplicated_and_swapped_segments(edits: list[tuple[str, int, int]]) -> None:
    segments = list(SEGMENTS)
    for action, first, second in edits:
        first, second = first % len(segments), second % len(segments)
        if action == "delete" and len(segments) > 1:
            del segments[first]
        elif action == "duplicate":
            segments.insert(first, segments[first])
        else:
            segments[first], segments[second] = segments[second], segments[first]
    assert_parses(b"~".join(segments))


@FAST
@given(st.sampled_from(list("*|^~:>!\n\r")), st.sampled_from(list("*|^~:>!\n\r")),
       st.sampled_from(list("~\n\r^|*")))
def test_changed_separators(element: str, component: str, terminator: str) -> None:
    text = VALID.decode()
    text = text.replace("*", "\x01").replace(":", "\x02").replace("~", "\x03")
    text = text.replace("\x01", element).replace("\x02", component).replace("\x03", terminator)
    assert_parses(text.encode())


@FAST
@given(st.integers(0, len(VALID)))
def test_truncated_anywhere(length: int) -> None:
    assert_parses(VALID[:length])


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    assert_parses(data)


@FAST
@given(st.text(alphabet="ISAGESTCLPVB*~:^\n 0123456789.-", max_size=600))
def test_x12_shaped_text(text: str) -> None:
    assert_parses(text.encode())
    assert_parses(("ISA*00*" + text).encode())
