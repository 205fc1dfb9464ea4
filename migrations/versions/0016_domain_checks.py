"""CHECK constraints for the kind, code, role and action columns 0015 left open: each
allows exactly the members of its enum (written out here, as they were at this revision, so
later edits to the enums need a migration of their own).

* ``journal_entries.kind``: ``db.ledger.EntryKind``
* ``ledger_accounts.code``: ``db.ledger.AccountCode`` (the chart 0001 seeded)
* ``posting_policies.action``: ``db.workflow.PolicyAction``
* ``transaction_sets.kind``: ``records.states.SetKind``
* ``audit_events.role``: ``db.parties.Role`` or NULL (an event before any user existed)
* ``claim_payments.match_method``: ``records.states.MatchMethod`` or NULL
* ``review_item_events.action``: ``db.workflow.ItemAction``

Rows already stored that are outside a list stop the upgrade, naming the values: the
ledger's history is never rewritten to fit a constraint.  PostgreSQL adds the constraints
with ``ALTER TABLE``.  On SQLite, for the reasons 0015 gives (tables other tables refer
to, append-only triggers a batch-mode copy would lose), the constraint is written into
the table's schema (``writable_schema``) after the rows are checked, as in 0009 and 0015.

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

from edi_posting.db.check_swap import NewCheck, add_checks, drop_checks

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (table, column, allowed values); the constraint is named ck_<table>_<column>
CHECKS: tuple[NewCheck, ...] = (
    ("journal_entries", "kind", (
        "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb",
        "payer_reclass", "undo", "apply", "accept_match", "rematch", "link_correction",
        "post_as_sent", "place_plb", "transfer", "write_off", "refund", "reapply",
        "refund_paid", "manual")),
    ("ledger_accounts", "code", (
        "insurance_ar", "patient_ar", "gross_charges", "contractual_adjustments",
        "other_adjustments", "cash_clearing", "unapplied_cash", "refunds_payable",
        "provider_adjustments", "interest_income", "bank")),
    ("posting_policies", "action", ("contractual", "other", "patient")),
    ("transaction_sets", "kind", ("835", "837P", "837I", "837D")),
    ("audit_events", "role", ("poster", "specialist", "lead", "auditor", "admin")),
    ("claim_payments", "match_method", (
        "pcn", "truncated_pcn", "fallback", "payer_claim_number", "none", "ambiguous",
        "manual")),
    ("review_item_events", "action", (
        "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
        "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
        "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
        "write-off", "refund", "reapply", "undo")),
)
# the columns that may also be NULL
_NULLABLE = frozenset({("audit_events", "role"), ("claim_payments", "match_method")})


def upgrade() -> None:
    add_checks(CHECKS, revision, nullable=_NULLABLE)


def downgrade() -> None:
    drop_checks(CHECKS, nullable=_NULLABLE)
