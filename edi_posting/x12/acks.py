"""Acknowledgment stage: validation findings -> 999 (or 997) and TA1 interchanges as text.

Consumes the :class:`InterchangeResult` records that :mod:`edi_posting.x12.validation`
builds from pyx12's error tree, and produces :class:`Ack` records (kind, the ISA13/GS06
they answer, and the X12 text), plus the findings as problems and the status of each
transaction set.  We write the acknowledgments ourselves instead of using pyx12's
``error_999`` visitor because that visitor raises ``EngineError: Cannot create AK2:
err_st.vriic was not set`` whenever ST03 is absent (the norm in real 835s, whose X221A1
map even marks ST03 "Not Used"; ``x12n_document`` logs it and leaves a 999 cut after AK1),
raises ``KeyError`` on an ST03 error, and sets AK901 ``R`` when one set of many is
rejected (X12 says ``P``).

Rules (005010X231A1 for the 999, X12 TA1 for the interchange):

* one 999 per functional group, addressed back to its sender (ISA05/06 and GS02 swapped
  with ISA07/08 and GS03); no 999 answers an FA group (acknowledgments are never
  acknowledged) or a group of an interchange rejected by its TA1;
* a 004010 group gets a 997 instead (same shape: AK3/AK4/AK5 and no implementation codes);
* a TA1 is written when the interchange has envelope errors (TA104 ``R``) or asked for one
  (ISA14 = 1; TA104 ``A``, TA105 ``000``);
* the acknowledgments use the received file's separators, so no value copied back from it
  (an ID, a bad value in IK404) can contain one.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from edi_posting.problems import Problem, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.delimiters import Delimiters

__all__ = [
    "Ack",
    "AckStatus",
    "ElementCode",
    "ElementError",
    "Finding",
    "GroupCode",
    "GroupResult",
    "InterchangeCode",
    "InterchangeResult",
    "SegmentCode",
    "SegmentError",
    "SetCode",
    "SetResult",
    "ack_file_names",
    "build_acks",
    "findings_as_problems",
    "set_statuses",
]

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)  # ISA01..ISA16
_999_VERSION = "005010X231A1"
_MAX_CODES = 5  # IK502..IK506, AK905..AK909
_EXTENDED_CHARSET = re.compile(r"""[A-Za-z0-9!"&'()*+,\-./:;?= %~@\[\]_{}\\|<>^`#$]+""")
_SEGMENT_ID = re.compile(r"[A-Za-z0-9]{2,3}")  # IK301; an unreadable one is sent as UNK


class AckStatus(enum.StrEnum):
    """IK501 / AK901 / TA104: what the receiver did with the unit."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"  # not produced today: every pyx12 finding is an error
    PARTIALLY_ACCEPTED = "P"  # AK901 only: some sets accepted, some rejected
    REJECTED = "R"


class SegmentCode(enum.StrEnum):
    """IK304 / AK304 (X12 element 620): why a segment is in error."""

    UNRECOGNIZED_SEGMENT_ID = "1"
    UNEXPECTED_SEGMENT = "2"
    REQUIRED_SEGMENT_MISSING = "3"
    LOOP_OVER_MAXIMUM_TIMES = "4"
    SEGMENT_OVER_MAXIMUM_USE = "5"
    SEGMENT_NOT_IN_TRANSACTION_SET = "6"
    SEGMENT_OUT_OF_SEQUENCE = "7"
    SEGMENT_HAS_ELEMENT_ERRORS = "8"
    NOT_USED_SEGMENT_PRESENT = "I4"
    DEPENDENT_SEGMENT_MISSING = "I6"
    LOOP_UNDER_MINIMUM_TIMES = "I7"
    SEGMENT_UNDER_MINIMUM_USE = "I8"
    DEPENDENT_NOT_USED_SEGMENT_PRESENT = "I9"


class ElementCode(enum.StrEnum):
    """IK403 / AK403 (X12 element 621): why a data element is in error."""

    REQUIRED_ELEMENT_MISSING = "1"
    CONDITIONAL_ELEMENT_MISSING = "2"
    TOO_MANY_ELEMENTS = "3"
    ELEMENT_TOO_SHORT = "4"
    ELEMENT_TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE_VALUE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    EXCLUSION_CONDITION_VIOLATED = "10"
    TOO_MANY_REPETITIONS = "12"
    TOO_MANY_COMPONENTS = "13"
    NOT_USED_ELEMENT_PRESENT = "I10"
    TOO_FEW_REPETITIONS = "I11"
    PATTERN_MATCH_FAILURE = "I12"
    DEPENDENT_NOT_USED_ELEMENT_PRESENT = "I13"
    CODE_NOT_USED_IN_IMPLEMENTATION = "I6"
    DEPENDENT_ELEMENT_MISSING = "I9"


class SetCode(enum.StrEnum):
    """IK502.. / AK502.. (X12 element 718); names shared with the reader's problems."""

    TRANSACTION_SET_NOT_SUPPORTED = "1"
    MISSING_SE = "2"
    TRANSACTION_CONTROL_MISMATCH = "3"
    SEGMENT_COUNT_MISMATCH = "4"
    SEGMENTS_IN_ERROR = "5"
    INVALID_TRANSACTION_SET_ID = "6"
    INVALID_TRANSACTION_CONTROL_NUMBER = "7"
    DUPLICATE_TRANSACTION_CONTROL_NUMBER = "23"
    IMPLEMENTATION_SEGMENTS_IN_ERROR = "I5"
    IMPLEMENTATION_CONVENTION_NOT_SUPPORTED = "I6"


