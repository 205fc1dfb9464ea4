"""835 transaction-set identity keys name the payer and TRN02 only.

Before: ``835|payer|TRN02|BPR02|BPR16|<occurrence in the file>``.  The occurrence made
the same set repeated in one file (two interchanges, a concatenated batch) a new
identity, so it posted twice; BPR02/BPR16 made the same payment with a changed amount or
date a new payment.  Now: ``835|payer|TRN02`` (without TRN02: ``835|payer||BPR02|BPR16``),
and the content digest decides between ``already_imported`` and ``duplicate_conflict``.

Rows the old key let in twice (the same set twice in one file, or the same trace number
with another amount) would now share a key: the oldest keeps it, each later one becomes
``<key>|legacy:<id>``, which the import still compares against, so a re-import of any of
them stays refused.  ``transaction_sets`` is under no append-only trigger (only the
journal, audit and review-event tables are), so the keys are updated in place.  The
content digests stored before this revision include ST02; the import compares a set's
digest with and without it (``RemittanceSetRead.legacy_sha256``).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_LEGACY = re.compile(r"\|legacy:\d+$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})?$")


def new_key(old: str) -> str | None:
    """The 0008 key of a pre-0008 835 key; None when ``old`` is not one."""
    parts = old.rsplit("|", 3)
    if len(parts) != 4 or not old.startswith("835|"):
        return None
    base, amount, date, occurrence = parts
    if not occurrence.isdigit() or not _DATE.match(date) or not re.fullmatch(r"-?\d*", amount):
        return None
    if base.endswith("|"):  # no TRN02: BPR02 and BPR16 stand in for it
        return f"{base}|{amount}|{date}"
    return base


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, identity_key FROM transaction_sets WHERE kind = '835' ORDER BY id")).all()
    taken: set[str] = set()
    changes = []
    for row_id, key in rows:
        key_now = new_key(key)
        if key_now is None:
            taken.add(key)
            continue
        if key_now in taken:
            key_now = f"{key_now}|legacy:{row_id}"
        taken.add(key_now)
        changes.append({"id": row_id, "key": key_now})
    if changes:
        bind.execute(sa.text("UPDATE transaction_sets SET identity_key = :key WHERE id = :id"),
                     changes)


def downgrade() -> None:
    """Back to ``key|BPR02|BPR16|n`` from the remittance rows, numbering the sets that
    share a key in the order they were stored (the file positions are not kept)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT t.id, t.identity_key, r.payment_cents, r.payment_date FROM transaction_sets t "
        "LEFT JOIN remittances r ON r.transaction_set_id = t.id "
        "WHERE t.kind = '835' ORDER BY t.id")).all()
    seen: Counter[str] = Counter()
    changes = []
    for row_id, key, cents, date in rows:
        base = _LEGACY.sub("", key)
        if base.split("|")[2:3] != [""]:  # a TRN02: add BPR02 and BPR16 back
            base = f"{base}|{'' if cents is None else cents}|{_iso(date)}"
        seen[base] += 1
        changes.append({"id": row_id, "key": f"{base}|{seen[base]}"})
    if changes:
        bind.execute(sa.text("UPDATE transaction_sets SET identity_key = :key WHERE id = :id"),
                     changes)


def _iso(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]
