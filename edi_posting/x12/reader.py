"""Read stage: X12 file bytes -> envelopes and segments, streaming, for 835 and 837 alike.

Consumes a file (path or binary stream) once, in chunks of :data:`CHUNK_SIZE` bytes, so
memory is bounded by one chunk plus what the caller keeps.  Produces
:class:`TransactionSet` views (one per ST..SE) whose body segments are read on demand,
plus envelope :class:`~edi_posting.problems.Problem` records.  No pyx12 here: pyx12's
readers manage a few thousand claims a second; ``str.split`` manages a hundred thousand.

Usage (an 835 or 837 parser is a small state machine over the body segments)::

    with X12Reader(path, file_sha256=sha) as reader:
        for tset in reader:                  # one TransactionSet per ST..SE
            tset.transaction_id              # ST01, e.g. "835"
            tset.group and tset.group.functional_id   # GS01, e.g. "HP"
            for elements, position in tset:  # body segments, ST and SE excluded
                elements[0]                  # the segment id ("CLP")
                elements[4]                  # element 4 (CLP04): index i = element i
            tset.problems                    # SE01/SE02 checks, known once the body is read
        reader.problems                      # file level: not X12, GE/IEA checks, ...
        reader.sha256                        # of the raw bytes, computed while reading

    reader.segments()   # or: every segment, envelope ones too, without envelope checks

``tset.envelope`` gives the ISA/GS fields as :class:`~edi_posting.x12.envelope.Envelope`
(what the 837 import records today), ``tset.delimiters`` the separators, ``tset.source``
the :class:`SourceRef` of the ST segment.

A segment is a plain tuple ``(elements, position)`` (:data:`Segment`): building no object
per segment is what keeps the reader fast.  ``tset.batches()`` gives the same body segments
a few hundred at a time, as :data:`~edi_posting.x12.tokenizer.Batch` es ``(elements
lists, positions)`` (what a fast parser loops over, with ``zip``; use it or iteration, not
both).  ``position`` is the 1-based ordinal of the
segment in the file, counting every segment from the first ISA (or ST), so a problem can
name the exact segment.  Elements are the text between separators, unstripped, except
those of ISA (fixed-width padding removed).  Composites are left whole: split them with
``tset.delimiters.component``.  A body not read by the caller is skipped (and still checked)
when the next set is requested.

Tolerated: any terminator (``~``, ``^``, newline, CR), CR/LF/CRLF or nothing between
segments, indented segments, line breaks inside segments or before the terminator, a UTF-8
BOM, non-fixed-width ISAs, several ISA/GS/ST in one file, and files that start at ST with no
envelope (separators inferred, a WARNING).  Rejected with a FATAL problem in bounded time:
empty, UTF-16 or binary input, no ISA/ST in the first 64 KiB, an unreadable ISA, a
"segment" longer than :data:`MAX_SEGMENT_CHARS`, or :data:`MAX_BAD_SEGMENTS` unreadable
segments in a row.  The separators of the first ISA apply to the whole file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, starmap
from typing import IO, Literal, Self

from edi_posting.problems import Problem, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.delimiters import DelimiterError, Delimiters, detect_delimiters
from edi_posting.x12.envelope import Envelope
from edi_posting.x12.tokenizer import (
    ENVELOPE_TAGS,
    MAX_BAD_SEGMENTS,
    MAX_SEGMENT_CHARS,
    Batch,
    Segment,
    segment_batches,
)

__all__ = [
    "CHUNK_SIZE",
    "Batch",
    "MAX_BAD_SEGMENTS",
    "MAX_SEGMENT_CHARS",
    "Delimiters",
    "Group",
    "Interchange",
    "Segment",
    "TransactionSet",
    "X12Reader",
]

CHUNK_SIZE = 1 << 20
HEAD_LIMIT = 64 * 1024
_MAX_REPORTED = 20  # stray segments reported one by one before a single summary
_ENVELOPE_TAGS = ENVELOPE_TAGS


def _at(elements: Sequence[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


@dataclass(frozen=True, slots=True)
class Interchange:
    """An ISA header: the fields a parser or the pipeline records."""

    elements: tuple[str, ...]  # ISA00..ISA16, stripped
    position: int

    @property
    def control_number(self) -> str:  # ISA13
        return self.elements[13] if len(self.elements) > 13 else ""


@dataclass(frozen=True, slots=True)
class Group:
    """A GS header."""

    elements: tuple[str, ...]  # GS00..GS08
    position: int

    @property
    def functional_id(self) -> str:  # GS01: HP = 835, HC = 837
        return self.elements[1].strip() if len(self.elements) > 1 else ""

    @property
    def control_number(self) -> str:  # GS06
        return self.elements[6].strip() if len(self.elements) > 6 else ""

    @property
    def version(self) -> str:  # GS08, e.g. 005010X221A1
        return self.elements[8].strip() if len(self.elements) > 8 else ""


class TransactionSet:
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
            reader.file_sha256, reader.file_name,
            self.interchange.control_number if self.interchange else None,
            self.group.control_number if self.group else None,
            self.control_number, position,
        )
        self._body: Iterator[Batch] | None = None
        self._segments: Iterator[Segment] | None = None

    @property
    def transaction_id(self) -> str:  # ST01
        return _at(self.header, 1)

    @property
    def control_number(self) -> str:  # ST02
        return _at(self.header, 2)

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

    def _read_body(self) -> Iterator[Batch]:
        reader = self._reader
        count = 1
        while True:
            batch = reader._next_batch()
            if batch is None:
                break
            rows, positions = batch
            tag = rows[0][0]
            if tag in _ENVELOPE_TAGS:  # alone in its batch (see the tokenizer)
                if tag == "SE":
                    self._close((rows[0], positions[0]), count + 1)
                else:
                    reader._pushed = batch
                    self._unterminated(f"the next {tag} segment began at {positions[0]}")
                return
            count += len(rows)
            yield batch
        self.segment_count = count
        self._unterminated("the file ended")

    def _close(self, trailer: Segment, count: int) -> None:
        elements, position = trailer
        self.segment_count = count
        self.is_complete = True
        declared, control = _at(elements, 1), _at(elements, 2)
        if declared != str(count):
            self._problem("SEGMENT_COUNT_MISMATCH", f"SE01 says {declared or 'nothing'} segments, "
                          f"the set has {count}", position, "SE01")
        if control != self.control_number:
            self._problem("TRANSACTION_CONTROL_MISMATCH", f"SE02 {control!r} does not match "
                          f"ST02 {self.control_number!r}", position, "SE02")

    def _unterminated(self, why: str) -> None:
        self.problems.append(Problem(
            "MISSING_SE", Severity.FATAL,
            f"transaction set {self.control_number!r} has no SE trailer ({why}): "
            "it may be truncated, so nothing of it can be trusted",
            self.source, "SE"))

    def _problem(self, code: str, message: str, position: int, element: str) -> None:
        self.problems.append(
            Problem(code, Severity.ERROR, message, self.source.at(position), element))


def _envelope(isa: Interchange, gs: Group) -> Envelope:
    i, g = isa.elements, gs.elements
    return Envelope(
        _at(i, 5), _at(i, 6), _at(i, 7), _at(i, 8), isa.control_number,
        _date("20" + _at(i, 9)), _at(i, 10) or None, _at(i, 12) or None, _at(i, 15) or None,
        isa.position, gs.functional_id, _at(g, 2), _at(g, 3), _date(_at(g, 4)),
        gs.control_number, gs.version, gs.position,
    )


def _date(text: str) -> dt.date | None:
    """CCYYMMDD -> date; None when it is not one (the envelope keeps what it can)."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


