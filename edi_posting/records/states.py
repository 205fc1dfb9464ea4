"""Words for the states the engine stores, shared by the stages that write them and the
tables that constrain them.

Each enum is the one list of a stored column's values: the code compares and writes its
members (a ``StrEnum`` equals its string, so rows and JSON read back compare equal), and
``db`` builds the column's CHECK constraint from the same members, so a value the code
does not know cannot be stored.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["AuditOutcome", "FileStatus", "MatchMethod", "PostingState", "ReviewKind", "SetKind",
           "SetStatus", "SubmissionStatus", "check_in"]


class PostingState(enum.StrEnum):
    """``claim_payments.posting_state``: what posting did with one claim payment."""

    POSTED = "posted"  # paid against its claim
    DENIED = "denied"  # zero paid, the claim's balance left standing
    HELD = "held"  # waiting for review, money (if any) in unapplied cash
    UNMATCHED = "unmatched"  # no safe claim found, money in unapplied cash
    RECORDED = "recorded"  # kept on record only, nothing posted
    DUPLICATE = "duplicate"  # lines its payer adjudicated already, held in unapplied cash
    REVERSAL = "reversal"  # negates an earlier payment
    REVERSED = "reversed"  # an earlier payment a reversal negated
    REVERSED_AWAITING_CORRECTION = "reversed_awaiting_correction"
    APPLIED = "applied"  # unapplied cash moved onto a claim from the queue


class MatchMethod(enum.StrEnum):
    """``claim_payments.match_method``: how a claim payment found its claim (matching
    decides; a specialist's apply from the queue links it by hand)."""

    PCN = "pcn"
    TRUNCATED_PCN = "truncated_pcn"
    FALLBACK = "fallback"
    PAYER_CLAIM_NUMBER = "payer_claim_number"  # a reversal's CLP07 names a payment we hold
    NONE = "none"
    AMBIGUOUS = "ambiguous"
    MANUAL = "manual"  # linked from the review queue (apply, accept-match, rematch)


class SubmissionStatus(enum.StrEnum):
    """``submitted_claims.status``: where one billed claim (837 CLM) stands."""

    ACTIVE = "active"  # charged, open to payments
    HELD = "held"  # problems at intake: not charged, matched only as a last resort
    VOID = "void"  # itself a void (CLM05-3 8): nothing to charge
    VOIDED = "voided"  # an original a later void cancelled
    REPLACED = "replaced"  # an original a later replacement (CLM05-3 7) superseded


class FileStatus(enum.StrEnum):
    """``received_files.status``: where the import of one received file ended."""

    RECEIVED = "received"  # archived, import not finished (yet)
    IMPORTED = "imported"  # every set stored (posted or held)
    ALREADY_IMPORTED = "already_imported"  # every set stored before: nothing changed
    PARTIAL = "partial"  # some sets stored, some rejected
    REJECTED = "rejected"  # nothing stored
    FAILED = "failed"  # an internal error; the import may be run again


class SetStatus(enum.StrEnum):
    """``transaction_sets.status`` and ``remittances.status``: how a stored set was posted.

    Rejected and already-imported sets are never stored; they are file results only.
    """

    POSTED = "posted"  # every claim decided without a hold
    HELD = "held"  # at least one claim (or the set's money) waits in the queue


class SetKind(enum.StrEnum):
    """``transaction_sets.kind``: the transaction a stored set is (ST01, and for an 837 its
    implementation guide's claim type)."""

    REMITTANCE = "835"  # 005010X221A1
    PROFESSIONAL_CLAIMS = "837P"  # 005010X222A1
    INSTITUTIONAL_CLAIMS = "837I"  # 005010X223A2
    DENTAL_CLAIMS = "837D"  # 005010X224A2
    KEYED_EOB = "eob"  # a paper EOB keyed by a person (CSV or JSON): one check (migration 0020)


class AuditOutcome(enum.StrEnum):
    """``audit_events.outcome``: how the audited action ended."""

    OK = "ok"
    REFUSED = "refused"  # not allowed (role, identity, approval)
    FAILED = "failed"  # tried and did not complete
    REJECTED = "rejected"  # an input file refused as a whole


class ReviewKind(enum.StrEnum):
    """``review_items.kind``: why an item is in the queue (what a person must decide).

    Defined here, below ``db``, because the table's CHECK is built from it;
    :mod:`edi_posting.queue.kinds` says which kinds hold money.  To add a kind: a member
    here (at the end: the CHECK lists members in order) and a migration widening the CHECK.
    """

    UNMATCHED_PAYMENT = "unmatched_payment"  # no safe claim for a payment (or paid twice)
    AMBIGUOUS_MATCH = "ambiguous_match"  # more than one claim could be the one
    UNKNOWN_PAYEE = "unknown_payee"  # an 835 for a provider we are not
    BALANCING_FAILURE = "balancing_failure"  # a claim or set whose sums do not balance
    DUPLICATE_CONFLICT = "duplicate_conflict"  # a set seen before, with other content
    ORPHAN_REVERSAL = "orphan_reversal"  # a reversal of a payment never received
    AWAITING_CORRECTION = "awaiting_correction"  # reversed, the correction not yet here
    DENIAL = "denial"  # the payer paid nothing; the balance stands
    CREDIT_BALANCE = "credit_balance"  # a claim (or its patient side) below zero
    UNLINKED_PLB = "unlinked_plb"  # a PLB whose reference names no claim payment
    SILENT_ERA = "silent_era"  # a remittance no bank deposit followed (reconciliation)
    LONELY_DEPOSIT = "lonely_deposit"  # money in the bank no remittance explains
    DEPOSIT_VARIANCE = "deposit_variance"  # a deposit that differs from its remittance
    REJECTED_FILE = "rejected_file"  # a file or set refused as a whole
    EOB_ERROR = "eob_error"  # a keyed paper EOB row that fails validation or balancing
    CLAIM_PROBLEM = "claim_problem"  # a claim (837 or 835) that cannot be read safely
    PATIENT_CONFLICT = "patient_conflict"  # one identity, two different patients
    DUPLICATE_CLAIM = "duplicate_claim"  # an 837 claim billed again, held uncharged (0009)
    RETURNED_ITEM = "returned_item"  # the bank returned a deposited item (NSF, ACH, 0022)
    # a payer's check received without its remittance, in unapplied cash until an 835 (or a
    # keyed EOB) of the same payer and trace claims it (0021)
    AWAITING_REMITTANCE = "awaiting_remittance"


def check_in(column: str, values: Iterable[str]) -> str:
    """The SQL condition of a CHECK constraint allowing exactly these values (an enum's
    members, or a tuple of names)."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
