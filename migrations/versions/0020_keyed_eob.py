"""Widen ``transaction_sets.kind`` for issue 24's keyed paper EOBs: a keyed check (one
payer's check or EFT keyed from paper, CSV or JSON) is stored as a transaction set of kind
``eob``, so uploading the same keyed batch again is known by its identity like an 835 set.

Widening refuses nothing already stored (see ``db/check_swap.py`` and 0018).

Revision ID: 0020
Revises: 0018
"""
from __future__ import annotations

from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

_SET_KINDS = ("835", "837P", "837I", "837D")

# (table, column, values before, values after); the constraint is named ck_<table>_<column>
CHECKS: tuple[Check, ...] = (
    ("transaction_sets", "kind", _SET_KINDS, (*_SET_KINDS, "eob")),
)


def upgrade() -> None:
    widen_checks(CHECKS)


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    widen_checks(CHECKS, before=True)
