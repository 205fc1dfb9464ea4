"""``review_item_events.action`` allows ``follow-up``: a specialist dating the next look at
an item (``queue follow-up``) is an item event like a note, so the CHECK 0016 wrote from
``db.workflow.ItemAction`` is widened by that one member.

The follow-up date itself is ``review_items.due_date`` (a column since 0001); the default
windows per kind and payer are rows of ``settings``.  No stored row changes.  PostgreSQL
drops and re-adds the constraint; SQLite rewrites the table's schema in place
(``writable_schema``), as 0016 added it.

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BEFORE = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo")
AFTER = (*BEFORE, "follow-up")


CHECKS: tuple[Check, ...] = (("review_item_events", "action", BEFORE, AFTER),)


def upgrade() -> None:
    widen_checks(CHECKS)


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    widen_checks(CHECKS, before=True)
