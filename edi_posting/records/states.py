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

__all__ = ["AuditOutcome", "FileStatus", "PostingState", "SetStatus", "SubmissionStatus", "check_in"]


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


class AuditOutcome(enum.StrEnum):
    """``audit_events.outcome``: how the audited action ended."""

    OK = "ok"
    REFUSED = "refused"  # not allowed (role, identity, approval)
    FAILED = "failed"  # tried and did not complete
    REJECTED = "rejected"  # an input file refused as a whole


def check_in(column: str, values: Iterable[str]) -> str:
    """The SQL condition of a CHECK constraint allowing exactly these values (an enum's
    members, or a tuple of names)."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
