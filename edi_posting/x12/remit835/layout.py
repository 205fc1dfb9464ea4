"""Parse stage, 835: which segments belong in which part of a transaction set.

The parser (:mod:`edi_posting.x12.remit835.loops`) gathers a loop's segments into a bucket and
reads from it only the tags it knows, so a segment it did not expect used to vanish: a
misspelled ``PLXX`` carrying the provider adjustments was dropped and its set posted as
balanced, its money silently different.  Every segment now has to belong where it sits
(005010X221A1, and 004010X091A1, which has the same segments in the same loops): an
unknown segment ID is ``UNKNOWN_SEGMENT``, a known one out of place
``UNEXPECTED_SEGMENT``.  Where money lives (a claim, a service line, the summary and the
PLB footer after the claims) the set is held, as one that cannot be balanced: its BPR02
waits in unapplied cash under a ``balancing_failure`` item naming the segment.
"""

from __future__ import annotations

import enum

from edi_posting.records.problems import Problem
from edi_posting.records.source import SourceRef
from edi_posting.x12.strays import stray_segment_problem

__all__ = ["ALLOWED", "KNOWN_835_SEGMENTS", "Area", "is_money_area", "stray_segment"]


class Area(enum.IntEnum):
    """The part of an 835 set the parser is in (what the last loop-opening segment opened)."""

    HEADER = 0  # BPR .. DTM*405
    PARTY = 1  # 1000A/1000B: N1 loops
    SUMMARY = 2  # 2000: LX, TS3, TS2
    CLAIM = 3  # 2100: CLP ..
    LINE = 4  # 2110: SVC ..
    FOOTER = 5  # PLB


# Segments gathered into the current loop's bucket (loop-opening ones, CLP, SVC, LX, TS3,
# TS2, PLB and N1, are handled by the parser's state machine itself).
ALLOWED: dict[Area, frozenset[str]] = {
    Area.HEADER: frozenset({"BPR", "TRN", "CUR", "REF", "DTM"}),
    Area.PARTY: frozenset({"N2", "N3", "N4", "REF", "PER", "RDM"}),
    Area.SUMMARY: frozenset(),
    Area.CLAIM: frozenset({"CAS", "NM1", "MIA", "MOA", "REF", "DTM", "PER", "AMT", "QTY"}),
    Area.LINE: frozenset({"DTM", "CAS", "REF", "AMT", "QTY", "LQ"}),
    Area.FOOTER: frozenset(),
}
KNOWN_835_SEGMENTS = frozenset().union(*ALLOWED.values()) | {
    "ST", "SE", "N1", "LX", "TS3", "TS2", "CLP", "SVC", "PLB"}
_MONEY_AREAS = frozenset({Area.SUMMARY, Area.CLAIM, Area.LINE, Area.FOOTER})
_WHERE = {Area.HEADER: "the header", Area.PARTY: "a payer/payee (N1) loop",
          Area.SUMMARY: "the LX/TS3/TS2 summary", Area.CLAIM: "a claim (CLP) loop",
          Area.LINE: "a service line (SVC) loop", Area.FOOTER: "the PLB footer"}


def is_money_area(area: Area) -> bool:
    return area in _MONEY_AREAS


def stray_segment(tag: str, position: int, area: Area, source: SourceRef) -> Problem:
    """The problem for a segment that does not belong where it sits: what it is, where."""
    held = "the set is held (its money cannot be balanced without it)"
    return stray_segment_problem(tag, position, source, is_known=tag in KNOWN_835_SEGMENTS,
                                 transaction="835", where=_WHERE[area],
                                 consequence=held if is_money_area(area) else None)
