"""Acknowledgment records: what validation found, in the shape of a 999 (997) and a TA1.

Produced by :mod:`edi_posting.x12.validation.findings` from pyx12's error tree (and by
:mod:`edi_posting.x12.validation.validator` for what pyx12 never reads); consumed by
:mod:`edi_posting.x12.validation.ack_writer`, which writes the acknowledgments, and by
:mod:`edi_posting.x12.validation.acks`, which turns the findings into problems and set statuses.
The X12 code tables (IK304, IK403, IK502, AK905, TA105) are enums with readable names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from edi_posting.records.problems import ProblemCode

__all__ = [
    "ISA_WIDTHS",
    "Ack",
    "AckCode",
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
]

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)  # ISA01..ISA16


class AckStatus(enum.StrEnum):
    """IK501 / AK901 / TA104: what the receiver did with the unit."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"  # only our claim-level 835 findings (content_checks)
    PARTIALLY_ACCEPTED = "P"  # AK901 only: some sets accepted, some rejected
    REJECTED = "R"


class AckCode(enum.StrEnum):
    """An X12 acknowledgment code table: each member's name is the problem code of the
    finding it stands for (the tests prove each table maps whole)."""

    @property
    def problem(self) -> ProblemCode:
        return ProblemCode[self.name]


class SegmentCode(AckCode):
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


class ElementCode(AckCode):
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


class SetCode(AckCode):
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


class GroupCode(AckCode):
    """AK905.. (X12 element 716)."""

    FUNCTIONAL_GROUP_NOT_SUPPORTED = "1"
    FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED = "2"
    MISSING_GE = "3"
    GROUP_CONTROL_MISMATCH = "4"
    GROUP_COUNT_MISMATCH = "5"
    INVALID_GROUP_CONTROL_NUMBER = "6"
    DUPLICATE_GROUP_CONTROL_NUMBER = "19"


class InterchangeCode(AckCode):
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
    name: ProblemCode  # e.g. REQUIRED_SEGMENT_MISSING: the problem it becomes
    message: str  # for a person: never shows a value that may be PHI (element_privacy)
    # the bad value, copied into the 999 (IK404): may be PHI, so kept out of repr()
    value: str | None = field(default=None, repr=False)


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
    errors_noted_only: bool = False  # its errors are noted, not rejecting (IK501 E)

    @property
    def status(self) -> AckStatus:
        if not (self.findings or self.segments):
            return AckStatus.ACCEPTED
        if self.errors_noted_only:
            return AckStatus.ACCEPTED_WITH_ERRORS
        return AckStatus.REJECTED


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
    notes: tuple[Finding, ...] = ()  # warnings (a guide substituted): not in the 999

    @property
    def accepted_sets(self) -> int:  # AK904
        return sum(s.status is not AckStatus.REJECTED for s in self.sets)

    @property
    def status(self) -> AckStatus:  # AK901
        if self.findings or not self.accepted_sets and self.sets:
            return AckStatus.REJECTED
        if self.accepted_sets < len(self.sets):
            return AckStatus.PARTIALLY_ACCEPTED
        if any(s.status is AckStatus.ACCEPTED_WITH_ERRORS for s in self.sets):
            return AckStatus.ACCEPTED_WITH_ERRORS
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
    text: str = field(repr=False)  # X12 for the trading partner (IK404 may copy PHI)
