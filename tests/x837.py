"""Write 837 scenarios in X12 inside a test: a subscriber/claim builder and a set parser.

``claim_set(...)`` returns the segments of one ST..SE set; ``batch_of(text)`` parses them
with the real 837 parser (without the file reader, so intake tests need no files).
"""

from __future__ import annotations

from decimal import Decimal

from edi_posting.records.claim import ClaimBatch
from edi_posting.records.source import SourceRef
from edi_posting.x12.claim837.parser import parse_claim_set

HEADER = """ST*837*0001*005010X222A1~
BHT*0019*00*BATCH1*20260301*1200*CH~
NM1*41*2*GOOD HEALTH CLINIC*****46*SUBMIT01~
NM1*40*2*ACME CLEARING*****46*RECV01~
HL*1**20*1~
NM1*85*2*GOOD HEALTH CLINIC*****XX*1234567893~
N3*1 MAIN ST~
N4*SPRINGFIELD*IL*62701~
REF*EI*371234567~
"""


def subscriber(
    hl: int,
    last: str = "ZQCANARY",
    first: str = "ALBA",
    member: str = "ZQM000111",
    dob: str = "19800115",
    payer: str = "ACME HEALTH",
    payer_id: str = "ACME01",
) -> str:
    return (
        f"HL*{hl}*1*22*0~\nSBR*P*18*GRP77******CI~\n"
        f"NM1*IL*1*{last}*{first}****MI*{member}~\nN3*9 ELM ST~\nN4*SPRINGFIELD*IL*62701~\n"
        f"DMG*D8*{dob}*F~\nNM1*PR*2*{payer}*****PI*{payer_id}~\n"
    )


def claim(pcn: str, *lines: tuple[str, str], total: str | None = None, freq: str = "1",
          f8: str | None = None, dos: str = "20260220") -> str:
    """lines: (procedure composite, charge)."""
    charge = total if total is not None else str(sum(Decimal(c) for _, c in lines))
    text = f"CLM*{pcn}*{charge}***11:B:{freq}*Y*A*Y*Y~\n"
    if f8:
        text += f"REF*F8*{f8}~\n"
    text += "HI*ABK:J449~\n"
    for number, (procedure, amount) in enumerate(lines, start=1):
        text += (f"LX*{number}~\nSV1*{procedure}*{amount}*UN*1***1~\nDTP*472*D8*{dos}~\n"
                 f"REF*6R*{pcn}-{number}~\n")
    return text


def batch_of(body: str, *, control: str = "0001", bht: str = "BATCH1", sha: str = "f" * 64) -> ClaimBatch:
    text = body if body.startswith("ST*") else HEADER.replace("BATCH1", bht) + body
    segments = [s.strip() for s in text.split("~") if s.strip()]
    st = segments[0].split("*")
    st[2] = control
    parsed = [(s.split("*"), position) for position, s in enumerate(segments[1:], start=4)]
    return parse_claim_set(
        st, parsed, source=SourceRef(sha, "test.837", "000000001", "1", control, 3),
        component=":", group_version="005010X222A1", submitter_id="SUBMIT01",
        receiver_id="RECV01", segment_count=len(segments) + 1,
    )
