"""Parse stage, 837: which segments belong in which part of a transaction set.

:class:`~edi_posting.x12.claim837.loops.SetParser` dispatches each segment to a handler by its
ID and used to pass over any ID it had no handler for, so a misspelled ``SV9`` carrying a
service line's charge vanished and its claim was charged without it.  Every segment now
has to belong where it sits (837P/837I/837D, 005010X222A1/X223A2/X224A2 and the 4010
X098A1/X096A1/X097A1 guides): an unknown segment ID is ``UNKNOWN_SEGMENT``, a known one
out of place ``UNEXPECTED_SEGMENT`` (the codes of the 835 side,
:mod:`~edi_posting.x12.remit835.layout`).  Inside a claim (2300-2330) or a service line
(2400-2440) the problem is the claim's, so the claim is held, not charged; elsewhere it is
the set's.  The lists are the union over the guides' nested loops, generous on purpose: a
segment a guide allows must never become a problem.
"""

from __future__ import annotations

import enum

from edi_posting.records.problems import Problem
from edi_posting.records.source import SourceRef
from edi_posting.x12.strays import stray_segment_problem

__all__ = ["ALLOWED", "KNOWN_837_SEGMENTS", "OPENERS", "Area", "belongs", "stray_segment"]


class Area(enum.IntEnum):
    """The part of an 837 set the parser is in (what the last loop-opening segment opened)."""

    HEADER = 0  # BHT, 1000A submitter, 1000B receiver
    PARTY = 1  # 2000A/B/C HL levels and their 2010 name loops, before a CLM
    CLAIM = 2  # 2300 CLM with 2310 providers, 2320 other subscriber, 2330 other payers
    LINE = 3  # 2400 LX with 2410 drug, 2420 providers, 2430 SVD, 2440 LQ


_NAME = frozenset({"NM1", "N2", "N3", "N4", "REF", "PER", "PRV"})
_CLAIM_INFO = frozenset({
    "DTP", "CL1", "DN1", "DN2", "PWK", "CN1", "DSB", "UR", "AMT", "REF", "K3", "NTE", "CR1",
    "CR2", "CR3", "CR4", "CR5", "CR6", "CR7", "CR8", "CRC", "HI", "QTY", "HCP", "HSD", "MEA",
    "CUR"})
_OTHER_SUBSCRIBER = frozenset({"SBR", "CAS", "AMT", "DMG", "OI", "MIA", "MOA", "DTP"})
_LINE_INFO = frozenset({
    "SV1", "SV2", "SV3", "SV4", "SV5", "SV6", "SV7", "TOO", "PWK", "CR1", "CR2", "CR3", "CR4",
    "CR5", "CRC", "DTP", "QTY", "MEA", "CN1", "REF", "AMT", "K3", "NTE", "PS1", "HSD", "HCP",
    "LIN", "CTP", "SVD", "CAS", "LQ", "FRM", "IMM"})

# Segments a loop may hold besides the loop openers (HL, CLM, LX), which the parser's
# state machine handles itself (see OPENERS).
ALLOWED: dict[Area, frozenset[str]] = {
    Area.HEADER: frozenset({"BHT", "REF"}) | _NAME,
    Area.PARTY: _NAME | {"CUR", "SBR", "PAT", "DMG"},
    Area.CLAIM: _CLAIM_INFO | _NAME | _OTHER_SUBSCRIBER,
    Area.LINE: _LINE_INFO | _NAME,
}
# Where a loop-opening segment may stand: HL and CLM anywhere (a CLM before any HL is
# still read, and held for its missing subscriber), LX in a claim.
OPENERS: dict[str, frozenset[Area]] = {
    "HL": frozenset(Area),
    "CLM": frozenset(Area),
    "LX": frozenset({Area.CLAIM, Area.LINE}),
}
KNOWN_837_SEGMENTS = frozenset().union(*ALLOWED.values()) | set(OPENERS) | {"ST", "SE"}
_WHERE = {Area.HEADER: "the header (before the first HL)",
          Area.PARTY: "an HL level (before its claims)", Area.CLAIM: "a claim (CLM) loop",
          Area.LINE: "a service line (LX) loop"}


def belongs(tag: str, area: Area) -> bool:
    """True when a segment with this (upper-case) ID may stand in this area."""
    return area in OPENERS[tag] if tag in OPENERS else tag in ALLOWED[area]


def stray_segment(tag: str, position: int, area: Area, source: SourceRef) -> Problem:
    """The problem for a segment that does not belong where it sits: what it is, where."""
    held = "the claim is held, not charged (its content may be missing)"
    return stray_segment_problem(tag, position, source, is_known=tag in KNOWN_837_SEGMENTS,
                                 transaction="837", where=_WHERE[area],
                                 consequence=held if area in (Area.CLAIM, Area.LINE) else None)
