"""837 files -> (envelope, :class:`ClaimBatch`) per transaction set, plus file problems.

Interim reader: it tokenizes the whole text with the ISA's separators.  It is to be
replaced by the shared streaming reader (``edi_posting.x12.reader``) so that 835 and 837
share one tokenizer; 837 files are batches of at most a few thousand claims, so reading
one whole is bounded in practice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edi_posting.problems import Problem, Severity
from edi_posting.records.claim import ClaimBatch
from edi_posting.records.source import SourceRef
from edi_posting.x12.claim837 import parse_claim_set, parse_date
from edi_posting.x12.envelope import Envelope

__all__ = ["ClaimSetRead", "read_claim_file"]


@dataclass(frozen=True, slots=True)
class ClaimSetRead:
    envelope: Envelope | None
    batch: ClaimBatch


def _separators(text: str) -> tuple[str, str, str] | None:
    """(element, component, terminator) from the ISA, or None when there is no ISA."""
    if not text.startswith("ISA") or len(text) < 106:
        return None
    element = text[3]
    parts = text.split(element, 16)
    if len(parts) < 17 or not parts[16]:
        return None
    return element, parts[16][0], parts[16][1] if len(parts[16]) > 1 else "~"


def read_claim_file(path: Path, sha256: str) -> tuple[list[ClaimSetRead], list[Problem]]:
    raw = path.read_bytes()
    source = SourceRef(sha256, path.name)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4096]:
        return [], [Problem("NOT_TEXT", Severity.FATAL, f"{path.name}: UTF-16 or binary, not X12 "
                            "(convert to ASCII or UTF-8)", source.at(1))]
    text = raw.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    separators = _separators(text)
    if separators is None:
        return [], [Problem("NO_INTERCHANGE", Severity.FATAL,
                            f"{path.name}: does not start with a readable ISA segment",
                            source.at(1), "ISA")]
    element, component, terminator = separators
    segments = [s.strip(" \t\r\n") for s in text.split(terminator)]
    return _walk([s for s in segments if s], element, component, source)


def _walk(
    segments: list[str], element: str, component: str, source: SourceRef
) -> tuple[list[ClaimSetRead], list[Problem]]:
    reads: list[ClaimSetRead] = []
    problems: list[Problem] = []
    isa: list[str] = []
    gs: list[str] = []
    isa_pos = gs_pos = st_pos = 0
    st: list[str] | None = None
    body: list[tuple[list[str], int]] = []
    for position, segment in enumerate(segments, start=1):
        elements = segment.split(element)
        tag = elements[0].upper()
        if tag in ("ISA", "GS", "ST") and st is not None:
            problems.append(_unterminated(st, st_pos, source))
            st = None
        if tag == "ISA":
            isa, isa_pos = elements, position
        elif tag == "GS":
            gs, gs_pos = elements, position
        elif tag == "ST":
            st, st_pos, body = elements, position, []
        elif tag == "SE" and st is not None:
            envelope = _envelope(isa, isa_pos, gs, gs_pos)
            set_source = SourceRef(source.file_sha256, source.file_name, _at(isa, 13),
                                   _at(gs, 6), _at(st, 2), st_pos)
            batch = parse_claim_set(
                st, body, source=set_source, component=component,
                group_version=_at(gs, 8), submitter_id=_at(isa, 6) or _at(gs, 2),
                receiver_id=_at(isa, 8) or _at(gs, 3), segment_count=len(body) + 2,
            )
            reads.append(ClaimSetRead(envelope, batch))
            st = None
        elif st is not None:
            body.append((elements, position))
    if st is not None:
        problems.append(_unterminated(st, st_pos, source))
    return reads, problems


def _unterminated(st: list[str], position: int, source: SourceRef) -> Problem:
    return Problem("MISSING_SE", Severity.FATAL,
                   f"transaction set {_at(st, 2)} has no SE trailer; nothing of it is imported",
                   source.at(position), "SE")


def _at(elements: list[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


def _date6(text: str) -> dt.date | None:
    return parse_date("20" + text) if len(text) == 6 else None


def _envelope(isa: list[str], isa_pos: int, gs: list[str], gs_pos: int) -> Envelope | None:
    if not isa or not gs:
        return None
    return Envelope(
        _at(isa, 5), _at(isa, 6), _at(isa, 7), _at(isa, 8), _at(isa, 13), _date6(_at(isa, 9)),
        _at(isa, 10) or None, _at(isa, 12) or None, _at(isa, 15) or None, isa_pos,
        _at(gs, 1), _at(gs, 2), _at(gs, 3), parse_date(_at(gs, 4)), _at(gs, 6), _at(gs, 8),
        gs_pos,
    )
