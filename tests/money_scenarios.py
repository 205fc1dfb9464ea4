"""The scenario data of the money state machine: four billed claims, and fifteen 835 sets
that pay, deny (also with $0 paid), pay twice, recoup, reverse (with and without the
correction), pay claims nobody billed (and reverse one of those), carry an unlinked PLB or
interest, or do not balance.

X12 written with the builders of ``tests/x835.py``; every set has its own TRN02 (so no two
share an identity) and its own ST02 (``SET_CONTROLS``), kept when a set is re-sent.
"""

from __future__ import annotations

import re

from tests.x12build import build_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

PLB = "PLB*1234567893*20261231*"

# --- the practice's claims and what the payer sends back ------------------------------------

CLAIMS = {"PCN1": (("HC:99213", "100"),), "PCN2": (("HC:99213", "100"),),
          "PCN3": (("HC:99214", "150"),), "PCN4": (("HC:99213", "100"),)}


def stranger(pcn: str, charge: str, paid: str, *segments: str, pr: str = "0",
             status: str = "1") -> str:
    """A claim payment whose PCN, member ID and name match nothing billed."""
    return (f"CLP*{pcn}*{status}*{charge}*{paid}*{pr}*12*ICN{pcn}*11*1~\n"
            "NM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n" + "".join(segments))


def _line(pcn: str, code: str, charge: str, paid: str, *cas: str) -> str:
    return svc(code, charge, paid, *cas, line_control=f"{pcn}-1")


_PAID_1 = clp("PCN1", "1", "100", "64", "16", "ICN1",
              _line("PCN1", "99213", "100", "64", "CO*45*20", "PR*2*16"))
_REVERSED_1 = clp("PCN1", "22", "-100", "-64", "-16", "ICN1",
                  _line("PCN1", "99213", "-100", "-64", "CO*45*-20", "PR*2*-16"))

_WRONG_REVERSED = stranger("WRONG2", "-100", "-70", svc("99213", "-100", "-70", "CO*45*-20",
                                                     "PR*1*-10"), pr="-10", status="22")

# Each set has its own TRN02, so no two of them share an identity.
REMITS: dict[str, str] = {
    "paid_pcn1": remit("64", _PAID_1, trace="T-PAID1"),
    "paid_pcn3_with_interest": remit(
        "122", clp("PCN3", "1", "150", "120", "0", "ICN3", "AMT*I*2~\n",
                   _line("PCN3", "99214", "150", "120", "CO*45*30")),
        trace="T-PAID3", plb=f"{PLB}L6*-2~"),
    "denied_pcn2": remit("0", clp("PCN2", "4", "100", "0", "0", "ICN2D",
                                  _line("PCN2", "99213", "100", "0", "CO*16*100")),
                         trace="T-DENY2", method="NON"),
    "paid_twice_pcn1": remit("100", clp("PCN1", "1", "100", "100", "0", "ICN1B",
                                        _line("PCN1", "99213", "100", "100")), trace="T-TWICE1"),
    "pcn2_paid_and_pcn1_recouped": remit(
        "0", clp("PCN2", "1", "100", "90", "0", "ICN2P",
                 _line("PCN2", "99213", "100", "90", "CO*45*10")),
        trace="T-RECOUP", method="NON", plb=f"{PLB}WO:ICN1B*90~"),
    "stranger_paid": remit("50", stranger("NOSUCH1", "70", "50",
                                          svc("99213", "70", "50", "CO*45*20")), trace="T-STRAY"),
    "wrong_pcn_with_shares": remit("70", stranger(
        "WRONG2", "100", "70", svc("99213", "100", "70", "CO*45*20", "PR*1*10"), pr="10"),
        trace="T-WRONG2"),
    "reversal_and_correction_pcn1": remit(
        "6", _REVERSED_1, clp("PCN1", "1", "100", "70", "10", "ICN1C",
                              _line("PCN1", "99213", "100", "70", "CO*45*20", "PR*2*10")),
        trace="T-REV1"),
    "reversal_alone_pcn1": remit("0", _REVERSED_1, trace="T-REVONLY", method="NON",
                                 plb=f"{PLB}FB:ICN1*-64~"),
    "correction_later_pcn1": remit("16", clp("PCN1", "1", "100", "80", "0", "ICN1L",
                                             _line("PCN1", "99213", "100", "80", "CO*45*20")),
                                   trace="T-CORR1", plb=f"{PLB}FB:ICN1*64~"),
    "unlinked_plb": remit("20", stranger("NOSUCH2", "30", "30", svc("99213", "30", "30")),
                          trace="T-PLBX", plb=f"{PLB}WO:ICNX9*10~"),
    "paid_pcn4": remit("80", clp("PCN4", "1", "100", "80", "0", "ICN4",
                                 _line("PCN4", "99213", "100", "80", "CO*45*20")), trace="T-PCN4"),
    "zero_paid_pcn4": remit("0", clp("PCN4", "1", "100", "0", "0", "ICN4Z",
                                      _line("PCN4", "99213", "100", "0", "CO*50*100")),
                            trace="T-ZERO4", method="NON"),
    "wrong_pcn_reversed": remit("0", _WRONG_REVERSED, trace="T-WRONGREV", method="NON",
                                plb=f"{PLB}FB:ICNWRONG2*-70~"),
    "unbalanced_pcn3": remit("50", clp("PCN3", "1", "150", "50", "0", "ICN3U",
                                       _line("PCN3", "99214", "150", "60", "CO*45*90")),
                             trace="T-UNBAL"),
}

SET_CONTROLS = {name: number for number, name in enumerate(REMITS, start=1)}  # ST02
GENERATED_MIX = ("paid=2,contractual=4,denied=1,reversal=1,reversal_later=1,orphan_reversal=1,"
                 "overpaid=1,interest=1,plb_cs=1,unknown_pcn=1")


def with_set_controls(text: str, numbers: list[int]) -> str:
    """``text`` (sets numbered 0001, 0002... by build_x12) with these ST02/SE02 instead."""
    for position, number in enumerate(numbers, start=1):
        text = re.sub(rf"^(ST\*835\*){position:04d}\b", rf"\g<1>#{number:04d}", text,
                      flags=re.MULTILINE)
        text = re.sub(rf"^(SE\*\d+\*){position:04d}~", rf"\g<1>#{number:04d}~", text,
                      flags=re.MULTILINE)
    return text.replace("*#", "*")


def claim_file(pcn: str) -> str:
    """One 837 per claim, its own BHT03 and ISA13: the same bytes every time it is sent."""
    body = (HEADER.replace("BATCH1", f"BATCH-{pcn}").split("~", 1)[1] + subscriber(2)
            + claim(pcn, *CLAIMS[pcn]))
    return build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control=f"{900000000 + sorted(CLAIMS).index(pcn):09d}")
