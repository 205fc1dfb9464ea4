"""Reading linked rows back in the canonical form :mod:`edi_posting.audit.links` hashed,
streamed (a 100,000-entry ledger is read once, never held), and the links each audit event
recorded.  Used by ``audit verify`` and to write the baseline event."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.audit.links import (
    ENTRIES,
    ITEM_EVENTS,
    LINKS_KEY,
    canonical_entry,
    canonical_item_event,
    links_of,
    ranges_ids,
)
from edi_posting.db.base import table_of
from edi_posting.db.ledger import ENTRY_COLUMNS, LINE_COLUMNS
from edi_posting.db.models import AuditEvent, JournalEntry, JournalLine, ReviewItemEvent
from edi_posting.db.workflow import ITEM_EVENT_FIELDS

__all__ = ["EventLinks", "baseline_summary", "read_links", "stream_entries",
           "stream_item_events", "stream_rows"]

_AUDIT, _ENTRY, _LINE = table_of(AuditEvent), table_of(JournalEntry), table_of(JournalLine)
_ITEM_EVENT = table_of(ReviewItemEvent)
_BATCH = 2000


def stream_entries(conn: Connection) -> Iterator[tuple[int, list[Any], int]]:
    """(id, canonical form, line count) of every journal entry, in id order."""

    width = len(ENTRY_COLUMNS)
    query = (select(*(_ENTRY.c[n] for n in ENTRY_COLUMNS),
                    *(_LINE.c[n].label(f"line_{n}") for n in LINE_COLUMNS[1:]))
             .select_from(_ENTRY.outerjoin(_LINE, _LINE.c.entry_id == _ENTRY.c.id))
             .order_by(_ENTRY.c.id, _LINE.c.ordinal).execution_options(yield_per=_BATCH))
    current: tuple[Any, ...] | None = None
    lines: list[tuple[Any, ...]] = []
    for row in conn.execute(query):
        values = tuple(row)
        if current is None or values[0] != current[0]:
            if current is not None:
                yield current[0], canonical_entry(current, lines), len(lines)
            current, lines = values[:width], []
        if values[width] is not None:  # the ordinal: an entry with no line has none
            lines.append(values[width:])
    if current is not None:
        yield current[0], canonical_entry(current, lines), len(lines)


def stream_item_events(conn: Connection) -> Iterator[tuple[int, list[Any], int]]:

    query = (select(*(_ITEM_EVENT.c[n] for n in ITEM_EVENT_FIELDS))
             .order_by(_ITEM_EVENT.c.id).execution_options(yield_per=_BATCH))
    for row in conn.execute(query):
        mapping = dict(row._mapping)
        yield mapping["id"], canonical_item_event(mapping, ITEM_EVENT_FIELDS), 0


def stream_rows(conn: Connection, table: str) -> Iterator[tuple[int, list[Any], int]]:
    return stream_entries(conn) if table == ENTRIES else stream_item_events(conn)


def baseline_summary(conn: Connection, excluded: dict[str, set[int]]) -> dict[str, Any]:
    """The links of every row already written, except this transaction's own (``excluded``,
    which its event links): what versions before the cross-reference left behind."""
    rows = {table: _old_rows(conn, table, excluded.get(table, set()))
            for table in (ENTRIES, ITEM_EVENTS)}
    from edi_posting.audit.links_state import policy_snapshot

    return {"why": "rows written before audit events linked them",
            "policies": policy_snapshot(conn), LINKS_KEY: links_of(rows)}


def _old_rows(conn: Connection, table: str, excluded: set[int]) -> list[Any]:
    """A new database's first write has nothing older: counted, not streamed."""
    column = (_ENTRY if table == ENTRIES else _ITEM_EVENT).c.id
    if conn.execute(select(func.count(column))).scalar_one() == len(excluded):
        return []
    return [row for row in stream_rows(conn, table) if row[0] not in excluded]


@dataclass(slots=True)
class EventLinks:
    """What the audit events say they vouch for, per linked table."""

    owner: dict[str, dict[int, int]] = field(default_factory=dict)  # id -> sequence
    recorded: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    baseline: int | None = None
    duplicate: str | None = None


def read_links(conn: Connection, events: list[tuple[int, str, dict[str, Any] | None]]
               ) -> EventLinks:
    """Every event's links (``events``: sequence, action, summary in chain order)."""
    from edi_posting.audit.links import BASELINE_ACTION

    found = EventLinks({ENTRIES: {}, ITEM_EVENTS: {}})
    for sequence, action, summary in events:
        if action == BASELINE_ACTION and found.baseline is None:
            found.baseline = sequence
        old_style = (summary or {}).get("item_event") or {}
        if "id" in old_style:  # queue actions name their item event (before links, too)
            found.owner[ITEM_EVENTS].setdefault(int(old_style["id"]), sequence)
        for table, link in ((summary or {}).get(LINKS_KEY) or {}).items():
            if table not in found.owner:
                continue
            found.recorded[(sequence, table)] = link
            _own(found, table, link, sequence, action == BASELINE_ACTION)
    return found


def _own(found: EventLinks, table: str, link: dict[str, Any], sequence: int,
         baseline: bool) -> None:
    """The baseline also vouches for item events an older queue action named (it hashes
    them as they are): not a second claim on them."""
    owner = found.owner[table]
    for ident in ranges_ids(link.get("ids") or []):
        earlier = owner[ident] = owner.get(ident, sequence) if not baseline else sequence
        if earlier != sequence and found.duplicate is None:
            found.duplicate = (f"{_NAMES[table]} {ident} is recorded by audit events {earlier} "
                               f"and {sequence}")


_NAMES = {ENTRIES: "journal entry", ITEM_EVENTS: "review item event"}