class GroupCode(enum.StrEnum):
    """AK905.. (X12 element 716)."""

    FUNCTIONAL_GROUP_NOT_SUPPORTED = "1"
    FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED = "2"
    MISSING_GE = "3"
    GROUP_CONTROL_MISMATCH = "4"
    GROUP_COUNT_MISMATCH = "5"
    INVALID_GROUP_CONTROL_NUMBER = "6"
    DUPLICATE_GROUP_CONTROL_NUMBER = "19"


class InterchangeCode(enum.StrEnum):
    """TA105 (X12 element I18)."""

    NO_ERROR = "000"
    INTERCHANGE_CONTROL_MISMATCH = "001"
    UNSUPPORTED_CONTROL_STANDARD = "002"
    UNSUPPORTED_CONTROL_VERSION = "003"
    INVALID_SEGMENT_TERMINATOR = "004"
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION_VALUE = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY_VALUE = "013"
    INVALID_INTERCHANGE_DATE = "014"
    INVALID_INTERCHANGE_TIME = "015"
    INVALID_STANDARDS_IDENTIFIER = "016"
    INVALID_VERSION = "017"
    INVALID_INTERCHANGE_CONTROL_NUMBER = "018"
    INVALID_ACKNOWLEDGMENT_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    INTERCHANGE_COUNT_MISMATCH = "021"
    INVALID_CONTROL_STRUCTURE = "022"
    MISSING_IEA = "023"
    INVALID_INTERCHANGE_CONTENT = "024"
    DUPLICATE_INTERCHANGE_CONTROL_NUMBER = "025"
    INVALID_ELEMENT_SEPARATOR = "026"
    INVALID_COMPONENT_SEPARATOR = "027"


@dataclass(frozen=True, slots=True)
class Finding:
    """One error, in X12 terms: the code that goes into the acknowledgment, and ours."""

    x12_code: str  # IK304, IK403, IK502, AK905 or TA105 value
    name: str  # stable problem code, e.g. "REQUIRED_SEGMENT_MISSING"
    message: str
    value: str | None = None  # the bad value (IK404), when there is one


