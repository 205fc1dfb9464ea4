"""Raw X12 segments of an archived file, as the payer or biller sent them.

The case view (``queue show``) and the evidence packet both show the segments a decision
rests on.  They are read back from the archived bytes by the segment positions stored at
import, never from a copy kept elsewhere, and only through
:func:`edi_posting.archive.integrity.read_archived`, which refuses bytes that no longer hash
to the SHA-256 recorded when the file arrived (a tampered archive is a data error, never
evidence).

The case view asks for each segment's elements too (``failing`` given): each element's
reference, its name in the implementation guide
(:mod:`edi_posting.x12.validation.element_names`), its value as shown (masked under
``mask``: a name is no PHI, so names stay) and whether a problem of the case names it
(segment position and element, as a :class:`Problem` does), so the screen can put the name on hover and mark the element that failed.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import Connection

from edi_posting.archive.integrity import read_archived
from edi_posting.logs import mask_segments
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.reader import X12Reader
from edi_posting.x12.validation.element_names import Guide, name_elements

__all__ = ["BILLED_CLAIM_ENDS", "CLAIM_PAYMENT_ENDS", "MAX_SEGMENTS", "ONE_SEGMENT",
           "Failing", "file_segments"]

# (segment position, element ref such as "CLP04") -> the message of the problem naming it
Failing = dict[tuple[int, str], str]

MAX_SEGMENTS = 2_000  # a held transaction set is sent whole, up to this many segments
CLAIM_PAYMENT_ENDS = frozenset({"CLP", "LX", "PLB", "SE"})
BILLED_CLAIM_ENDS = frozenset({"CLM", "HL", "SE"})
ONE_SEGMENT: frozenset[str] = frozenset()  # with limit=1: the one segment


def file_segments(conn: Connection, file_id: int | None, start: int | None,
                  ends: frozenset[str], limit: int = MAX_SEGMENTS, *,
                  mask: bool = False, failing: Failing | None = None) -> list[dict[str, Any]]:
    """Segments of an archived file from position ``start`` to the next segment in ``ends``
    (exclusive), as sent (``mask``: a person's PHI masked), each with its position; with
    ``failing``, each with its named ``elements`` too, those ``failing`` names marked."""
    if file_id is None or start is None:
        return []
    content = read_archived(conn, file_id)  # refuses bytes that differ from the recorded hash
    found: list[tuple[int, list[str]]] = []
    reader = X12Reader(io.BytesIO(content))
    guide = _GuideSeen()
    for elements, position in reader.segments():
        if position < start:
            guide.see(elements)
            continue
        if (position > start and elements[0] in ends) or len(found) >= limit:
            break
        guide.see(elements)
        found.append((position, list(elements)))
    if not found:
        return []
    texts = [e for _, e in found]
    shown = list(mask_segments(texts)) if mask else texts
    assert reader.delimiters is not None
    d = reader.delimiters
    segments = [{"position": position, "segment": d.element.join(elements) + d.terminator}
                for (position, _), elements in zip(found, shown, strict=True)]
    if failing is not None:
        _add_elements(segments, guide.guide, texts, shown, d, failing)
    return segments


class _GuideSeen:
    """The guide of the segments read so far: ISA12, GS01 and GS08 of the last envelope
    (a rejected file may have none: its segments are then named from the envelope map)."""

    def __init__(self) -> None:
        self.icvn: str | None = None
        self.guide: Guide | None = None

    def see(self, elements: list[str]) -> None:
        if elements[0] == "ISA" and len(elements) > 12:
            self.icvn = elements[12]
        elif elements[0] == "GS" and len(elements) > 8:
            self.guide = Guide(self.icvn, elements[1], elements[8])


def _add_elements(segments: list[dict[str, Any]], guide: Guide | None,
                  texts: list[list[str]], shown: list[list[str]], d: Delimiters,
                  failing: Failing) -> None:
    """Each segment's ID, separators and elements: named from the segments as sent (a
    qualifier picks the loop), valued as shown."""
    names = name_elements(guide, texts, d.component)
    for segment, named, values in zip(segments, names, shown, strict=True):
        position = segment["position"]
        segment.update(id=values[0], separator=d.element, terminator=d.terminator)
        segment["elements"] = [
            {"ref": n.ref, "name": n.name, "value": value,
             "failing": (position, n.ref) in failing,
             "problem": failing.get((position, n.ref))}
            for n, value in zip(named, values[1:], strict=True)]


def failing_elements(evidence: dict[str, Any] | None) -> Failing:
    """The elements the problems of an item's evidence name (its ``problems``, a claim's
    balancing; its ``problem``, a held set's or a rejected file's), by segment position and
    element ref; a composite's component (``SVC01-2``) marks its element (``SVC01``)."""
    evidence = evidence or {}
    problems = list(evidence.get("problems") or [])
    if evidence.get("problem"):
        problems.append(evidence["problem"])
    failing: Failing = {}
    for problem in problems:
        position, element = problem.get("segment_position"), problem.get("element")
        if isinstance(position, int) and isinstance(element, str) and element:
            failing.setdefault((position, element.split("-")[0]), str(problem.get("message")))
    return failing
