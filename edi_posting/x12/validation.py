"""Validation stage: an X12 file -> pyx12's implementation-guide verdict, problems, 999/TA1.

Consumes a file path; produces a :class:`ValidationResult`: whether the file is valid, its
problems (the one :class:`~edi_posting.problems.Problem` shape), the acknowledgments to
send back (:mod:`edi_posting.x12.acks`), and each transaction set's status (A or R) so
that the import can skip rejected sets.

Our reader goes first, twice over the file and in bounded time: once to find the
interchanges, groups and sets (and to reject empty, UTF-16, binary, truncated or garbage
input with its FATAL problems, which pyx12 never sees), then to hand pyx12 one interchange
at a time, re-written in the canonical form pyx12 can read: a fixed-width ISA, no BOM,
no indentation, one segment per line.  pyx12 reads only that (its own reader wants a
106-character ISA at byte 0 and ASCII, and cannot say which ISA element is bad).

The walk over pyx12's maps is :func:`pyx12.x12n_document.x12n_document`'s loop, kept
here because that function reloads every map per call, raises at the first group it has
no map for (GS08 ``5010``, an 837D ``005010X224A2``: pyx12 4.0.0 ships no X224 map), and
crashes on segments outside a transaction set.  Its error tree (``pyx12.error_handler``)
becomes our records; we write the 999 from them (see :mod:`edi_posting.x12.acks`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyx12.error_handler
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from edi_posting.problems import Problem, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.acks import (
    ISA_WIDTHS,
    Ack,
    AckStatus,
    ElementCode,
    ElementError,
    Finding,
    GroupCode,
    GroupResult,
    InterchangeCode,
    InterchangeResult,
    SegmentCode,
    SegmentError,
    SetCode,
    SetResult,
    build_acks,
    findings_as_problems,
    set_statuses,
)
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.reader import Segment, X12Reader
from edi_posting.x12.sniff import HEAD_BYTES, sniff_kind

__all__ = ["ValidationResult", "validate_file", "validate_path"]

# pyx12 logs every finding, bad values (PHI) included, at ERROR: keep it off stderr.
_PYX12_LOG = logging.getLogger("pyx12")
_PYX12_LOG.addHandler(logging.NullHandler())
_PYX12_LOG.propagate = False

SetKey = tuple[str, str, str]  # (ISA13, GS06, ST02)
_CONTROL_MAPS = {"00401": "x12.control.00401.xml", "00501": "x12.control.00501.xml"}
_ENVELOPE = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
_MAX_STRAYS_REPORTED = 20
# TA105 note code for an error in ISA01..ISA16 (index 0 unused)
# fmt: off
_ISA_ELEMENT_CODES = ("", "010", "011", "012", "013", "005", "006", "007", "008", "014",
                      "015", "016", "017", "018", "019", "020", "027")
# fmt: on


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One file's verdict: what the CLI prints, what the import reads (``set_status``)."""

    path: str
    sha256: str
    kind: str  # sniffed: "835", "837P", "837I", "837D", "999" or "unknown"
    valid: bool
    problems: list[Problem]
    acks: list[Ack]
    set_status: dict[SetKey, str]  # "A" | "E" | "R" (E is not produced by pyx12 today)
    interchanges: tuple[InterchangeResult, ...] = ()

    @property
    def is_valid(self) -> bool:
        return self.valid


def validate_path(
    path: str | os.PathLike[str],
    *,
    now: dt.datetime | None = None,
    first_control_number: int | None = None,
) -> ValidationResult:
    """Validate one file against its implementation guide (GS08) and build its acks.

    ``now`` dates the acknowledgments; their ISA13/GS06 count up from
    ``first_control_number`` (default: derived from the file's SHA-256, so validating the
    same file twice writes the same acknowledgments).
    """
    path = Path(path)
    sha256, head = _digest(path)
    scan = _scan(path, sha256)
    problems = list(scan.problems)
    interchanges: tuple[InterchangeResult, ...] = ()
    acks: list[Ack] = []
    if not any(p.is_fatal for p in problems):
        interchanges = tuple(_check_file(path, sha256, scan))
        problems += findings_as_problems(interchanges, sha256, path.name)
        problems += _set_count_problems(scan, sha256, path.name)
    answered, delimiters = (
        (interchanges, scan.delimiters) if interchanges else (_unreadable_isa(head, problems))
    )
    if answered and delimiters is not None:
        start = first_control_number or int(sha256[:12], 16) % 999_000_000 + 1
        acks = build_acks(
            answered, delimiters, control_numbers=_count(start), now=now or dt.datetime.now()
        )
    status = set_statuses(interchanges)
    is_valid = (
        bool(status)
        and all(s == AckStatus.ACCEPTED for s in status.values())
        and not any(p.severity is not Severity.WARNING for p in problems)
    )
    return ValidationResult(
        str(path), sha256, sniff_kind(head), is_valid, problems, acks, status, interchanges
    )


