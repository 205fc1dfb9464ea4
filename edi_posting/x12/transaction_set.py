"""Read stage, the envelope's records: ISA, GS, and the ST..SE view the reader hands out.

:class:`Interchange` and :class:`Group` are the ISA and GS headers as the reader saw them;
:class:`TransactionSet` is one ST..SE set whose body segments are read once, on demand,
from the :class:`~edi_posting.x12.reader.X12Reader` that made it (which documents how to
use both; every name here is importable from :mod:`edi_posting.x12.reader`).  The set
checks its own trailer (SE01 count, SE02 control number) and reports a missing one, and
on request digests its segments as they are read (:meth:`TransactionSet.digest_body`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, starmap
from typing import TYPE_CHECKING

from edi_posting.records.envelope import Envelope, normalize_control_number
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.tokenizer import ENVELOPE_TAGS, Batch, Segment

if TYPE_CHECKING:
    from edi_posting.x12.reader import X12Reader

__all__ = [
    "X12Group",
    "X12Interchange",
    "X12TransactionSet",
    "parse_ccyymmdd",
    "stripped_element",
]

_ENVELOPE_TAGS = ENVELOPE_TAGS


def stripped_element(elements: Sequence[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


def parse_ccyymmdd(text: str) -> dt.date | None:
    """CCYYMMDD -> date; None when it is not one (the envelope keeps what it can)."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


_at, _date = stripped_element, parse_ccyymmdd  # the short names the code below uses


@dataclass(frozen=True, slots=True)
class X12Interchange:
    """An ISA header: the fields a parser or the pipeline records."""

    elements: tuple[str, ...]  # ISA00..ISA16, stripped
    position: int

    @property
    def control_number(self) -> str:  # ISA13
        return normalize_control_number(self.elements[13] if len(self.elements) > 13 else "")


@dataclass(frozen=True, slots=True)
class X12Group:
    """A GS header."""

    elements: tuple[str, ...]  # GS00..GS08
    position: int

    @property
    def functional_id(self) -> str:  # GS01: HP = 835, HC = 837
        return self.elements[1].strip() if len(self.elements) > 1 else ""

    @property
    def control_number(self) -> str:  # GS06
        return normalize_control_number(self.elements[6] if len(self.elements) > 6 else "")

    @property
    def version(self) -> str:  # GS08, e.g. 005010X221A1
        return self.elements[8].strip() if len(self.elements) > 8 else ""