@dataclass(frozen=True, slots=True)
class ElementError:  # one IK4 per finding
    position: int  # IK401-1
    component: int | None  # IK401-2
    repetition: int | None  # IK401-3
    reference: str | None  # IK402: data element reference number
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class SegmentError:  # IK3 (and its IK4s)
    segment_id: str  # IK301
    set_position: int  # IK302: 1 = the ST segment
    file_position: int  # 1-based position in the file, for problems
    loop_id: str | None  # IK303
    findings: tuple[Finding, ...]
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class SetResult:  # AK2 .. IK5
    transaction_id: str  # ST01
    control_number: str  # ST02
    convention: str  # AK203: ST03, else GS08 (ST03 is absent in most 835s)
    file_position: int
    findings: tuple[Finding, ...] = ()  # IK502..
    segments: tuple[SegmentError, ...] = ()

    @property
    def status(self) -> AckStatus:
        return AckStatus.REJECTED if self.findings or self.segments else AckStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class GroupResult:  # AK1 .. AK9
    functional_id: str  # GS01
    sender: str  # GS02
    receiver: str  # GS03
    control_number: str  # GS06
    version: str  # GS08
    file_position: int
    declared_sets: int | None  # GE01, None when there is no usable GE
    findings: tuple[Finding, ...] = ()  # AK905..
    sets: tuple[SetResult, ...] = ()

    @property
    def accepted_sets(self) -> int:  # AK904
        return sum(s.status is not AckStatus.REJECTED for s in self.sets)

    @property
    def status(self) -> AckStatus:  # AK901
        if self.findings or not self.accepted_sets and self.sets:
            return AckStatus.REJECTED
        if self.accepted_sets < len(self.sets):
            return AckStatus.PARTIALLY_ACCEPTED
        return AckStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class InterchangeResult:  # TA1
    isa: tuple[str, ...]  # ISA00..ISA16, stripped ("ISA" at index 0)
    file_position: int
    findings: tuple[Finding, ...] = ()  # TA105 (the first one is sent)
    groups: tuple[GroupResult, ...] = ()
    failure: str | None = None  # the validator itself failed: no verdict, no acknowledgment

    @property
    def control_number(self) -> str:  # ISA13
        return self.isa[13] if len(self.isa) > 13 else ""

    @property
    def status(self) -> AckStatus:
        return AckStatus.REJECTED if self.findings or self.failure else AckStatus.ACCEPTED

    @property
    def is_ta1_requested(self) -> bool:  # ISA14
        return len(self.isa) > 14 and self.isa[14] == "1"


@dataclass(frozen=True, slots=True)
class Ack:
    kind: str  # "999", "997" or "TA1"
    isa13: str  # of the interchange answered
    gs06: str | None  # of the group answered (None for a TA1)
    text: str


def build_acks(
    interchanges: Sequence[InterchangeResult],
    delimiters: Delimiters,
    *,
    control_numbers: Iterator[int],
    now: dt.datetime,
) -> list[Ack]:
    """The TA1s and 999/997s for one file, in file order.

    ``control_numbers`` supplies the ISA13 (and GS06) of each acknowledgment written.
    """
    writer = _Writer(delimiters, now)
    acks: list[Ack] = []
    for ich in interchanges:
        if ich.failure is not None:
            continue
        if ich.findings or ich.is_ta1_requested:
            acks.append(writer.ta1(ich, next(control_numbers)))
        if ich.status is AckStatus.REJECTED:
            continue  # a rejected interchange was not processed: its groups get no 999
        for group in ich.groups:
            if group.functional_id != "FA":
                acks.append(writer.functional_ack(ich, group, next(control_numbers)))
    return acks


def ack_file_names(input_name: str, acks: Sequence[Ack]) -> list[str]:
    """File names for ``acks``, in order: ``remit.835.999`` (``.997``) for the file's only
    functional acknowledgment, else ``remit.835.<ISA13>.<GS06>.999``; ``remit.835.ta1`` for
    its only TA1, else ``remit.835.<ISA13>.ta1``.  Unsafe characters become ``_``."""
    names = []
    for ack in acks:
        same_kind = [a for a in acks if (a.kind == "TA1") == (ack.kind == "TA1")]
        parts = (
            []
            if len(same_kind) == 1
            else [ack.isa13] + ([ack.gs06] if ack.gs06 is not None else [])
        )
        safe = [re.sub(r"[^A-Za-z0-9-]", "_", part) or "_" for part in parts]
        names.append(".".join([input_name, *safe, ack.kind.lower()]))
    return names


