"""Input problems as data.

A parser, balancer or matcher never raises for bad input: it returns its results and a
list of :class:`Problem`.  Severity decides where the input goes:

* ``FATAL``: the unit (file or transaction set) cannot be trusted; nothing of it posts.
* ``ERROR``: this claim or transaction set becomes a review item; the rest still posts.
* ``WARNING``: posted and noted.

Codes are :class:`ProblemCode` members: stable ``SCREAMING_SNAKE`` strings, because they
are stored (``review_items.problem_code``) and shown to people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from edi_posting.records.source import SourceRef

__all__ = ["Problem", "ProblemCode", "Severity"]


class Severity(enum.StrEnum):
    FATAL = "FATAL"
    ERROR = "ERROR"
    WARNING = "WARNING"


class ProblemCode(enum.StrEnum):
    """Every problem code the product emits, and every ``review_items.problem_code``.

    A closed set: mypy (``Problem.code`` and ``ReviewDraft.problem_code`` take a member,
    never a ``str``), the source scan and the corpus test of ``tests/test_problem_codes.py``
    keep it closed.  Deliberately no CHECK constraint on ``review_items.problem_code``: a
    code missing from a CHECK would turn a rejected file, whose problem opens an item,
    into an IntegrityError, the one outcome a bad input must never have.

    The value is the name.  Grouped by the stage that raises it; the validation findings
    at the end are named after the X12 acknowledgment tables (``x12.ack_records``), whose
    members each map to one code here (their ``problem``).
    """

    # -- reading a file: envelope, separators, segments (x12.reader, x12.delimiters)
    EMPTY_FILE = "EMPTY_FILE"  # the file has no bytes
    NOT_TEXT = "NOT_TEXT"  # UTF-16 or binary content where X12 text should be
    NOT_X12 = "NOT_X12"  # no ISA or ST in the file's head
    NO_ENVELOPE = "NO_ENVELOPE"  # the file starts at ST (warning: separators inferred)
    LEADING_GARBAGE = "LEADING_GARBAGE"  # characters before the ISA were skipped (warning)
    ISA_NOT_FIXED_WIDTH = "ISA_NOT_FIXED_WIDTH"  # ISA not 106 characters (warning)
    BAD_ISA = "BAD_ISA"  # the ISA's separators cannot be read
    TRUNCATED = "TRUNCATED"  # the file ends inside the ISA segment
    GARBAGE = "GARBAGE"  # too many unreadable segments in a row: reading stopped
    SEGMENT_TOO_LONG = "SEGMENT_TOO_LONG"  # no segment terminator in too many characters
    CONTROL_CHARACTER = "CONTROL_CHARACTER"  # an element holds a control character (NUL ...)
    ST_OUTSIDE_GROUP = "ST_OUTSIDE_GROUP"  # an ST before any GS
    GS_OUTSIDE_INTERCHANGE = "GS_OUTSIDE_INTERCHANGE"  # a GS before any ISA
    UNEXPECTED_GE = "UNEXPECTED_GE"  # a GE without its GS
    UNEXPECTED_IEA = "UNEXPECTED_IEA"  # an IEA without its ISA
    UNEXPECTED_SE = "UNEXPECTED_SE"  # an SE without its ST
    SEGMENT_OUTSIDE_TRANSACTION_SET = "SEGMENT_OUTSIDE_TRANSACTION_SET"  # between SE and ST
    MISSING_SE = "MISSING_SE"  # a set without its SE trailer (also IK502 2)
    MISSING_GE = "MISSING_GE"  # a group without its GE trailer (also AK905 3)
    MISSING_IEA = "MISSING_IEA"  # an interchange without its IEA (also TA105 023)
    SEGMENT_COUNT_MISMATCH = "SEGMENT_COUNT_MISMATCH"  # SE01 is not the count (also IK502 4)
    TRANSACTION_CONTROL_MISMATCH = "TRANSACTION_CONTROL_MISMATCH"  # SE02 != ST02 (IK502 3)
    GROUP_COUNT_MISMATCH = "GROUP_COUNT_MISMATCH"  # GE01 is not the set count (AK905 5)
    GROUP_CONTROL_MISMATCH = "GROUP_CONTROL_MISMATCH"  # GE02 != GS06 (AK905 4)
    INTERCHANGE_COUNT_MISMATCH = "INTERCHANGE_COUNT_MISMATCH"  # IEA01 wrong (TA105 021)
    INTERCHANGE_CONTROL_MISMATCH = "INTERCHANGE_CONTROL_MISMATCH"  # IEA02 != ISA13 (TA105 001)
    INVALID_DATE = "INVALID_DATE"  # a date element is no date (GS04, DTM; also IK403 8)
    UNKNOWN_SEGMENT = "UNKNOWN_SEGMENT"  # a segment ID the guide does not know
    UNEXPECTED_SEGMENT = "UNEXPECTED_SEGMENT"  # a known segment where the guide has none
    ENVELOPE_REQUIRED = "ENVELOPE_REQUIRED"  # validate: no ISA/GS to choose a guide by
    NO_TRANSACTION_SET = "NO_TRANSACTION_SET"  # validate: the envelope wraps no set

    # -- parsing an 835 (x12.remit835)
    PARSER_FAILURE = "PARSER_FAILURE"  # the 835 parser itself failed on a set
    NOT_835 = "NOT_835"  # ST01 is not 835
    GS01_NOT_HP = "GS01_NOT_HP"  # the 835's group is not GS01 HP
    UNKNOWN_VERSION = "UNKNOWN_VERSION"  # a version the parser was not written for (warning)
    MISSING_BPR = "MISSING_BPR"  # no BPR: the payment is unknown
    MISSING_TRN = "MISSING_TRN"  # no TRN: the payment has no trace number
    FOREIGN_CURRENCY = "FOREIGN_CURRENCY"  # CUR02 is not USD: the set is held
    MISSING_AMOUNT = "MISSING_AMOUNT"  # a required amount (BPR02, CLP04 ...) is empty
    INVALID_AMOUNT = "INVALID_AMOUNT"  # an amount is no number or has sub-cent digits
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"  # an amount (or a set's sum) beyond 64-bit cents
    INCOMPLETE_ADJUSTMENT = "INCOMPLETE_ADJUSTMENT"  # a CAS triplet without its amount
    INCOMPLETE_PROVIDER_ADJUSTMENT = "INCOMPLETE_PROVIDER_ADJUSTMENT"  # a PLB pair half empty
    SERVICE_UNBALANCED = "SERVICE_UNBALANCED"  # SVC02 - SVC03 != its CAS
    CLAIM_UNBALANCED = "CLAIM_UNBALANCED"  # CLP03 - CLP04 != its CAS
    TRANSACTION_UNBALANCED = "TRANSACTION_UNBALANCED"  # BPR02 != sum(CLP04) - PLB
    PATIENT_RESPONSIBILITY_MISMATCH = "PATIENT_RESPONSIBILITY_MISMATCH"  # CLP05 != its PR CAS

    # -- parsing an 837 (x12.claim837)
    BAD_AMOUNT = "BAD_AMOUNT"  # an 837 amount is no number
    MISSING_PCN = "MISSING_PCN"  # CLM01 is empty
    HL_PARENT_MISSING = "HL_PARENT_MISSING"  # HL02 names an HL that does not exist
    CLAIM_WITHOUT_SUBSCRIBER = "CLAIM_WITHOUT_SUBSCRIBER"  # a CLM outside any subscriber HL
    VERSION_MISMATCH = "VERSION_MISMATCH"  # ST03 and GS08 name different guides (warning)
    SERVICE_TYPE_MISMATCH = "SERVICE_TYPE_MISMATCH"  # the guide is not the claim type's

    # -- code lists (codes.check835): <verdict>_<list>, built by codes.check835 only
    INVALID_CARC = "INVALID_CARC"  # a CAS reason that cannot be a CARC
    UNKNOWN_CARC = "UNKNOWN_CARC"  # a well-formed CARC not in the list
    RETIRED_CARC = "RETIRED_CARC"  # a CARC stopped before the remittance's date
    NOT_YET_VALID_CARC = "NOT_YET_VALID_CARC"  # a CARC starting after the remittance's date
    INVALID_RARC = "INVALID_RARC"  # an MOA/MIA/LQ remark that cannot be a RARC
    UNKNOWN_RARC = "UNKNOWN_RARC"  # a well-formed RARC not in the list
    RETIRED_RARC = "RETIRED_RARC"  # a RARC stopped before the remittance's date
    NOT_YET_VALID_RARC = "NOT_YET_VALID_RARC"  # a RARC starting after the remittance's date
    INVALID_ADJUSTMENT_GROUP = "INVALID_ADJUSTMENT_GROUP"  # CAS01 cannot be a group code
    UNKNOWN_ADJUSTMENT_GROUP = "UNKNOWN_ADJUSTMENT_GROUP"  # CAS01 not in the group list
    RETIRED_ADJUSTMENT_GROUP = "RETIRED_ADJUSTMENT_GROUP"  # CAS01 retired (CR in 5010)
    NOT_YET_VALID_ADJUSTMENT_GROUP = "NOT_YET_VALID_ADJUSTMENT_GROUP"  # CAS01 not yet valid
    INVALID_CLAIM_STATUS = "INVALID_CLAIM_STATUS"  # CLP02 cannot be a claim status
    UNKNOWN_CLAIM_STATUS = "UNKNOWN_CLAIM_STATUS"  # CLP02 not in the list
    RETIRED_CLAIM_STATUS = "RETIRED_CLAIM_STATUS"  # CLP02 retired before the date
    NOT_YET_VALID_CLAIM_STATUS = "NOT_YET_VALID_CLAIM_STATUS"  # CLP02 not yet valid
    INVALID_PLB_REASON = "INVALID_PLB_REASON"  # PLB03-1 (05-1 ...) cannot be a reason
    UNKNOWN_PLB_REASON = "UNKNOWN_PLB_REASON"  # a PLB reason not in the list
    RETIRED_PLB_REASON = "RETIRED_PLB_REASON"  # a PLB reason retired before the date
    NOT_YET_VALID_PLB_REASON = "NOT_YET_VALID_PLB_REASON"  # a PLB reason not yet valid
    CODE_LIST_UNREADABLE = "CODE_LIST_UNREADABLE"  # validate: a code list file cannot be read

    # -- validation (x12.validation): ours, beside the X12 tables below
    VALIDATOR_FAILED = "VALIDATOR_FAILED"  # pyx12 failed: the interchange has no verdict
    GUIDE_NOT_CHECKED = "GUIDE_NOT_CHECKED"  # no guide for GS08: the group was not checked
    GUIDE_SUBSTITUTED = "GUIDE_SUBSTITUTED"  # the nearest guide stood in for GS08's (warning)
    ST01_DOES_NOT_MATCH_GROUP = "ST01_DOES_NOT_MATCH_GROUP"  # ST01 is not GS01's set (IK502 1)
    ST03_DOES_NOT_MATCH_GS08 = "ST03_DOES_NOT_MATCH_GS08"  # ST03 names another guide (IK502 I6)
    HL_NUMBER_OUT_OF_SEQUENCE = "HL_NUMBER_OUT_OF_SEQUENCE"  # pyx12 HL1: HL01 not in order
    HL_PARENT_INVALID = "HL_PARENT_INVALID"  # pyx12 HL2: HL02 names no earlier HL
    LX_NUMBER_OUT_OF_SEQUENCE = "LX_NUMBER_OUT_OF_SEQUENCE"  # pyx12 LX: LX01 not in order
    TRAILING_ELEMENT_SEPARATORS = "TRAILING_ELEMENT_SEPARATORS"  # pyx12 SEG1: empty trailers
    SEGMENT_ERROR = "SEGMENT_ERROR"  # a pyx12 segment code no IK304 value names
    ELEMENT_ERROR = "ELEMENT_ERROR"  # a pyx12 element code no IK403 value names
    TRANSACTION_SET_ERROR = "TRANSACTION_SET_ERROR"  # a pyx12 set code no IK502 value names
    ENVELOPE_ERROR = "ENVELOPE_ERROR"  # a pyx12 envelope code no table value names

    # -- importing (importing, archive, intake)
    FILE_NOT_FOUND = "FILE_NOT_FOUND"  # the path to import does not exist
    UNSUPPORTED_FILE = "UNSUPPORTED_FILE"  # neither an 835 nor an 837
    IMPORT_FAILED = "IMPORT_FAILED"  # the import of a file failed unexpectedly
    ARCHIVE_COPY_REPLACED = "ARCHIVE_COPY_REPLACED"  # an archived copy was damaged: rewritten
    REJECTED_BY_VALIDATION = "REJECTED_BY_VALIDATION"  # import --validate: the 999 rejects it
    SET_INCOMPLETE = "SET_INCOMPLETE"  # a transaction set was not read to its end
    POSTING_INVARIANT = "POSTING_INVARIANT"  # posting broke an invariant: the set rolled back
    DUPLICATE_CONFLICT = "DUPLICATE_CONFLICT"  # a set's identity again with other content
    DUPLICATE_CLAIM = "DUPLICATE_CLAIM"  # a claim billed again (same PCN and payer)
    PATIENT_CONFLICT = "PATIENT_CONFLICT"  # one member ID, two different patients
    ORIGINAL_CLAIM_NOT_FOUND = "ORIGINAL_CLAIM_NOT_FOUND"  # a replacement/void of no claim
    CLAIM_WITHOUT_LINES = "CLAIM_WITHOUT_LINES"  # an 837 claim with no service line
    CLAIM_CHARGE_MISMATCH = "CLAIM_CHARGE_MISMATCH"  # CLM02 is not the sum of its lines
    CLAIM_WITHOUT_PAYER = "CLAIM_WITHOUT_PAYER"  # an 837 claim naming no payer
    NEGATIVE_CHARGE = "NEGATIVE_CHARGE"  # a charge below zero: held, never a credit
    LATE_CLAIM_MATCHED = "LATE_CLAIM_MATCHED"  # a waiting payment found its claim (note)

    # -- reading a keyed paper EOB (keyed, importing.keyed_eobs): each names file, row, column
    KEYED_FILE_UNREADABLE = "KEYED_FILE_UNREADABLE"  # no template header, or not the JSON form
    KEYED_FIELD_MISSING = "KEYED_FIELD_MISSING"  # a required column of a row is empty
    KEYED_FIELD_INVALID = "KEYED_FIELD_INVALID"  # a value not of its column's form
    KEYED_ROWS_DISAGREE = "KEYED_ROWS_DISAGREE"  # rows of one check repeat a field differently
    UNKNOWN_PAYER = "UNKNOWN_PAYER"  # the keyed payer is no payer we know (by ID or name)

    # -- posting an 835 (posting): the problem codes of the review items it opens
    UNMATCHED_PAYMENT = "UNMATCHED_PAYMENT"  # no safe match for a claim payment
    AMBIGUOUS_MATCH = "AMBIGUOUS_MATCH"  # two claims match a payment equally well
    DUPLICATE_PAYMENT = "DUPLICATE_PAYMENT"  # the payer pays the same lines again
    PAYMENT_ON_RECORD_ONLY = "PAYMENT_ON_RECORD_ONLY"  # a 23/25 claim carries a payment
    DENIAL = "DENIAL"  # the payer denied the claim: never written off
    ZERO_PAY_DENIAL = "ZERO_PAY_DENIAL"  # paid 0 with nothing for the patient
    NEVER_AUTO_POST = "NEVER_AUTO_POST"  # the payer's policy: this CARC never auto-posts
    ORPHAN_REVERSAL = "ORPHAN_REVERSAL"  # a reversal of a payment we never received
    AWAITING_CORRECTION = "AWAITING_CORRECTION"  # reversed, its correction not yet here
    CREDIT_BALANCE = "CREDIT_BALANCE"  # a claim's side is owed money back
    UNKNOWN_PAYEE = "UNKNOWN_PAYEE"  # the 835's payee is no provider we know
    UNLINKED_PLB = "UNLINKED_PLB"  # a PLB names no claim we hold
    INTEREST_MISMATCH = "INTEREST_MISMATCH"  # AMT*I total != PLB L6 (warning)

    # -- reading a bank file (bank: BAI2 and CSV deposit files, issue 25)
    BANK_FILE_UNREADABLE = "BANK_FILE_UNREADABLE"  # neither BAI2 nor the mapping's CSV
    BANK_RECORD_INVALID = "BANK_RECORD_INVALID"  # a record or row whose field is unreadable
    BANK_STRUCTURE_INVALID = "BANK_STRUCTURE_INVALID"  # BAI2 records missing or out of order
    BANK_CONTROL_MISMATCH = "BANK_CONTROL_MISMATCH"  # a BAI2 control total or count differs
    DUPLICATE_DEPOSIT_LINE = "DUPLICATE_DEPOSIT_LINE"  # the same bank line twice in a file

    # -- reconciling deposits with remittances (reconciliation): the items it opens
    SILENT_ERA = "SILENT_ERA"  # a remittance no deposit met within the window
    LONELY_DEPOSIT = "LONELY_DEPOSIT"  # a deposit that meets no remittance
    DEPOSIT_VARIANCE = "DEPOSIT_VARIANCE"  # deposit and remittance agree on trace, not amount
    RETURNED_ITEM = "RETURNED_ITEM"  # the bank returned a deposited item (NSF, ACH return)
    # -- payments without a remittance (payments): rows of the payment CSVs (issue 24)
    PAYMENT_ROW_INVALID = "PAYMENT_ROW_INVALID"  # a value no payment has (date, amount...)
    PAYMENT_ROW_UNKNOWN = "PAYMENT_ROW_UNKNOWN"  # an account or claim we do not hold
    PAYMENT_ALREADY_RECEIVED = "PAYMENT_ALREADY_RECEIVED"  # received before: skipped (warning)
    PAYMENT_UNAPPLIED = "PAYMENT_UNAPPLIED"  # a lockbox row naming no one: unapplied (warning)
    AWAITING_REMITTANCE = "AWAITING_REMITTANCE"  # a payer's check waits for its remittance

    # -- validation findings named by the X12 tables (x12.ack_records) not named above
    # IK304 (SegmentCode)
    UNRECOGNIZED_SEGMENT_ID = "UNRECOGNIZED_SEGMENT_ID"  # IK304 1
    REQUIRED_SEGMENT_MISSING = "REQUIRED_SEGMENT_MISSING"  # IK304 3
    LOOP_OVER_MAXIMUM_TIMES = "LOOP_OVER_MAXIMUM_TIMES"  # IK304 4
    SEGMENT_OVER_MAXIMUM_USE = "SEGMENT_OVER_MAXIMUM_USE"  # IK304 5
    SEGMENT_NOT_IN_TRANSACTION_SET = "SEGMENT_NOT_IN_TRANSACTION_SET"  # IK304 6
    SEGMENT_OUT_OF_SEQUENCE = "SEGMENT_OUT_OF_SEQUENCE"  # IK304 7
    SEGMENT_HAS_ELEMENT_ERRORS = "SEGMENT_HAS_ELEMENT_ERRORS"  # IK304 8
    NOT_USED_SEGMENT_PRESENT = "NOT_USED_SEGMENT_PRESENT"  # IK304 I4
    DEPENDENT_SEGMENT_MISSING = "DEPENDENT_SEGMENT_MISSING"  # IK304 I6
    LOOP_UNDER_MINIMUM_TIMES = "LOOP_UNDER_MINIMUM_TIMES"  # IK304 I7
    SEGMENT_UNDER_MINIMUM_USE = "SEGMENT_UNDER_MINIMUM_USE"  # IK304 I8
    DEPENDENT_NOT_USED_SEGMENT_PRESENT = "DEPENDENT_NOT_USED_SEGMENT_PRESENT"  # IK304 I9
    # IK403 (ElementCode)
    REQUIRED_ELEMENT_MISSING = "REQUIRED_ELEMENT_MISSING"  # IK403 1
    CONDITIONAL_ELEMENT_MISSING = "CONDITIONAL_ELEMENT_MISSING"  # IK403 2
    TOO_MANY_ELEMENTS = "TOO_MANY_ELEMENTS"  # IK403 3
    ELEMENT_TOO_SHORT = "ELEMENT_TOO_SHORT"  # IK403 4
    ELEMENT_TOO_LONG = "ELEMENT_TOO_LONG"  # IK403 5
    INVALID_CHARACTER = "INVALID_CHARACTER"  # IK403 6
    INVALID_CODE_VALUE = "INVALID_CODE_VALUE"  # IK403 7 (also a code-list finding: IK403 7)
    INVALID_TIME = "INVALID_TIME"  # IK403 9
    EXCLUSION_CONDITION_VIOLATED = "EXCLUSION_CONDITION_VIOLATED"  # IK403 10
    TOO_MANY_REPETITIONS = "TOO_MANY_REPETITIONS"  # IK403 12
    TOO_MANY_COMPONENTS = "TOO_MANY_COMPONENTS"  # IK403 13
    NOT_USED_ELEMENT_PRESENT = "NOT_USED_ELEMENT_PRESENT"  # IK403 I10
    TOO_FEW_REPETITIONS = "TOO_FEW_REPETITIONS"  # IK403 I11
    PATTERN_MATCH_FAILURE = "PATTERN_MATCH_FAILURE"  # IK403 I12
    DEPENDENT_NOT_USED_ELEMENT_PRESENT = "DEPENDENT_NOT_USED_ELEMENT_PRESENT"  # IK403 I13
    CODE_NOT_USED_IN_IMPLEMENTATION = "CODE_NOT_USED_IN_IMPLEMENTATION"  # IK403 I6
    DEPENDENT_ELEMENT_MISSING = "DEPENDENT_ELEMENT_MISSING"  # IK403 I9
    # IK502 (SetCode)
    TRANSACTION_SET_NOT_SUPPORTED = "TRANSACTION_SET_NOT_SUPPORTED"  # IK502 1
    SEGMENTS_IN_ERROR = "SEGMENTS_IN_ERROR"  # IK502 5
    INVALID_TRANSACTION_SET_ID = "INVALID_TRANSACTION_SET_ID"  # IK502 6
    INVALID_TRANSACTION_CONTROL_NUMBER = "INVALID_TRANSACTION_CONTROL_NUMBER"  # IK502 7
    DUPLICATE_TRANSACTION_CONTROL_NUMBER = "DUPLICATE_TRANSACTION_CONTROL_NUMBER"  # IK502 23
    IMPLEMENTATION_SEGMENTS_IN_ERROR = "IMPLEMENTATION_SEGMENTS_IN_ERROR"  # IK502 I5
    IMPLEMENTATION_CONVENTION_NOT_SUPPORTED = "IMPLEMENTATION_CONVENTION_NOT_SUPPORTED"  # IK502 I6
    # AK905 (GroupCode)
    FUNCTIONAL_GROUP_NOT_SUPPORTED = "FUNCTIONAL_GROUP_NOT_SUPPORTED"  # AK905 1
    FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED = "FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED"  # AK905 2
    INVALID_GROUP_CONTROL_NUMBER = "INVALID_GROUP_CONTROL_NUMBER"  # AK905 6
    DUPLICATE_GROUP_CONTROL_NUMBER = "DUPLICATE_GROUP_CONTROL_NUMBER"  # AK905 19
    # TA105 (InterchangeCode)
    NO_ERROR = "NO_ERROR"  # TA105 000: never a finding; here so the table maps whole
    UNSUPPORTED_CONTROL_STANDARD = "UNSUPPORTED_CONTROL_STANDARD"  # TA105 002
    UNSUPPORTED_CONTROL_VERSION = "UNSUPPORTED_CONTROL_VERSION"  # TA105 003
    INVALID_SEGMENT_TERMINATOR = "INVALID_SEGMENT_TERMINATOR"  # TA105 004
    INVALID_SENDER_QUALIFIER = "INVALID_SENDER_QUALIFIER"  # TA105 005
    INVALID_SENDER_ID = "INVALID_SENDER_ID"  # TA105 006
    INVALID_RECEIVER_QUALIFIER = "INVALID_RECEIVER_QUALIFIER"  # TA105 007
    INVALID_RECEIVER_ID = "INVALID_RECEIVER_ID"  # TA105 008
    INVALID_AUTHORIZATION_QUALIFIER = "INVALID_AUTHORIZATION_QUALIFIER"  # TA105 010
    INVALID_AUTHORIZATION_VALUE = "INVALID_AUTHORIZATION_VALUE"  # TA105 011
    INVALID_SECURITY_QUALIFIER = "INVALID_SECURITY_QUALIFIER"  # TA105 012
    INVALID_SECURITY_VALUE = "INVALID_SECURITY_VALUE"  # TA105 013
    INVALID_INTERCHANGE_DATE = "INVALID_INTERCHANGE_DATE"  # TA105 014
    INVALID_INTERCHANGE_TIME = "INVALID_INTERCHANGE_TIME"  # TA105 015
    INVALID_STANDARDS_IDENTIFIER = "INVALID_STANDARDS_IDENTIFIER"  # TA105 016
    INVALID_VERSION = "INVALID_VERSION"  # TA105 017
    INVALID_INTERCHANGE_CONTROL_NUMBER = "INVALID_INTERCHANGE_CONTROL_NUMBER"  # TA105 018
    INVALID_ACKNOWLEDGMENT_REQUESTED = "INVALID_ACKNOWLEDGMENT_REQUESTED"  # TA105 019
    INVALID_TEST_INDICATOR = "INVALID_TEST_INDICATOR"  # TA105 020
    INVALID_CONTROL_STRUCTURE = "INVALID_CONTROL_STRUCTURE"  # TA105 022
    INVALID_INTERCHANGE_CONTENT = "INVALID_INTERCHANGE_CONTENT"  # TA105 024
    DUPLICATE_INTERCHANGE_CONTROL_NUMBER = "DUPLICATE_INTERCHANGE_CONTROL_NUMBER"  # TA105 025
    INVALID_ELEMENT_SEPARATOR = "INVALID_ELEMENT_SEPARATOR"  # TA105 026
    INVALID_COMPONENT_SEPARATOR = "INVALID_COMPONENT_SEPARATOR"  # TA105 027


@dataclass(frozen=True, slots=True)
class Problem:
    code: ProblemCode
    severity: Severity
    message: str
    source: SourceRef | None = None
    element: str | None = None  # e.g. "CLP04" or "ISA13"
    details: dict[str, str] = field(default_factory=dict)

    @property
    def is_fatal(self) -> bool:
        return self.severity is Severity.FATAL

    def to_dict(self) -> dict[str, Any]:
        """The one shape used in --format json, review-item evidence and the README."""
        data: dict[str, Any] = {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "element": self.element,
        }
        src = self.source
        data["file"] = src.file_name if src else None
        data["segment_position"] = src.segment_position if src else None
        if src is not None and src.row is not None:  # a keyed file: its row, who keyed it
            data["row"] = src.row
            data["keyed_by"] = src.keyed_by
        data["interchange_control_number"] = src.interchange_control_number if src else None
        data["group_control_number"] = src.group_control_number if src else None
        data["transaction_set_control_number"] = src.transaction_set_control_number if src else None
        if self.details:
            data["details"] = dict(self.details)
        return data