class X12Reader:
    """Streams one X12 file: :class:`TransactionSet` per ST..SE, problems, SHA-256.

    ``file_sha256`` is the caller's digest (the pipeline archives first, so it knows it);
    it goes into every :class:`SourceRef`.  :attr:`sha256` is the reader's own digest of
    the bytes it read, complete once iteration ends (:meth:`finish_digest` reads the rest
    of a file abandoned early).
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        file_sha256: str = "",
        file_name: str | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if isinstance(source, (str, os.PathLike)):
            self._handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by close()
            self._owns_handle = True
            file_name = file_name or os.path.basename(os.fspath(source))
        else:
            self._handle, self._owns_handle = source, False
        self.file_sha256 = file_sha256
        self.file_name = file_name
        self.chunk_size = max(chunk_size, 16)
        self.problems: list[Problem] = []
        self.delimiters: Delimiters | None = None
        self.interchange: Interchange | None = None
        self.group: Group | None = None
        self.bytes_read = 0
        self.segments_read = 0
        self._hash = hashlib.sha256()
        self._eof = False
        self._pushed: Batch | None = None  # a batch given back by a set's body
        self._batches: Iterator[Batch] = iter(())  # set by _open_stream() on first use
        self._segments: Iterator[Segment] | None = None
        self._stray = 0
        self._group_count = self._set_count = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def close(self) -> None:
        if self._owns_handle:
            self._handle.close()

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the raw bytes read so far (the whole file once iteration ended)."""
        return self._hash.hexdigest()

    def finish_digest(self) -> str:
        """Read (and hash) whatever the parse did not, and return the file's SHA-256."""
        while not self._eof:
            self._read_raw()
        return self.sha256

    @property
    def is_fatal(self) -> bool:
        """True when the file as a whole could not be read (a FATAL file-level problem)."""
        return any(p.is_fatal for p in self.problems)

    # -- the envelope walker --------------------------------------------------------------

    def __iter__(self) -> Iterator[TransactionSet]:
        self._open_stream()
        while True:
            batch = self._next_batch()
            if batch is None:
                break
            rows, positions = batch
            elements, position = rows[0], positions[0]
            tag = elements[0]
            if tag == "ST":
                tset = self._open_set(elements, position)
                yield tset
                tset.skip()
                self.segments_read = position + tset.segment_count - 1
            elif tag in _ENVELOPE_TAGS:  # alone in its batch
                getattr(self, f"_on_{tag.lower()}")(elements, position)
            else:
                for elements, position in zip(rows, positions):
                    self._stray_segment(elements[0], position)
        self._at_eof()

    def _next_batch(self) -> Batch | None:
        batch = self._pushed
        if batch is not None:
            self._pushed = None
            return batch
        return next(self._batches, None)

    def _open_set(self, elements: list[str], position: int) -> TransactionSet:
        if self.group is None and self.interchange is not None:
            self._file_problem("ST_OUTSIDE_GROUP", Severity.ERROR,
                               "ST segment outside a GS/GE functional group", position, "GS")
        self._set_count += 1
        return TransactionSet(self, elements, position)

    def _on_isa(self, elements: list[str], position: int) -> None:
        if self.interchange is not None:
            self._close_group_at(position, "ISA")
            self._file_problem("MISSING_IEA", Severity.ERROR,
                               f"interchange {self.interchange.control_number!r} has no IEA "
                               "trailer before the next ISA", position, "IEA")
        self.interchange = Interchange(tuple(e.strip() for e in elements), position)
        self._group_count = 0

    def _on_gs(self, elements: list[str], position: int) -> None:
        self._close_group_at(position, "GS")
        if self.interchange is None and self.delimiters is not None:
            self._file_problem("GS_OUTSIDE_INTERCHANGE", Severity.ERROR,
                               "GS segment outside an ISA/IEA interchange", position, "ISA")
        self.group = Group(tuple(elements), position)
        if _date(_at(elements, 4)) is None:
            self._file_problem("INVALID_DATE", Severity.ERROR, f"GS04 {_at(elements, 4)[:20]!r} "
                               "is not a CCYYMMDD date", position, "GS04")
        self._group_count += 1
        self._set_count = 0

    def _on_ge(self, elements: list[str], position: int) -> None:
        group = self.group
        if group is None:
            self._file_problem("UNEXPECTED_GE", Severity.ERROR, "GE without a GS", position, "GE")
            return
        count, control = _at(elements, 1), _at(elements, 2)
        if count != str(self._set_count):
            self._file_problem("GROUP_COUNT_MISMATCH", Severity.ERROR,
                               f"GE01 says {count or 'nothing'} transaction sets, the group "
                               f"has {self._set_count}", position, "GE01")
        if control != group.control_number:
            self._file_problem("GROUP_CONTROL_MISMATCH", Severity.ERROR,
                               f"GE02 {control!r} does not match GS06 "
                               f"{group.control_number!r}", position, "GE02")
        self.group = None

    def _on_iea(self, elements: list[str], position: int) -> None:
        self._close_group_at(position, "IEA")
        isa = self.interchange
        if isa is None:
            self._file_problem("UNEXPECTED_IEA", Severity.ERROR, "IEA without an ISA",
                               position, "IEA")
            return
        count, control = _at(elements, 1), _at(elements, 2)
        if count != str(self._group_count):
            self._file_problem("INTERCHANGE_COUNT_MISMATCH", Severity.ERROR,
                               f"IEA01 says {count or 'nothing'} functional groups, the "
                               f"interchange has {self._group_count}", position, "IEA01")
        if control != isa.control_number:
            self._file_problem("INTERCHANGE_CONTROL_MISMATCH", Severity.ERROR,
                               f"IEA02 {control!r} does not match ISA13 "
                               f"{isa.control_number!r}", position, "IEA02")
        self.interchange = None

    def _on_se(self, elements: list[str], position: int) -> None:
        self._file_problem("UNEXPECTED_SE", Severity.ERROR,
                           "SE without an ST: a transaction set header is missing",
                           position, "ST")

    def _close_group_at(self, position: int, tag: str) -> None:
        if self.group is not None:
            self._file_problem("MISSING_GE", Severity.ERROR,
                               f"group {self.group.control_number!r} has no GE trailer before "
                               f"the {tag} at segment {position}", position, "GE")
            self.group = None

    def _stray_segment(self, tag: str, position: int) -> None:
        self._stray += 1
        if self._stray <= _MAX_REPORTED:
            self._file_problem("SEGMENT_OUTSIDE_TRANSACTION_SET", Severity.ERROR,
                               f"segment {tag[:10]!r} outside any ST..SE transaction set",
                               position, None)

    def _at_eof(self) -> None:
        end = self.segments_read + 1
        if self._stray > _MAX_REPORTED:
            self._file_problem("SEGMENT_OUTSIDE_TRANSACTION_SET", Severity.ERROR,
                               f"{self._stray} segments outside any transaction set in all "
                               f"({_MAX_REPORTED} reported one by one)", None, None)
        if self.is_fatal:
            return
        if self.group is not None:
            self._file_problem("MISSING_GE", Severity.ERROR,
                               f"group {self.group.control_number!r} has no GE trailer: the "
                               "file ended (truncated?)", end, "GE")
        if self.interchange is not None:
            self._file_problem("MISSING_IEA", Severity.ERROR,
                               f"interchange {self.interchange.control_number!r} has no IEA "
                               "trailer: the file ended (truncated?)", end, "IEA")

    def _file_problem(
        self, code: str, severity: Severity, message: str, position: int | None,
        element: str | None,
    ) -> None:
        source = SourceRef(
            self.file_sha256, self.file_name,
            self.interchange.control_number if self.interchange else None,
            self.group.control_number if self.group else None, None, position,
        )
        self.problems.append(Problem(code, severity, message, source, element))

    # -- the tokenizer ---------------------------------------------------------------------

    def _read_raw(self) -> bytes:
        raw = self._handle.read(self.chunk_size)
        if not raw:
            self._eof = True
            return b""
        self._hash.update(raw)
        self.bytes_read += len(raw)
        return raw

    def _head(self) -> str | None:
        """The first 64 KiB (at least) as text, or None with a FATAL problem."""
        raw = self._read_raw()
        while len(raw) < HEAD_LIMIT and not self._eof:
            raw += self._read_raw()
        if not raw.strip():
            self._file_problem("EMPTY_FILE", Severity.FATAL, "the file is empty", None, None)
            return None
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:HEAD_LIMIT]:
            self._file_problem("NOT_TEXT", Severity.FATAL, "UTF-16 or binary content, not X12 "
                               "(convert the file to ASCII or UTF-8)", None, None)
            return None
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        return self._decoder.decode(raw)

    def _open_stream(self) -> None:
        """Read the head, find the separators, and start the segment stream (or a FATAL)."""
        if self.delimiters is not None or self.bytes_read:
            return
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        text = self._head()
        if text is None:
            return
        try:
            delimiters, start, warnings = detect_delimiters(text, HEAD_LIMIT, self._eof)
        except DelimiterError as exc:
            self._file_problem(exc.code, Severity.FATAL, str(exc), 1, exc.element)
            return
        for code, message in warnings:
            self._file_problem(code, Severity.WARNING, message, 1, None)
        self.delimiters = delimiters
        self._batches = segment_batches(text[start:], delimiters.element, delimiters.terminator,
                                        self._read_text, self._give_up)

    def _read_text(self) -> str | None:
        """The next chunk as text; None once the file and the decoder are exhausted."""
        raw = self._read_raw()
        text: str = self._decoder.decode(raw, final=not raw)
        if not raw and not text:
            return None
        return text

    def segments(self) -> Iterator[Segment]:
        """Every segment, envelope ones included, with no envelope checks (for tools)."""
        self._open_stream()
        if self._segments is None:
            self._segments = chain.from_iterable(starmap(zip, self._batches))
        return self._segments

    def _give_up(self, code: str, message: str, position: int) -> None:
        self._file_problem(code, Severity.FATAL, f"stopped reading: {message}", position, None)

