"""Validation, pass 2: pyx12's implementation-guide walk over one interchange at a time.

Consumes our reader's segments and the :class:`~edi_posting.x12.envelope_scan.EnvelopeScan`
of the same file; produces one :class:`~edi_posting.x12.ack_records.InterchangeResult`
per interchange (:func:`check_file`).  Each interchange is handed to pyx12 re-written in
the canonical form pyx12 can read: a fixed-width ISA, no BOM, no indentation, one segment
per line.  pyx12 reads only that (its own reader wants a 106-character ISA at byte 0 and
ASCII, and cannot say which ISA element is bad).

The walk over pyx12's maps is :func:`pyx12.x12n_document.x12n_document`'s loop, kept
here because that function reloads every map per call, raises at the first group it has
no map for (GS08 ``5010``, an 837D ``005010X224A2``: pyx12 4.0.0 ships no X224 map), and
crashes on segments outside a transaction set.  Its error tree (``pyx12.error_handler``)
becomes our records in :mod:`edi_posting.x12.validation.findings`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyx12.error_handler
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from edi_posting.x12.ack_records import ISA_WIDTHS, Finding, GroupCode, InterchangeResult
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.envelope_scan import EnvelopeScan, ScannedInterchange, unread_group
from edi_posting.x12.reader import X12Reader
from edi_posting.x12.tokenizer import Segment
from edi_posting.x12.validation.findings import (
    ISA_ELEMENT_CODES,
    ST01_MISMATCH,
    ST03_MISMATCH,
    interchange_result,
    isa_finding,
)
from edi_posting.x12.validation.maps import (
    choose_guide,
    functional_id_of,
    known_functional_id,
    load_map,
)

__all__ = ["Walk", "check_file"]

# pyx12 logs every finding, bad values (PHI) included, at ERROR: keep it off stderr.
_PYX12_LOG = logging.getLogger("pyx12")
_PYX12_LOG.addHandler(logging.NullHandler())
_PYX12_LOG.propagate = False

_CONTROL_MAPS = {"00401": "x12.control.00401.xml", "00501": "x12.control.00501.xml"}
_ENVELOPE = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
_MAX_STRAYS_REPORTED = 20


def check_file(path: Path, sha256: str, scan: EnvelopeScan) -> Iterator[InterchangeResult]:
    assert scan.delimiters is not None  # no FATAL problem, so the reader found separators
    seen: set[tuple[str, str, str]] = set()  # (ISA05, ISA06, ISA13): unique per sender
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        stream = _Interchanges(reader.segments())
        for scanned in scan.interchanges:
            segments = stream.next_interchange()
            yield _check_interchange(scanned, segments, scan.delimiters, seen)
            for _ in segments:  # whatever pyx12 left unread
                pass


class _Interchanges:
    """Cuts one stream of segments into interchanges (each from its ISA to the next)."""

    def __init__(self, segments: Iterator[Segment]) -> None:
        self._segments = segments
        self._next = next(segments, None)
        while self._next is not None and self._next[0][0] != "ISA":
            self._next = next(segments, None)

    def next_interchange(self) -> Iterator[Segment]:
        first = True
        while self._next is not None and (first or self._next[0][0] != "ISA"):
            first = False
            segment, self._next = self._next, next(self._segments, None)
            yield segment


def _check_interchange(
    scanned: ScannedInterchange,
    segments: Iterator[Segment],
    delimiters: Delimiters,
    seen: set[tuple[str, str, str]],
) -> InterchangeResult:
    isa_text, isa, own = _fixed_isa(scanned.isa, delimiters)
    sender = (isa[5], isa[6], isa[13])
    if sender in seen:
        own.append(isa_finding("025", f"ISA13 {isa[13]} is used by an earlier interchange of "
                                      f"this file from the same sender ({isa[5]} {isa[6]})"))
    seen.add(sender)
    unread = tuple(unread_group(g) for g in scanned.groups)
    if isa[12] not in _CONTROL_MAPS:
        own.append(
            isa_finding("017", f"ISA12 {isa[12]!r} is not a version pyx12 validates (00401, 00501)")
        )
        return InterchangeResult(isa, scanned.position, tuple(own), unread)
    if scanned.stray_sets:  # pyx12's reader crashes (IndexError) on an ST outside GS..GE
        own.append(
            isa_finding(
                "024", f"{scanned.stray_sets} transaction set(s) outside a GS..GE functional group"
            )
        )
        return InterchangeResult(isa, scanned.position, tuple(own), unread)
    walk: Walk | None = None
    try:
        walk = Walk(_SegmentText(_lines(segments, isa_text, delimiters)))
        return interchange_result(walk.run(), scanned.position, isa, own, unread)
    except Exception as exc:  # noqa: BLE001 - pyx12 has bugs on odd input: answer, no traceback
        where = scanned.position - 1 + (walk.src.get_cur_line() if walk else 1)
        failure = f"pyx12 failed ({type(exc).__name__}) at segment {where}"
        return InterchangeResult(isa, scanned.position, tuple(own), unread, failure)


def _fixed_isa(
    elements: list[str], delimiters: Delimiters
) -> tuple[str, tuple[str, ...], list[Finding]]:
    """The ISA pyx12 can read (fixed width), its values, and what had to be cut to fit."""
    values = list(elements[1:17]) + [""] * (17 - len(elements))
    findings = []
    if len(elements) != 17:
        findings.append(
            isa_finding("022", f"the ISA segment has {len(elements) - 1} elements, not 16")
        )
    values[15] = delimiters.component
    fixed = []
    for index, (value, width) in enumerate(zip(values, ISA_WIDTHS), start=1):
        if len(value) > width:
            findings.append(
                isa_finding(
                    ISA_ELEMENT_CODES[index],
                    f"ISA{index:02d} has {len(value)} characters; its fixed width is {width}",
                )
            )
            value = value[:width]
        if index == 13 and value.isdigit():
            value = value.rjust(width, "0")
        fixed.append(value.ljust(width))
    text = delimiters.element.join(["ISA", *fixed]) + _line_end(delimiters)
    return text, ("ISA", *(v.strip() for v in fixed)), findings


def _line_end(delimiters: Delimiters) -> str:
    return "\n" if delimiters.terminator == "\n" else delimiters.terminator + "\n"


def _lines(segments: Iterator[Segment], isa_text: str, delimiters: Delimiters) -> Iterator[str]:
    end, separator = _line_end(delimiters), delimiters.element
    next(segments, None)  # the ISA, re-written fixed-width
    yield isa_text
    for elements, _position in segments:
        yield separator.join(elements) + end


class _SegmentText(io.TextIOBase):
    """A text stream over generated lines: pyx12 reads an interchange without us holding it."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        while size is None or size < 0 or len(self._buffer) < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer += line
        cut = len(self._buffer) if size is None or size < 0 else size
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out


