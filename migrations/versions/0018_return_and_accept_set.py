"""Widen three CHECKs for issue 23's new queue actions (each list written out as it is at
this revision, so later edits to the enums need a migration of their own):

* ``journal_entries.kind`` gains ``return`` (``queue return``: unapplied cash that is not
  ours, back to the payer or to a refund payable);
* ``review_item_events.action`` gains ``return`` and ``accept-set`` (an admin posting a
  rejected set from the archive);
* ``approvals.action`` gains ``return`` (a return above the refund limit waits for a
  second person, as a refund does).

Widening refuses nothing already stored.  PostgreSQL drops and re-adds each constraint;
on SQLite the constraint's text is replaced in the table's schema (``writable_schema``),
for the reasons 0015 and 0016 give.

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ENTRY_KINDS = (
    "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb", "payer_reclass",
    "undo", "apply", "accept_match", "rematch", "link_correction", "post_as_sent",
    "place_plb", "transfer", "write_off", "refund", "reapply", "refund_paid", "manual")
_ITEM_ACTIONS = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo", "follow-up")
_APPROVAL_ACTIONS = ("write-off", "refund")

# (table, column, values before, values after); the constraint is named ck_<table>_<column>
CHECKS: tuple[Check, ...] = (
    ("journal_entries", "kind", _ENTRY_KINDS, (*_ENTRY_KINDS, "return")),
    ("review_item_events", "action", _ITEM_ACTIONS, (*_ITEM_ACTIONS, "return", "accept-set")),
    ("approvals", "action", _APPROVAL_ACTIONS, (*_APPROVAL_ACTIONS, "return")),
)


def upgrade() -> None:
    widen_checks(CHECKS)


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    widen_checks(CHECKS, before=True)
