"""Read stage: X12 file bytes -> envelopes and segments, streaming, for 835 and 837 alike.

Consumes a file (path or binary stream) once, in chunks of :data:`CHUNK_SIZE` bytes, so
memory is bounded by one chunk plus what the caller keeps.  Produces
:class:`TransactionSet` views (one per ST..SE) whose body segments are read on demand,
plus envelope :class:`~edi_posting.records.problems.Problem` records.  No pyx12 here: pyx12's
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

``tset.envelope`` gives the ISA/GS fields as :class:`~edi_posting.records.envelope.Envelope`
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
import hashlib
import os
from collections.abc import Iterator
from itertools import chain, starmap
from typing import IO, Literal, Self

from edi_posting.records.envelope import normalize_control_number
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.controls import ControlFlags
from edi_posting.x12.delimiters import DelimiterError, Delimiters, detect_delimiters
from edi_posting.x12.tokenizer import (
    ENVELOPE_TAGS,
    Batch,
    Segment,
    segment_batches,
)
from edi_posting.x12.transaction_set import (
    X12Group,
    X12Interchange,
    X12TransactionSet,
    parse_ccyymmdd,
    stripped_element,
)

__all__ = ["CHUNK_SIZE", "X12Reader"]


CHUNK_SIZE = 1 << 20
HEAD_LIMIT = 64 * 1024
_MAX_REPORTED = 20  # stray segments reported one by one before a single summary
_ENVELOPE_TAGS = ENVELOPE_TAGS
_at, _date = stripped_element, parse_ccyymmdd


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
        self.interchange: X12Interchange | None = None
        self.group: X12Group | None = None
        self.bytes_read = 0
        self.segments_read = 0
        self._hash = hashlib.sha256()
        self._eof = False
        self._pushed: Batch | None = None  # a batch given back by a set's body
        self._batches: Iterator[Batch] = iter(())  # set by _open_stream() on first use
        self._segments: Iterator[Segment] | None = None
        self._stray = 0
        self._group_count = self._set_count = 0
        self.controls: ControlFlags | None = None  # set with the separators
        self._tainted: dict[str, int] = {}  # ISA/GS holding a control character -> position

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

    def __iter__(self) -> Iterator[X12TransactionSet]:
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
                self._envelope_controls(tag, position)
            else:
                for elements, position in zip(rows, positions):
                    self._stray_segment(elements[0], position)
                self._envelope_controls(tag, positions[-1])
        self._at_eof()

    def _next_batch(self) -> Batch | None:
        batch = self._pushed
        if batch is not None:
            self._pushed = None
            return batch
        return next(self._batches, None)

    def _open_set(self, elements: list[str], position: int) -> X12TransactionSet:
        if self.group is None and self.interchange is not None:
            self._file_problem(ProblemCode.ST_OUTSIDE_GROUP, Severity.ERROR,
                               "ST segment outside a GS/GE functional group", position, "GS")
        self._set_count += 1
        tset = X12TransactionSet(self, elements, position)
        if self.controls is not None and self.controls.pending:
            tset.problems.extend(self.controls.take(tset.source, position))
        for tag, at in self._tainted.items():  # its envelope is stored with it
            tset.problems.append(Problem(
                ProblemCode.CONTROL_CHARACTER, Severity.FATAL, f"the {tag} segment around this transaction "
                f"set (segment {at}) holds a control character: nothing of the set can be "
                "stored", tset.source.at(at), tag))
        return tset

    def _envelope_controls(self, tag: str, position: int) -> None:
        """Control characters in an envelope or stray segment: a file problem; an ISA or GS
        holding one also rejects every set it wraps (see :meth:`_open_set`)."""
        if tag == "ISA":
            self._tainted.clear()
        elif tag == "GS":
            self._tainted.pop("GS", None)
        if self.controls is None or not self.controls.pending:
            return
        found = self.controls.take(SourceRef(self.file_sha256, self.file_name), position,
                                   Severity.ERROR)
        self.problems.extend(found)
        if found and tag in ("ISA", "GS"):
            self._tainted[tag] = position

    def _on_isa(self, elements: list[str], position: int) -> None:
        if self.interchange is not None:
            self._close_group_at(position, "ISA")
            self._file_problem(ProblemCode.MISSING_IEA, Severity.ERROR,
                               f"interchange {self.interchange.control_number!r} has no IEA "
                               "trailer before the next ISA", position, "IEA")
        self.interchange = X12Interchange(tuple(e.strip() for e in elements), position)
        self._group_count = 0

    def _on_gs(self, elements: list[str], position: int) -> None:
        self._close_group_at(position, "GS")
        if self.interchange is None and self.delimiters is not None:
            self._file_problem(ProblemCode.GS_OUTSIDE_INTERCHANGE, Severity.ERROR,
                               "GS segment outside an ISA/IEA interchange", position, "ISA")
        self.group = X12Group(tuple(elements), position)
        if _date(_at(elements, 4)) is None:
            self._file_problem(ProblemCode.INVALID_DATE,
                               Severity.ERROR, f"GS04 {_at(elements, 4)[:20]!r} "
                               "is not a CCYYMMDD date", position, "GS04")
        self._group_count += 1
        self._set_count = 0

    def _on_ge(self, elements: list[str], position: int) -> None:
        group = self.group
        if group is None:
            self._file_problem(ProblemCode.UNEXPECTED_GE,
                               Severity.ERROR, "GE without a GS", position, "GE")
            return
        count, control = _at(elements, 1), normalize_control_number(_at(elements, 2))
        if not _same_number(count, str(self._set_count)):
            self._file_problem(ProblemCode.GROUP_COUNT_MISMATCH, Severity.ERROR,
                               f"GE01 says {count or 'nothing'} transaction sets, the group "
                               f"has {self._set_count}", position, "GE01")
        if not _same_number(control, group.control_number):
            self._file_problem(ProblemCode.GROUP_CONTROL_MISMATCH, Severity.ERROR,
                               f"GE02 {control!r} does not match GS06 "
                               f"{group.control_number!r}", position, "GE02")
        self.group = None

    def _on_iea(self, elements: list[str], position: int) -> None:
        self._close_group_at(position, "IEA")
        isa = self.interchange
        if isa is None:
            self._file_problem(ProblemCode.UNEXPECTED_IEA, Severity.ERROR, "IEA without an ISA",
                               position, "IEA")
            return
        count, control = _at(elements, 1), normalize_control_number(_at(elements, 2))
        if not _same_number(count, str(self._group_count)):
            self._file_problem(ProblemCode.INTERCHANGE_COUNT_MISMATCH, Severity.ERROR,
                               f"IEA01 says {count or 'nothing'} functional groups, the "
                               f"interchange has {self._group_count}", position, "IEA01")
        if control != isa.control_number:
            self._file_problem(ProblemCode.INTERCHANGE_CONTROL_MISMATCH, Severity.ERROR,
                               f"IEA02 {control!r} does not match ISA13 "
                               f"{isa.control_number!r}", position, "IEA02")
        self.interchange = None

    def _on_se(self, elements: list[str], position: int) -> None:
        self._file_problem(ProblemCode.UNEXPECTED_SE, Severity.ERROR,
                           "SE without an ST: a transaction set header is missing",
                           position, "ST")

    def _close_group_at(self, position: int, tag: str) -> None:
        if self.group is not None:
            self._file_problem(ProblemCode.MISSING_GE, Severity.ERROR,
                               f"group {self.group.control_number!r} has no GE trailer before "
                               f"the {tag} at segment {position}", position, "GE")
            self.group = None

    def _stray_segment(self, tag: str, position: int) -> None:
        self._stray += 1
        if self._stray <= _MAX_REPORTED:
            self._file_problem(ProblemCode.SEGMENT_OUTSIDE_TRANSACTION_SET, Severity.ERROR,
                               f"segment {tag[:10]!r} outside any ST..SE transaction set",
                               position, None)

    def _at_eof(self) -> None:
        end = self.segments_read + 1
        if self._stray > _MAX_REPORTED:
            self._file_problem(ProblemCode.SEGMENT_OUTSIDE_TRANSACTION_SET, Severity.ERROR,
                               f"{self._stray} segments outside any transaction set in all "
                               f"({_MAX_REPORTED} reported one by one)", None, None)
        if self.is_fatal:
            return
        if self.group is not None:
            self._file_problem(ProblemCode.MISSING_GE, Severity.ERROR,
                               f"group {self.group.control_number!r} has no GE trailer: the "
                               "file ended (truncated?)", end, "GE")
        if self.interchange is not None:
            self._file_problem(ProblemCode.MISSING_IEA, Severity.ERROR,
                               f"interchange {self.interchange.control_number!r} has no IEA "
                               "trailer: the file ended (truncated?)", end, "IEA")

    def _file_problem(
        self, code: ProblemCode, severity: Severity, message: str, position: int | None,
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
            self._file_problem(ProblemCode.EMPTY_FILE,
                               Severity.FATAL, "the file is empty", None, None)
            return None
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _is_binary(raw[:HEAD_LIMIT]):
            self._file_problem(ProblemCode.NOT_TEXT,
                               Severity.FATAL, "UTF-16 or binary content, not X12 "
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
        self.controls = ControlFlags(delimiters.element + delimiters.component
                                     + (delimiters.repetition or "") + delimiters.terminator)
        self._batches = segment_batches(text[start:], delimiters.element, delimiters.terminator,
                                        self._read_text, self._give_up,
                                        (self.controls.pattern, self.controls.flag))

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

    def _give_up(self, code: ProblemCode, message: str, position: int) -> None:
        self._file_problem(code, Severity.FATAL, f"stopped reading: {message}", position, None)


def _is_binary(head: bytes) -> bool:
    """UTF-16 without a BOM or binary: a NUL where ``ISA*00*`` should start, or NULs in
    more than one byte in a hundred.  A NUL or two inside elements is not that: the set
    holding it is rejected (``CONTROL_CHARACTER``) and the rest of the file is read."""
    return b"\x00" in head[:16] or head.count(b"\x00") * 100 > len(head)


def _same_number(received: str, expected: str) -> bool:
    """GE01, GE02 (= GS06) and IEA01 are numeric (N0): X12 compares values, so ``02``
    and ``2`` agree; anything else is compared as sent."""
    if received.isdigit() and expected.isdigit():
        return int(received) == int(expected)
    return received == expected