class _Writer:
    """Formats segments with the received file's separators."""

    def __init__(self, delimiters: Delimiters, now: dt.datetime) -> None:
        self.element, self.component = delimiters.element, delimiters.component
        self.terminator = (
            delimiters.terminator
            if delimiters.terminator != "\n"
            else next(c for c in "~|!^" if c not in (self.element, self.component))
        )
        used = {self.element, self.component, self.terminator}
        self.repetition = delimiters.repetition or next(c for c in "^|!{}`" if c not in used)
        self.now = now

    def segment(self, *elements: str) -> str:
        return self.element.join(elements).rstrip(self.element) + self.terminator

    def isa(self, answered: tuple[str, ...], control: int, version: str) -> str:
        values = [
            "00",
            "",
            "00",
            "",
            _at(answered, 7),
            _at(answered, 8),
            _at(answered, 5),
            _at(answered, 6),
            self.now.strftime("%y%m%d"),
            self.now.strftime("%H%M"),
            self.repetition if version == "00501" else "U",
            version,
            f"{control:09d}",
            "0",
            _at(answered, 15) if _at(answered, 15) in ("P", "T") else "P",
        ]
        padded = [v[:w].ljust(w) for v, w in zip(values, ISA_WIDTHS)]
        return self.element.join(["ISA", *padded, self.component]) + self.terminator

    def ta1(self, ich: InterchangeResult, control: int) -> Ack:
        note = next(
            (f.x12_code for f in ich.findings if f.x12_code),
            InterchangeCode.INVALID_CONTROL_STRUCTURE.value
            if ich.findings
            else InterchangeCode.NO_ERROR.value,
        )
        status = AckStatus.REJECTED if ich.findings else AckStatus.ACCEPTED
        version = "00401" if _at(ich.isa, 12) == "00401" else "00501"
        lines = [
            self.isa(ich.isa, control, version),
            self.segment(
                "TA1", ich.control_number, _at(ich.isa, 9), _at(ich.isa, 10), status.value, note
            ),
            self.segment("IEA", "0", f"{control:09d}"),
        ]
        return Ack("TA1", ich.control_number, None, "\n".join(lines) + "\n")

    def functional_ack(self, ich: InterchangeResult, group: GroupResult, control: int) -> Ack:
        is_997 = group.version.startswith("004010")
        kind = "997" if is_997 else "999"
        body = [
            self.segment(
                "AK1", group.functional_id, group.control_number, "" if is_997 else group.version
            )
        ]
        unsupported = {
            GroupCode.FUNCTIONAL_GROUP_NOT_SUPPORTED.name,
            GroupCode.FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED.name,
        }
        if not any(f.name in unsupported for f in group.findings):
            for tset in group.sets:
                body += self.set_response(tset, is_997)
        received = len(group.sets)
        declared = received if group.declared_sets is None else group.declared_sets
        body.append(
            self.segment(
                "AK9",
                group.status.value,
                str(declared),
                str(received),
                str(group.accepted_sets),
                *_codes(group.findings),
            )
        )
        header = self.segment("ST", kind, "0001", "" if is_997 else _999_VERSION)
        trailer = self.segment("SE", str(len(body) + 2), "0001")
        lines = [
            self.isa(ich.isa, control, "00401" if is_997 else "00501"),
            self.segment(
                "GS",
                "FA",
                group.receiver,
                group.sender,
                self.now.strftime("%Y%m%d"),
                self.now.strftime("%H%M"),
                str(control),
                "X",
                "004010" if is_997 else _999_VERSION,
            ),
            header,
            *body,
            trailer,
            self.segment("GE", "1", str(control)),
            self.segment("IEA", "1", f"{control:09d}"),
        ]
        return Ack(kind, ich.control_number, group.control_number, "\n".join(lines) + "\n")

    def set_response(self, tset: SetResult, is_997: bool) -> list[str]:
        """AK2, the IK3/IK4 of each segment in error, IK5 (AK3/AK4/AK5 in a 997)."""
        lines = [
            self.segment(
                "AK2", tset.transaction_id, tset.control_number, "" if is_997 else tset.convention
            )
        ]
        seg_tag, ele_tag = ("AK3", "AK4") if is_997 else ("IK3", "IK4")
        for error in tset.segments:
            segment_id = error.segment_id if _SEGMENT_ID.fullmatch(error.segment_id) else "UNK"
            head = (segment_id, str(error.set_position), error.loop_id or "")
            codes = _codes(error.findings, limit=None)
            if error.elements:  # IK4s follow the IK3 that says "has data element errors"
                codes = [c for c in codes if c != "8"] + ["8"]
            lines += [self.segment(seg_tag, *head, code) for code in codes]
            for element in error.elements:
                lines += self.element_errors(ele_tag, element)
        codes = _codes(tset.findings, limit=None)
        if tset.segments and SetCode.SEGMENTS_IN_ERROR.value not in codes:
            codes.append(SetCode.SEGMENTS_IN_ERROR.value)
        lines.append(
            self.segment("AK5" if is_997 else "IK5", tset.status.value, *codes[:_MAX_CODES])
        )
        return lines

    def element_errors(self, tag: str, element: ElementError) -> list[str]:
        where = self.component.join(
            [str(element.position)]
            + ([str(element.component or "")] if element.component or element.repetition else [])
            + ([str(element.repetition)] if element.repetition else [])
        )
        lines = []
        for finding in element.findings:
            value = self.copied_value(finding.value)
            code = "10" if tag == "AK4" and finding.x12_code == "I10" else finding.x12_code
            if code:
                lines.append(self.segment(tag, where, element.reference or "", code, value))
        return lines

    def copied_value(self, value: str | None) -> str:
        """IK404, left out when it cannot be copied as valid data: blank, a separator or a
        character outside the X12 extended set (a curly apostrophe), over 99 chars."""
        value = (value or "").strip()
        separators = {self.element, self.component, self.terminator, self.repetition}
        if not _EXTENDED_CHARSET.fullmatch(value) or any(c in separators for c in value):
            return ""
        return value[:99]


