"""CHECK constraints for the state columns not yet constrained: each allows exactly the
values of its enum in ``edi_posting.records.states`` (written out here, as they were at
this revision, so later edits to the enums need a migration of their own).

* ``claim_payments.posting_state``: ``PostingState``
* ``audit_events.outcome``: ``AuditOutcome``
* ``submitted_claims.status``: ``SubmissionStatus``
* ``transaction_sets.status`` and ``remittances.status``: ``SetStatus``
* ``received_files.status``: ``FileStatus``
* ``review_item_events.from_status`` and ``to_status``: ``ReviewStatus`` or NULL

Rows already stored that are outside a list stop the upgrade, naming the values: the
ledger's history is never rewritten to fit a constraint.  PostgreSQL adds the constraints
with ``ALTER TABLE``.  SQLite cannot add a CHECK to a table, and the batch-mode table copy
cannot run on these tables: other tables refer to them (dropping the original, with
foreign keys on, would fail or orphan their rows) and their append-only triggers would be
lost with the copy.  So, as in 0009, SQLite's documented procedure is used: the rows are
checked first, the constraint is written into the table's schema (``writable_schema``)
and the schema version bumped, so every connection reloads it.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from edi_posting.db.check_swap import NewCheck, add_checks, drop_checks

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_REVIEW_STATUSES = ("open", "in_progress", "escalated", "resolved", "dismissed")
# (table, column, allowed values); the constraint is named ck_<table>_<column>
CHECKS: tuple[NewCheck, ...] = (
    ("claim_payments", "posting_state", (
        "posted", "denied", "held", "unmatched", "recorded", "duplicate", "reversal",
        "reversed", "reversed_awaiting_correction", "applied")),
    ("audit_events", "outcome", ("ok", "refused", "failed", "rejected")),
    ("submitted_claims", "status", ("active", "held", "void", "voided", "replaced")),
    ("transaction_sets", "status", ("posted", "held")),
    ("remittances", "status", ("posted", "held")),
    ("received_files", "status", (
        "received", "imported", "already_imported", "partial", "rejected", "failed")),
    ("review_item_events", "from_status", _REVIEW_STATUSES),
    ("review_item_events", "to_status", _REVIEW_STATUSES),
)
# the columns that may also be NULL
_NULLABLE = frozenset({("review_item_events", "from_status"),
                       ("review_item_events", "to_status")})


def upgrade() -> None:
    add_checks(CHECKS, revision, nullable=_NULLABLE)


def downgrade() -> None:
    drop_checks(CHECKS, nullable=_NULLABLE)
