"""Raw X12 segments of an archived file, as the payer or biller sent them.

The case view (``queue show``) and the evidence packet both show the segments a decision
rests on.  They are read back from the archived bytes by the segment positions stored at
import, never from a copy kept elsewhere, and only through
:func:`edi_posting.archive.integrity.read_archived`, which refuses bytes that no longer hash
to the SHA-256 recorded when the file arrived (a tampered archive is a data error, never
evidence).
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import Connection

from edi_posting.archive.integrity import read_archived
from edi_posting.logs import mask_segments
from edi_posting.x12.reader import X12Reader

__all__ = ["BILLED_CLAIM_ENDS", "CLAIM_PAYMENT_ENDS", "MAX_SEGMENTS", "ONE_SEGMENT",
           "file_segments"]

MAX_SEGMENTS = 2_000  # a held transaction set is sent whole, up to this many segments
CLAIM_PAYMENT_ENDS = frozenset({"CLP", "LX", "PLB", "SE"})
BILLED_CLAIM_ENDS = frozenset({"CLM", "HL", "SE"})
ONE_SEGMENT: frozenset[str] = frozenset()  # with limit=1: the one segment


def file_segments(conn: Connection, file_id: int | None, start: int | None,
                  ends: frozenset[str], limit: int = MAX_SEGMENTS, *,
                  mask: bool = False) -> list[dict[str, Any]]:
    """Segments of an archived file from position ``start`` to the next segment in ``ends``
    (exclusive), as sent (``mask``: a person's PHI masked), each with its position."""
    if file_id is None or start is None:
        return []
    content = read_archived(conn, file_id)  # refuses bytes that differ from the recorded hash
    found: list[tuple[int, list[str]]] = []
    reader = X12Reader(io.BytesIO(content))
    for elements, position in reader.segments():
        if position < start:
            continue
        if (position > start and elements[0] in ends) or len(found) >= limit:
            break
        found.append((position, list(elements)))
    if not found:
        return []
    texts = [e for _, e in found]
    shown = list(mask_segments(texts)) if mask else texts
    assert reader.delimiters is not None
    d = reader.delimiters
    return [{"position": position, "segment": d.element.join(elements) + d.terminator}
            for (position, _), elements in zip(found, shown, strict=True)]