def _codes(findings: Sequence[Finding], limit: int | None = _MAX_CODES) -> list[str]:
    codes = list(dict.fromkeys(f.x12_code for f in findings if f.x12_code))
    return codes if limit is None else codes[:limit]


def _at(elements: Sequence[str], index: int) -> str:
    return elements[index] if index < len(elements) else ""


def set_statuses(interchanges: Sequence[InterchangeResult]) -> dict[tuple[str, str, str], str]:
    """(ISA13, GS06, ST02) -> "A" or "R": a set is rejected with its group or interchange.

    Keys repeated in one file (it happens) keep the worst status.
    """
    status: dict[tuple[str, str, str], str] = {}
    for ich in interchanges:
        for group in ich.groups:
            is_rejected = ich.status is AckStatus.REJECTED or bool(group.findings)
            for tset in group.sets:
                key = (ich.control_number, group.control_number, tset.control_number)
                value = AckStatus.REJECTED.value if is_rejected else tset.status.value
                if status.get(key) != AckStatus.REJECTED.value:
                    status[key] = value
    return status


def findings_as_problems(
    interchanges: Sequence[InterchangeResult],
    sha256: str,
    file_name: str,
) -> list[Problem]:
    """Every finding as a Problem (ERROR: its unit is rejected in the 999/TA1; the rest of
    the file is not), with the acknowledgment element and code in ``details``."""
    problems: list[Problem] = []
    for ich in interchanges:
        source = SourceRef(sha256, file_name, ich.control_number, None, None, ich.file_position)
        if ich.failure is not None:
            problems.append(
                Problem(
                    "VALIDATOR_FAILED",
                    Severity.FATAL,
                    f"{ich.failure}: interchange {ich.control_number} was not validated",
                    source,
                    "ISA",
                )
            )
        problems += [_problem(f, source, "ISA", "TA105") for f in ich.findings]
        for group in ich.groups:
            source = SourceRef(
                sha256,
                file_name,
                ich.control_number,
                group.control_number,
                None,
                group.file_position,
            )
            problems += [_problem(f, source, "GS", "AK905") for f in group.findings]
            for tset in group.sets:
                problems += _set_problems(tset, source)
    return problems


def _set_problems(tset: SetResult, group_source: SourceRef) -> list[Problem]:
    source = SourceRef(
        group_source.file_sha256,
        group_source.file_name,
        group_source.interchange_control_number,
        group_source.group_control_number,
        tset.control_number,
        tset.file_position,
    )
    problems = [_problem(f, source, "ST", "IK502") for f in tset.findings]
    for error in tset.segments:
        at = source.at(error.file_position)
        problems += [_problem(f, at, error.segment_id, "IK304") for f in error.findings]
        for element in error.elements:
            name = f"{error.segment_id}{element.position:02d}" + (
                f"-{element.component}" if element.component else ""
            )
            problems += [_problem(f, at, name, "IK403") for f in element.findings]
    return problems


def _problem(finding: Finding, source: SourceRef, element: str, ack_element: str) -> Problem:
    details = {"x12": f"{ack_element}={finding.x12_code}"} if finding.x12_code else {}
    return Problem(finding.name, Severity.ERROR, finding.message, source, element, details)