validate_file = validate_path  # the name tests/test_generator.py imports


def _digest(path: Path) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        digest.update(head)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest(), head


def _unreadable_isa(
    head: bytes, problems: list[Problem]
) -> tuple[tuple[InterchangeResult, ...], Delimiters | None]:
    """An ISA our reader cannot take apart (no terminator, too few elements, cut short)
    still gets its TA1 rejection when ISA13 can be read after the element separator."""
    problem = next((p for p in problems if p.code in ("BAD_ISA", "TRUNCATED")), None)
    text = head[:512].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if problem is None or not text.startswith("ISA") or len(text) < 4 or text[3].isalnum():
        return (), None
    values = [v.strip() for v in text.split(text[3], 16)]
    if len(values) < 14 or not values[13][:9].isdigit() or len(values[13]) < 9:
        return (), None
    values[13] = values[13][:9]
    note = "023" if problem.code == "TRUNCATED" else "022"  # cut short / too few elements
    if "terminator" in problem.message:
        note = "004"
    isa = ("ISA", *(values[1:17] + [""] * 16)[:16])
    spare = [c for c in "~:^|!" if c != text[3]]
    return (
        (InterchangeResult(isa, 1, (_isa_finding(note, problem.message),)),),
        Delimiters(text[3], spare[1], spare[2], spare[0]),
    )


def _count(start: int) -> Iterator[int]:
    number = start
    while True:
        yield number
        number = number % 999_999_999 + 1


# -- pass 1: what is in the file --------------------------------------------------------


@dataclass(slots=True)
class _Scanned:
    """One interchange as our reader saw it: enough to answer for it if pyx12 cannot."""

    isa: list[str]
    position: int
    groups: list[tuple[list[str], int, list[tuple[list[str], int]]]] = field(
        default_factory=list
    )  # (GS elements, position, [(ST elements, position)])
    is_group_open: bool = False
    stray_sets: int = 0  # ST..SE outside GS..GE


@dataclass(slots=True)
class _Scan:
    problems: list[Problem]
    delimiters: Delimiters | None
    interchanges: list[_Scanned]
    sets_outside: int  # ST..SE with no ISA before them


def _scan(path: Path, sha256: str) -> _Scan:
    """Read every segment once with our reader (bounded time, FATAL problems on junk)."""
    interchanges: list[_Scanned] = []
    outside = 0
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        for elements, position in reader.segments():
            tag = elements[0]
            stripped = [e.strip() for e in elements]
            if tag == "ISA":
                interchanges.append(_Scanned(stripped, position))
            elif not interchanges:
                outside += tag == "ST"
            elif tag in ("GS", "GE"):
                current = interchanges[-1]
                current.is_group_open = tag == "GS"
                if tag == "GS":
                    current.groups.append((stripped, position, []))
            elif tag == "ST" and interchanges[-1].is_group_open:
                interchanges[-1].groups[-1][2].append((stripped, position))
            elif tag == "ST":
                interchanges[-1].stray_sets += 1
        return _Scan(list(reader.problems), reader.delimiters, interchanges, outside)