class X12TransactionSet:
    """One ST..SE set: its envelope, and its body segments read once, on demand.

    Not a record: a view over the reader's stream, valid until the next set is requested.
    """

    def __init__(self, reader: X12Reader, header: list[str], position: int) -> None:
        self._reader = reader
        self.header = header  # ST elements
        self.position = position
        self.interchange = reader.interchange
        self.group = reader.group
        self.delimiters: Delimiters = reader.delimiters or Delimiters("*", ":", None, "~")
        self.problems: list[Problem] = []
        self.is_complete = False  # an SE closed the set
        self.segment_count = 0  # ST..SE inclusive, as counted while reading
        self.source = SourceRef(
            reader.file_sha256,
            reader.file_name,
            self.interchange.control_number if self.interchange else None,
            self.group.control_number if self.group else None,
            self.control_number,
            position,
        )
        self._body: Iterator[Batch] | None = None
        self._segments: Iterator[Segment] | None = None
        self._digest: hashlib._Hash | None = None
        self._legacy_digest: hashlib._Hash | None = None

    @property
    def transaction_id(self) -> str:  # ST01
        return _at(self.header, 1)

    @property
    def control_number(self) -> str:  # ST02
        return normalize_control_number(_at(self.header, 2))

    @property
    def version(self) -> str:  # ST03, else GS08
        return _at(self.header, 3) or (self.group.version if self.group else "")

    @property
    def envelope(self) -> Envelope | None:
        """ISA and GS as the pipeline records them; None for a file without an envelope."""
        if self.interchange is None or self.group is None:
            return None
        return _envelope(self.interchange, self.group)

    def __iter__(self) -> Iterator[Segment]:
        if self._segments is None:
            self._segments = chain.from_iterable(starmap(zip, self.batches()))
        return self._segments

    def batches(self) -> Iterator[Batch]:
        """The body segments, a few hundred at a time: ``(elements lists, positions)``."""
        if self._body is None:
            self._body = self._read_body()
        return self._body

    def skip(self) -> None:
        """Read (and check) the rest of the body without looking at it."""
        for _ in self.batches():
            pass
        self._segments = iter(())

    def digest_body(self, *, without_control_number: bool = False) -> None:
        """Digest the ST elements and every body segment read from now on (call it before
        reading the body): :attr:`content_sha256` once the body has been read.

        Why here: the import tells a re-sent set from one with the same identity and other
        content by this digest; hashing whole batches as the reader hands them out costs a
        fraction of wrapping the set in a per-segment iterator.  ``without_control_number``
        leaves ST02 out (an 835 re-sent in another batch gets a new ST02 but is the same
        payment); :attr:`legacy_sha256` is then the digest with it, as stored before.
        """
        header = "\x1f".join(self.header).encode("utf-8", "replace")
        if not without_control_number:
            self._digest = hashlib.sha256(header)
            return
        self._legacy_digest = hashlib.sha256(header)
        blanked = [*self.header[:2], "", *self.header[3:]] if len(self.header) > 2 else self.header
        self._digest = hashlib.sha256("\x1f".join(blanked).encode("utf-8", "replace"))

    @property
    def content_sha256(self) -> str:
        """Hex SHA-256 of the ST elements and of each body segment read (ST..SE exclusive of
        SE): per segment a record separator, then its elements joined by a unit separator."""
        if self._digest is None:
            raise RuntimeError("digest_body() was not called before the body was read")
        return self._digest.hexdigest()

    @property
    def legacy_sha256(self) -> str | None:
        """The digest with ST02 (what sets imported before migration 0008 stored), when
        :meth:`digest_body` left ST02 out of :attr:`content_sha256`; else None."""
        return self._legacy_digest.hexdigest() if self._legacy_digest is not None else None

    def _read_body(self) -> Iterator[Batch]:
        reader = self._reader
        count = 1
        while True:
            batch = reader._next_batch()
            if batch is None:
                break
            rows, positions = batch
            tag = rows[0][0]
            controls = reader.controls
            if controls is not None and controls.pending and (
                    tag not in _ENVELOPE_TAGS or tag == "SE"):
                self.problems.extend(controls.take(self.source, positions[-1]))
            if tag in _ENVELOPE_TAGS:  # alone in its batch (see the tokenizer)
                if tag == "SE":
                    self._close((rows[0], positions[0]), count + 1)
                else:
                    reader._pushed = batch
                    self._unterminated(f"the next {tag} segment began at {positions[0]}")
                return
            count += len(rows)
            if self._digest is not None:
                data = _segments_bytes(rows)
                self._digest.update(data)
                if self._legacy_digest is not None:
                    self._legacy_digest.update(data)
            yield batch
        self.segment_count = count
        self._unterminated("the file ended")

    def _close(self, trailer: Segment, count: int) -> None:
        elements, position = trailer
        self.segment_count = count
        self.is_complete = True
        declared, control = _at(elements, 1), normalize_control_number(_at(elements, 2))
        if declared != str(count):
            self._problem(
                ProblemCode.SEGMENT_COUNT_MISMATCH,
                f"SE01 says {declared or 'nothing'} segments, the set has {count}",
                position,
                "SE01",
            )
        if control != self.control_number:
            self._problem(
                ProblemCode.TRANSACTION_CONTROL_MISMATCH,
                f"SE02 {control!r} does not match ST02 {self.control_number!r}",
                position,
                "SE02",
            )

    def _unterminated(self, why: str) -> None:
        self.problems.append(
            Problem(
                ProblemCode.MISSING_SE,
                Severity.FATAL,
                f"transaction set {self.control_number!r} has no SE trailer ({why}): "
                "it may be truncated, so nothing of it can be trusted",
                self.source,
                "SE",
            )
        )

    def _problem(self, code: ProblemCode, message: str, position: int, element: str) -> None:
        self.problems.append(
            Problem(code, Severity.ERROR, message, self.source.at(position), element)
        )


def _segments_bytes(rows: list[list[str]]) -> bytes:
    """What a digest of segments takes in: "\\x1e" + elements joined by "\\x1f", per segment."""
    return ("\x1e" + "\x1e".join(map("\x1f".join, rows))).encode("utf-8", "replace")


def _envelope(isa: X12Interchange, gs: X12Group) -> Envelope:
    i, g = isa.elements, gs.elements
    return Envelope(
        _at(i, 5),
        _at(i, 6),
        _at(i, 7),
        _at(i, 8),
        isa.control_number,
        _date("20" + _at(i, 9)),
        _at(i, 10) or None,
        _at(i, 12) or None,
        _at(i, 15) or None,
        isa.position,
        gs.functional_id,
        _at(g, 2),
        _at(g, 3),
        _date(_at(g, 4)),
        gs.control_number,
        gs.version,
        gs.position,
    )