class Walk:
    """pyx12's validation loop over one interchange, recording into its error tree."""

    def __init__(self, stream: _SegmentText) -> None:
        self.src = pyx12.x12file.X12Reader(stream)
        self.errh = pyx12.error_handler.err_handler()
        self.control = load_map(_CONTROL_MAPS[self.src.icvn])
        self.node: Any = self.control.getnodebypath("/ISA_LOOP/ISA")
        self.walker = walk_tree()
        self.icvn: str | None = None
        self.is_skipping = False  # inside a group pyx12 has no map for
        self.unsupported: dict[int, tuple[GroupCode, str | None]] = {}  # GS line -> why
        self.transaction_map: Any = None  # the map of the group being walked
        self.is_skipping_set = False  # inside a set its group does not carry
        self.notes: dict[int, str] = {}  # GS line -> a guide substituted or not checked
        self.strays = 0

    def run(self) -> Walk:
        for seg in self.src:
            self._segment(seg, seg.get_seg_id())
        self.src.cleanup()  # reports missing SE/GE/IEA
        self.errh.handle_errors(self.src.pop_errors())
        if self.strays > _MAX_STRAYS_REPORTED:
            self.errh.isa_error(
                "024",
                f"{self.strays} segments outside the ST..SE/GS..GE "
                f"structure in all ({_MAX_STRAYS_REPORTED} reported one by one)",
            )
        return self

    def _segment(self, seg: Any, tag: str) -> None:
        errh, src = self.errh, self.src
        if self.is_skipping and tag not in ("GS", "GE", "IEA"):
            src.pop_errors()
            return
        outside = tag not in _ENVELOPE and (
            errh.cur_st_node is None or errh.cur_st_node.is_closed()
        )
        misplaced = (
            (tag == "ST" and errh.cur_gs_node is None)
            or (tag == "SE" and errh.cur_st_node is None)
            or (tag == "GE" and errh.cur_gs_node is None)
        )
        if outside or misplaced:  # pyx12's error tree would crash on these
            src.pop_errors()
            self.strays += 1
            if self.strays <= _MAX_STRAYS_REPORTED:
                errh.isa_error(
                    "024",
                    f"segment {tag} at line {src.get_cur_line()} of the "
                    "interchange is outside the ST..SE/GS..GE structure",
                )
            return
        if (tag in ("ST", "SE") or self.is_skipping_set) and self._wrong_set(seg, tag):
            return
        node = self._locate(seg, tag)
        if node is not None:
            self.node = self._record(seg, tag, node)
            apply_segment_errors(self.node, seg, errh)

    def _locate(self, seg: Any, tag: str) -> Any:
        control, walker = self.control, self.walker
        if tag == "ISA":
            walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
            return control.getnodebypath("/ISA_LOOP/ISA")
        if tag == "GS":
            walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
            return control.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
        if self.is_skipping:
            self.is_skipping = False
            if tag == "GE":
                return control.getnodebypath("/ISA_LOOP/GS_LOOP/GE")
        src = self.src
        node, _pop, _push, errors = walker.walk_errors(
            self.node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
        )
        apply_walk_errors(self.errh, errors)
        return node

    def _record(self, seg: Any, tag: str, node: Any) -> Any:
        errh, src = self.errh, self.src
        if tag in ("ISA", "GS", "ST"):
            getattr(errh, f"add_{tag.lower()}_loop")(seg, src)
        elif tag not in _ENVELOPE:
            errh.add_seg(node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id())
        errors = src.pop_errors()
        if tag == "GE":
            errors = [e for e in errors if not _same_group_number(e, seg)]
        errh.handle_errors(errors)
        if tag == "ISA":
            self.icvn = seg.get_value("ISA12")
        elif tag == "GS":
            return self._open_group(seg, node)
        elif tag == "SE":
            errh.close_st_loop(node, seg, src)
        elif tag == "GE":
            ge01 = (seg.get_value("GE01") or "").strip()
            errh.close_gs_loop(node, seg if ge01.isdigit() else None, src)  # pyx12 int()s it
            if not ge01.isdigit():
                errh.gs_error("5", f"GE01 {ge01!r} is not a number of transaction sets")
        elif tag == "IEA":
            errh.close_isa_loop(node, seg, src)
        return node

    def _open_group(self, seg: Any, control_node: Any) -> Any:
        fic, vriic = seg.get_value("GS01"), seg.get_value("GS08")
        line = self.src.get_cur_line()
        choice = choose_guide(self.icvn, fic, vriic)
        if choice.note is not None:
            self.notes[line] = choice.note
        if choice.map_file is None:
            if choice.note is None:
                self.unsupported[line] = _unsupported_group(fic, vriic)
            self.is_skipping = True
            return control_node
        self.transaction_map = load_map(choice.map_file)
        self.src.check_837_lx = self.transaction_map.id == "837"
        return self.transaction_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")

    def _wrong_set(self, seg: Any, tag: str) -> bool:
        """An ST whose ST01 is not the transaction set of its group's map (an 837 under
        an HP/005010X221A1 header): IK5 ``1`` says so, and its body is not walked against
        the wrong map (which would report every segment of it)."""
        if tag == "SE" and self.is_skipping_set:
            self.is_skipping_set = False
            node = self.transaction_map.getnodebypath("/ISA_LOOP/GS_LOOP/ST_LOOP/SE")
            self.walker.counter.increment(node.x12path)  # the trailer was seen
            self.node = self._record(seg, tag, node)
            return True
        if self.is_skipping_set:
            self.src.pop_errors()
            return True
        if tag != "ST" or self.transaction_map is None:
            return False
        gs = self.errh.cur_gs_node.seg_data
        fault = _set_mismatch(seg, gs, self.transaction_map.id[:3])
        if fault is None:
            return False
        loop = "/ISA_LOOP/GS_LOOP/ST_LOOP"  # not walked: the map's ST wants its own ST01
        self.walker.forceWalkCounterToLoopStart(loop, f"{loop}/ST")
        self.node = self._record(seg, tag, self.transaction_map.getnodebypath(f"{loop}/ST"))
        self.errh.st_error(*fault)
        self.is_skipping_set = True
        return True