def _set_count_problems(scan: _Scan, sha256: str, name: str) -> list[Problem]:
    source = SourceRef(sha256, name)
    if not scan.interchanges:
        return [
            Problem(
                "ENVELOPE_REQUIRED",
                Severity.FATAL,
                "no ISA/GS envelope: validation "
                "needs GS08 to choose the implementation guide, and the envelope "
                "to address the acknowledgments",
                source,
                "ISA",
            )
        ]
    if scan.sets_outside:
        return [
            Problem(
                "ST_OUTSIDE_GROUP",
                Severity.ERROR,
                f"{scan.sets_outside} transaction set(s) before the first ISA were not validated",
                source,
                "ISA",
            )
        ]
    if not any(sets for s in scan.interchanges for _, _, sets in s.groups) and not any(
        s.stray_sets for s in scan.interchanges
    ):
        return [
            Problem(
                "NO_TRANSACTION_SET",
                Severity.FATAL,
                "the file holds no transaction set (ST..SE) to validate",
                source,
                "ST",
            )
        ]
    return []


# -- pass 2: pyx12, one interchange at a time -------------------------------------------


def _check_file(path: Path, sha256: str, scan: _Scan) -> Iterator[InterchangeResult]:
    assert scan.delimiters is not None  # no FATAL problem, so the reader found separators
    seen: set[str] = set()
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
    scanned: _Scanned,
    segments: Iterator[Segment],
    delimiters: Delimiters,
    seen: set[str],
) -> InterchangeResult:
    isa_text, isa, own = _fixed_isa(scanned.isa, delimiters)
    if isa[13] in seen:
        own.append(
            _isa_finding("025", f"ISA13 {isa[13]} is used by an earlier interchange of this file")
        )
    seen.add(isa[13])
    unread = tuple(_unread_group(g) for g in scanned.groups)
    if isa[12] not in _CONTROL_MAPS:
        own.append(
            _isa_finding(
                "017", f"ISA12 {isa[12]!r} is not a version pyx12 validates (00401, 00501)"
            )
        )
        return InterchangeResult(isa, scanned.position, tuple(own), unread)
    if scanned.stray_sets:  # pyx12's reader crashes (IndexError) on an ST outside GS..GE
        own.append(
            _isa_finding(
                "024", f"{scanned.stray_sets} transaction set(s) outside a GS..GE functional group"
            )
        )
        return InterchangeResult(isa, scanned.position, tuple(own), unread)
    walk: _Walk | None = None
    try:
        walk = _Walk(_SegmentText(_lines(segments, isa_text, delimiters)))
        return _interchange(walk.run(), scanned.position, isa, own, unread)
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
            _isa_finding("022", f"the ISA segment has {len(elements) - 1} elements, not 16")
        )
    values[15] = delimiters.component
    fixed = []
    for index, (value, width) in enumerate(zip(values, ISA_WIDTHS), start=1):
        if len(value) > width:
            findings.append(
                _isa_finding(
                    _ISA_ELEMENT_CODES[index],
                    f"ISA{index:02d} has {len(value)} characters; its fixed width is {width}",
                )
            )
            value = value[:width]
        if index == 13 and value.isdigit():
            value = value.rjust(width, "0")
        fixed.append(value.ljust(width))
    text = delimiters.element.join(["ISA", *fixed]) + _line_end(delimiters)
    return text, ("ISA", *(v.strip() for v in fixed)), findings


def _isa_finding(code: str, message: str) -> Finding:
    return Finding(code, InterchangeCode(code).name, message)


def _unread_group(group: tuple[list[str], int, list[tuple[list[str], int]]]) -> GroupResult:
    """A group pyx12 did not get to, as our reader saw it (its sets answer R)."""
    gs, position, sets = group
    at = functools.partial(_at, gs)
    return GroupResult(
        at(1),
        at(2),
        at(3),
        at(6),
        at(8),
        position,
        None,
        (),
        tuple(
            SetResult(_at(st, 1), _at(st, 2), _at(st, 3) or at(8), st_position)
            for st, st_position in sets
        ),
    )


def _at(elements: list[str], index: int) -> str:
    return elements[index] if index < len(elements) else ""


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


@functools.cache
def _load_map(name: str) -> Any:
    """pyx12 map objects hold no walk state (the walker does), so one per process."""
    return pyx12.map_if.load_map_file(name, _params())


@functools.cache
def _params() -> Any:
    return pyx12.params.params()


@functools.cache
def _map_index() -> Any:
    return pyx12.map_index.map_index()


