"""What a money action would do, read inside its own transaction before it rolls back.

``--dry-run`` runs the real action (the same checks, the same entries, the same queue
follow-ups) in a transaction that is then rolled back: nothing a rehearsal could get
wrong by computing the entries a second way.  Just before the rollback, this module reads
what the action wrote: each entry (kind, accounts, signed amounts), where the item would
stand, and the items it would open.  Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import JournalEntry, JournalLine, LedgerAccount, ReviewItem
from edi_posting.db.workflow import ReviewStatus
from edi_posting.money import format_cents

__all__ = ["Plan", "PlannedEntry", "last_entry_id", "last_item_id", "plan_of"]

_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)
_ACCOUNT, _ITEM = table_of(LedgerAccount), table_of(ReviewItem)
_CLOSED = frozenset({ReviewStatus.RESOLVED, ReviewStatus.DISMISSED})


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """One entry the action would post: its kind, memo and (account, signed cents) lines."""

    kind: str
    memo: str
    lines: tuple[tuple[str, int], ...]
    reverses_entry_id: int | None = None

    def describe(self) -> str:
        moved = "; ".join(f"{account} {format_cents(cents)}" for account, cents in self.lines)
        undoes = (f" (reversing entry {self.reverses_entry_id})"
                  if self.reverses_entry_id is not None else "")
        return f"would post {self.kind}{undoes}: {moved}"


@dataclass(frozen=True, slots=True)
class Plan:
    """A rehearsed action: the entries it would post, the item afterwards, items opened."""

    entries: tuple[PlannedEntry, ...]
    item_id: int
    item_status: str
    item_amount_cents: int
    opened: tuple[tuple[str, int], ...]  # (kind, amount) of each item it would open

    def describe(self) -> list[str]:
        """The lines the CLI prints under the action's message, each saying "would"."""
        said = [entry.describe() for entry in self.entries] or ["would post nothing"]
        at = f" at {format_cents(self.item_amount_cents)}"
        if self.item_status in _CLOSED and self.item_amount_cents:
            at = ""  # an item closed before closing zeroed it: "at 80.00" read as still owed
        said.append(f"would leave review item {self.item_id} {self.item_status}{at}")
        said += [f"would open {_article(kind)} {kind} review item ({format_cents(cents)})"
                 for kind, cents in self.opened]
        return said


def _article(word: str) -> str:
    """"an" before a vowel (every kind's name is read as spelt: an awaiting_correction,
    an unmatched_payment, a credit_balance)."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def last_entry_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(_ENTRY.c.id), 0))).scalar_one())


def last_item_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(_ITEM.c.id), 0))).scalar_one())


def plan_of(conn: Connection, item_id: int, since: tuple[int, int]) -> Plan:
    """What was written after ``since`` (the last entry id, the last item id), read in the
    action's own transaction."""
    entries = []
    for entry in conn.execute(select(_ENTRY).where(_ENTRY.c.id > since[0])
                              .order_by(_ENTRY.c.id)).all():
        lines = conn.execute(select(_ACCOUNT.c.code, _LINE.c.amount_cents)
                             .join(_ACCOUNT, _ACCOUNT.c.id == _LINE.c.account_id)
                             .where(_LINE.c.entry_id == entry.id).order_by(_LINE.c.ordinal))
        entries.append(PlannedEntry(entry.kind, entry.memo or "",
                                    tuple((str(code), int(c)) for code, c in lines),
                                    entry.reverses_entry_id))
    item = conn.execute(select(_ITEM.c.status, _ITEM.c.amount_cents)
                        .where(_ITEM.c.id == item_id)).one()
    opened = conn.execute(select(_ITEM.c.kind, _ITEM.c.amount_cents)
                          .where(_ITEM.c.id > since[1]).order_by(_ITEM.c.id)).all()
    return Plan(tuple(entries), item_id, item.status, int(item.amount_cents),
                tuple((str(k), int(a)) for k, a in opened))
