"""Segments that do not belong where they sit, in any transaction set (835 and 837 alike).

The layouts (``layout835``, ``layout837``) say which segment may stand where; this module
says how a stray one is reported: one problem shape, and one rule for what of it is shown.
A segment ID that looks like one (``PLXX``, ``SV9``) is named, so the user can find the
typo; anything else is withheld, since a garbled line may be a piece of patient data.
"""

from __future__ import annotations

import re

from edi_posting.logs import withheld
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["SEGMENT_ID", "STRAY_CODES", "shown_segment_id", "stray_segment_problem"]

SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,3}")
STRAY_CODES = frozenset({ProblemCode.UNKNOWN_SEGMENT, ProblemCode.UNEXPECTED_SEGMENT})


def shown_segment_id(tag: str) -> str:
    """The ID as it may be shown: itself when it looks like a segment ID, else withheld."""
    return tag if SEGMENT_ID.fullmatch(tag) else withheld(tag)


def stray_segment_problem(tag: str, position: int, source: SourceRef, *, is_known: bool,
                          transaction: str, where: str, consequence: str | None) -> Problem:
    """``UNEXPECTED_SEGMENT`` (a known segment out of place, ``where`` it sits) or
    ``UNKNOWN_SEGMENT`` (no segment of ``transaction``); ``consequence`` says what the stray
    does to its unit (held), when it does anything."""
    shown = shown_segment_id(tag)
    what = f"{shown} segment at position {position}"
    if is_known:
        message = f"{what} does not belong in {where}: it was not read"
    else:
        message = f"{what} is not an {transaction} segment: its content was not read"
    if consequence:
        message += f"; {consequence}"
    return Problem(ProblemCode.UNEXPECTED_SEGMENT if is_known else ProblemCode.UNKNOWN_SEGMENT,
                   Severity.ERROR,
                   message, source.at(position), shown)