def _set_mismatch(st: Any, gs: Any, expected: str) -> tuple[str, str] | None:
    """(our code, message) when the set is not what its group says: ST01 another
    transaction set, or ST03 another guide family than GS08 (005010X223 under 005010X222)."""
    st01, st03 = st.get_value("ST01") or "", (st.get_value("ST03") or "").strip()
    gs01, gs08 = gs.get_value("GS01"), (gs.get_value("GS08") or "").strip()
    if st01 != expected:
        return ST01_MISMATCH, (f"ST01 {st01} does not match its group: GS01 {gs01} / GS08 "
                               f"{gs08} carries {expected} transaction sets")
    if st03 and gs08 and st03[:10] != gs08[:10]:
        return ST03_MISMATCH, (f"ST03 {st03} names another implementation guide than its "
                               f"group's GS08 {gs08}: the set was not checked against either")
    return None


def _same_group_number(error: Any, ge: Any) -> bool:
    """pyx12 compares GE02 with GS06 as text; both are numbers (N0, element 28) and X12
    compares their values: GS06 ``02`` and GE02 ``2`` agree."""
    if error[0] != "gs" or error[1] != "4":
        return False
    ge02 = (ge.get_value("GE02") or "").strip()
    gs06 = str(error[2]).rpartition("GS id=")[2].strip()
    return ge02.isdigit() and gs06.isdigit() and int(ge02) == int(gs06)


def _unsupported_group(fic: str, vriic: str) -> tuple[GroupCode, str | None]:
    owner = functional_id_of(vriic)
    if owner is not None and owner[0] != fic:
        return GroupCode.FUNCTIONAL_GROUP_NOT_SUPPORTED, (
            f"GS01 {fic} is the wrong functional identifier code for GS08 {vriic}: an "
            f"{owner[1]} group is GS01 {owner[0]}")
    code = (GroupCode.FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED if known_functional_id(fic)
            else GroupCode.FUNCTIONAL_GROUP_NOT_SUPPORTED)
    return code, None