class _Walk:
    """pyx12's validation loop over one interchange, recording into its error tree."""

    def __init__(self, stream: _SegmentText) -> None:
        self.src = pyx12.x12file.X12Reader(stream)
        self.errh = pyx12.error_handler.err_handler()
        self.control = _load_map(_CONTROL_MAPS[self.src.icvn])
        self.node: Any = self.control.getnodebypath("/ISA_LOOP/ISA")
        self.walker = walk_tree()
        self.icvn: str | None = None
        self.is_skipping = False  # inside a group pyx12 has no map for
        self.unsupported: dict[int, GroupCode] = {}  # GS line in the interchange -> why
        self.strays = 0

    def run(self) -> _Walk:
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
        errh.handle_errors(src.pop_errors())
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
        map_file = _map_index().get_filename(self.icvn, vriic, fic)
        if map_file is None:
            known = any(m["fic"] == fic for m in _map_index().maps)
            self.unsupported[self.src.get_cur_line()] = (
                GroupCode.FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED
                if known
                else GroupCode.FUNCTIONAL_GROUP_NOT_SUPPORTED
            )
            self.is_skipping = True
            return control_node
        transaction_map = _load_map(map_file)
        self.src.check_837_lx = transaction_map.id == "837"
        return transaction_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")


# -- pyx12's error tree -> records ------------------------------------------------------

# pyx12's own segment codes (not X12 ones): the 999 says 8, the problem says what it was
_PYX12_SEGMENT_CODES = {
    "HL1": "HL_NUMBER_OUT_OF_SEQUENCE",
    "HL2": "HL_PARENT_INVALID",
    "LX": "LX_NUMBER_OUT_OF_SEQUENCE",
    "SEG1": "TRAILING_ELEMENT_SEPARATORS",
}


def _interchange(
    walk: _Walk,
    position: int,
    isa: tuple[str, ...],
    own: list[Finding],
    unread: tuple[GroupResult, ...],
) -> InterchangeResult:
    if not walk.errh.children:
        return InterchangeResult(isa, position, tuple(own), unread, "pyx12 read no ISA")
    err_isa, offset = walk.errh.children[0], position - 1
    findings = own + [
        _coded(InterchangeCode, code, message, "INVALID_CONTROL_STRUCTURE")
        for code, message in err_isa.errors
    ]
    for element in err_isa.elements:
        is_iea = bool(element.errors) and "IEA" in element.errors[0][1]
        codes = {1: "021", 2: "018"} if is_iea else dict(enumerate(_ISA_ELEMENT_CODES))
        findings += [
            _isa_finding(codes.get(element.ele_pos, "022"), message)
            for code, message, _value in element.errors
            if is_iea or not _is_separator_charset(element.ele_pos, code, isa)
        ]
    by_position = {g.file_position: g for g in unread}
    groups = []
    for err_gs in err_isa.children:
        why = walk.unsupported.get(err_gs.cur_line_gs)
        scanned = by_position.get(offset + err_gs.cur_line_gs)
        groups.append(_unsupported(scanned, why) if why and scanned else _group(err_gs, offset))
    return InterchangeResult(isa, position, tuple(findings), tuple(groups))


def _is_separator_charset(position: int, code: str, isa: tuple[str, ...]) -> bool:
    """pyx12 checks ISA16 (and 5010 ISA11) against the data character set, but they are
    separators, not data: a 4010 file with ``^`` as ISA16 is fine."""
    return code == ElementCode.INVALID_CHARACTER and (
        position == 16 or position == 11 and isa[12] == "00501"
    )


def _unsupported(group: GroupResult, why: GroupCode) -> GroupResult:
    message = (
        f"pyx12 has no implementation guide for GS01 {group.functional_id!r} / GS08 "
        f"{group.version!r}: the group was not validated"
    )
    not_read = Finding(
        SetCode.TRANSACTION_SET_NOT_SUPPORTED.value,
        SetCode.TRANSACTION_SET_NOT_SUPPORTED.name,
        message,
    )
    return GroupResult(
        group.functional_id,
        group.sender,
        group.receiver,
        group.control_number,
        group.version,
        group.file_position,
        len(group.sets),
        (Finding(why.value, why.name, message),),
        tuple(
            SetResult(
                s.transaction_id, s.control_number, s.convention, s.file_position, (not_read,)
            )
            for s in group.sets
        ),
    )


def _group(err_gs: Any, offset: int) -> GroupResult:
    findings = [
        _coded(GroupCode, "19" if code == "6" else code, message, "")
        for code, message in err_gs.errors
    ]
    for element in err_gs.elements:  # pyx12's own mapping of GS/GE element errors to AK905
        codes = {2: "6"} if element.errors and "GE" in element.errors[0][1] else {6: "6", 8: "2"}
        findings += [
            Finding(codes.get(element.ele_pos, ""), _element_name(code, message), message, value)
            for code, message, value in element.errors
        ]
    is_closed = bool(err_gs.cur_line_ge)
    if not is_closed and not any(f.x12_code == GroupCode.MISSING_GE for f in findings):
        findings.append(
            _coded(GroupCode, "3", f"group {err_gs.gs_control_num} has no GE trailer", "")
        )
    gs = {i: (err_gs.seg_data.get_value(f"GS{i:02d}") or "").strip() for i in (1, 2, 3, 6, 8)}
    return GroupResult(
        gs[1],
        gs[2],
        gs[3],
        gs[6],
        gs[8],
        offset + err_gs.cur_line_gs,
        err_gs.st_count_orig if is_closed else None,
        tuple(findings),
        tuple(_set(st, offset, gs[8]) for st in err_gs.children),
    )


def _set(err_st: Any, offset: int, gs08: str) -> SetResult:
    findings = tuple(
        _coded(SetCode, code, message, "TRANSACTION_SET_ERROR") for code, message in err_st.errors
    )
    envelope: dict[str, list[ElementError]] = {"ST": [], "SE": []}
    for element in err_st.elements:  # ST/SE element errors (an ST03 where it is Not Used)
        tag = "SE" if any("(SE0" in m for _c, m, _v in element.errors) else "ST"
        envelope[tag].append(_element(element))
    segments = (
        [SegmentError("ST", 1, offset + err_st.cur_line_st, None, (), tuple(envelope["ST"]))]
        if envelope["ST"]
        else []
    )
    segments += [_segment(s, offset) for s in err_st.children]
    if envelope["SE"] and err_st.cur_line_se:
        segments.append(
            SegmentError(
                "SE",
                err_st.cur_line_se - err_st.cur_line_st + 1,
                offset + err_st.cur_line_se,
                None,
                (),
                tuple(envelope["SE"]),
            )
        )
    st = err_st.seg_data
    return SetResult(
        st.get_value("ST01") or "",
        st.get_value("ST02") or "",
        err_st.vriic or gs08,
        offset + err_st.cur_line_st,
        findings,
        tuple(segments),
    )


def _segment(err_seg: Any, offset: int) -> SegmentError:
    findings = []
    for code, message, value in err_seg.errors:
        if code in _PYX12_SEGMENT_CODES:
            findings.append(Finding("8", _PYX12_SEGMENT_CODES[code], message, value))
        else:
            findings.append(_coded(SegmentCode, code, message, "SEGMENT_ERROR", value))
    return SegmentError(
        err_seg.seg_id or "",
        err_seg.seg_count,
        offset + err_seg.cur_line,
        err_seg.ls_id,
        tuple(findings),
        tuple(_element(e) for e in err_seg.elements if e.errors),
    )


def _element(err_ele: Any) -> ElementError:
    findings = []
    for code, message, value in err_ele.errors:
        if code == "10" and "Not Used" in message:  # X12 has I10 for this; pyx12 says 10
            code = ElementCode.NOT_USED_ELEMENT_PRESENT.value
        findings.append(Finding(code, _element_name(code, message), message, value))
    return ElementError(
        err_ele.ele_pos,
        err_ele.subele_pos,
        err_ele.repeat_pos,
        err_ele.ele_ref_num,
        tuple(findings),
    )


def _element_name(code: str, message: str) -> str:
    if code == "10" and "Not Used" in message:
        return ElementCode.NOT_USED_ELEMENT_PRESENT.name
    return _coded(ElementCode, code, message, "ELEMENT_ERROR").name


def _coded(codes: Any, code: str, message: str, fallback: str, value: str | None = None) -> Finding:
    """A finding named by its X12 code table; pyx12's odd codes keep ``fallback``."""
    try:
        return Finding(code, codes(code).name, message, value)
    except ValueError:
        return Finding(code if not fallback else "", fallback or "ENVELOPE_ERROR", message, value)
