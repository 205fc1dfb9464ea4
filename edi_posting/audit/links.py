"""Which rows each audit event vouches for: the cross-reference `audit verify` checks.

The hash chain proves the audit events were not edited, but journal entries and review item
events live in their own tables: someone holding the application's database role could
INSERT a balanced entry, or lines into an existing one, and the chain would still verify.
So every audit event that follows writes in its transaction records *which* rows were
written (``summary["links"][table]``: sorted id ranges, compact even for a 10,000-claim
set), *what* they said (a SHA-256 over a canonical form of each row: for an entry its kind,
links, memo and every line's account, amount and dimensions, never the database-stamped
time) and, for entries, how many lines each had (so an entry given extra lines is named).

Writers note their rows here as they insert them (:func:`note_entries`,
:func:`note_item_events`): the digest is computed from the values written, not re-read.
:func:`attach_links`, called by ``audit.record_event``, hands the rows noted since the last
event to the event being recorded.  Rolled-back work (a ``--dry-run``, a savepoint retried
after a lost race) is forgotten with its transaction.

The first event that links rows in a database is preceded by one ``audit.baseline`` event
vouching for everything written before (by versions that did not link): from then on every
row must be linked, so a forged row cannot hide among the old ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event, select, text

from edi_posting.db.base import table_of
from edi_posting.db.models import AuditEvent
from edi_posting.db.workflow import AUDIT_CHAIN_LOCK_KEY, ITEM_EVENT_FIELDS
from edi_posting.records.states import AuditOutcome

__all__ = ["BASELINE_ACTION", "ENTRIES", "ITEM_EVENTS", "LINKS_KEY", "LINK_ACTION", "attach_links",
           "canonical_entry", "canonical_item_event", "digest_of", "dumps", "ensure_baseline",
           "id_ranges",
           "line_counts", "link_unrecorded", "note_entries", "note_item_events",
           "ranges_ids"]

ENTRIES, ITEM_EVENTS = "journal_entries", "review_item_events"
LINKS_KEY = "links"
BASELINE_ACTION = "audit.baseline"
LINK_ACTION = "audit.links"
SYSTEM_ACTOR = "system"  # queue_rematch.SYSTEM_ACTOR: the engine acting on its own
_PENDING, _BASELINE_SEEN = "edi_audit_links", "edi_audit_baseline"
_AUDIT = table_of(AuditEvent)
# line counts, one character per entry; an entry of more lines shows as the last character
_COUNT_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(slots=True)
class _Pending:
    """Rows written in the connection's current transaction and not yet linked."""

    rows: dict[str, list[tuple[int, Any, int]]] = field(default_factory=dict)
    marks: list[dict[str, int]] = field(default_factory=list)  # per open savepoint


def _pending(conn: Connection) -> _Pending:
    found = conn.info.get(_PENDING)
    if found is None:
        found = conn.info[_PENDING] = _Pending()
    return found


def canonical_entry(entry: Sequence[Any], lines: Iterable[Sequence[Any]]) -> list[Any]:
    """An entry's columns (``db.ledger.ENTRY_COLUMNS`` order) and its lines' (``LINE_COLUMNS``
    without ``entry_id``): the same form whether built from an insert or read back (dates
    serialize as ISO text either way)."""
    return [*entry, [*lines]]


def canonical_item_event(row: dict[str, Any], fields: Sequence[str]) -> list[Any]:
    return [row.get(name) for name in fields]


def dumps(value: Any, table: str) -> str:
    """Canonical JSON; keys sorted only where a row holds a mapping (an item event's
    details): sorting costs a third more on the hot path's entries, which hold none."""
    return json.dumps(value, sort_keys=table != ENTRIES, separators=(",", ":"), default=str)


def digest_of(rows: Sequence[Any], table: str) -> str:
    """SHA-256 of the canonical rows, in id order (verify hashes the same bytes row by row:
    ``[`` + rows joined by ``,`` + ``]``)."""
    return hashlib.sha256(dumps(list(rows), table).encode("utf-8")).hexdigest()


def line_counts(counts: Iterable[int]) -> str:
    top = len(_COUNT_DIGITS) - 1
    return "".join(_COUNT_DIGITS[min(n, top)] for n in counts)


def id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: a set's entries are one or a few runs."""
    runs: list[list[int]] = []
    for ident in sorted(ids):
        if runs and ident == runs[-1][1] + 1:
            runs[-1][1] = ident
        else:
            runs.append([ident, ident])
    return runs


def ranges_ids(runs: Iterable[Sequence[int]]) -> Iterable[int]:
    for first, last in runs:
        yield from range(int(first), int(last) + 1)


def note_entries(conn: Connection, entries: Sequence[tuple[Any, ...]],
                 lines: Sequence[tuple[Any, ...]]) -> None:
    """Entries just inserted (id first) and their lines (entry id first): what the next
    audit event in this transaction will vouch for."""
    by_entry: dict[int, list[tuple[Any, ...]]] = {}
    for line in lines:
        by_entry.setdefault(line[0], []).append(line[1:])
    noted = _pending(conn).rows.setdefault(ENTRIES, [])
    for entry in entries:
        own = by_entry.get(entry[0], [])
        noted.append((entry[0], canonical_entry(entry, own), len(own)))


def note_item_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Review item events just inserted, each with its id."""

    noted = _pending(conn).rows.setdefault(ITEM_EVENTS, [])
    noted.extend((row["id"], canonical_item_event(row, ITEM_EVENT_FIELDS), 0) for row in rows)


def links_of(rows: dict[str, list[tuple[int, Any, int]]]) -> dict[str, Any]:
    """The ``links`` summary of noted (or baseline) rows."""
    links: dict[str, Any] = {}
    for table, noted in sorted(rows.items()):
        if not noted:
            continue
        ordered = sorted(noted, key=lambda row: row[0])
        link: dict[str, Any] = {"ids": id_ranges([row[0] for row in ordered]),
                                "digest": digest_of([row[1] for row in ordered], table)}
        if table == ENTRIES:
            link["lines"] = line_counts(row[2] for row in ordered)
        links[table] = link
    return links


def attach_links(conn: Connection, summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The summary of the audit event being recorded, with the rows written since the last
    one.  Called by ``audit.record_event`` before it hashes the event."""
    pending = conn.info.get(_PENDING)
    if pending is None or not any(pending.rows.values()):
        return summary
    rows, pending.rows = pending.rows, {}
    pending.marks = [{} for _ in pending.marks]
    _ensure_baseline(conn, {table: {row[0] for row in noted} for table, noted in rows.items()})
    return {**(summary or {}), LINKS_KEY: links_of(rows)}


def link_unrecorded(conn: Connection) -> None:
    """Rows written after the transaction's last audit event (a credit item an apply opened
    after its own event was recorded) get one event of their own before the commit, naming
    who wrote them: nothing the application writes is left without its event.  Recorded as
    the engine (``system``), which the database accepts from any user's login."""
    pending = conn.info.get(_PENDING)
    if pending is None or not any(pending.rows.values()):
        return
    from edi_posting.audit.events import record_event

    table, noted = next((t, rows) for t, rows in sorted(pending.rows.items()) if rows)
    actor = noted[0][1][4 if table == ENTRIES else 2]  # the row's own actor column
    record_event(conn, actor=SYSTEM_ACTOR, action=LINK_ACTION, outcome=AuditOutcome.OK,
                 summary={"why": "written after the transaction's last audit event",
                          "written_by": actor})


def ensure_baseline(conn: Connection) -> None:
    """``db upgrade``: vouch for the rows older versions wrote now, not at the next write
    (rows inserted in between would be vouched for too)."""
    _ensure_baseline(conn, {})


def _ensure_baseline(conn: Connection, excluded: dict[str, set[int]]) -> None:
    """Record the baseline event once per database, before its first linking event."""
    if _has_baseline(conn):
        return
    if conn.dialect.name == "postgresql":  # one writer decides; the others then see it
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK_KEY})
        if _has_baseline(conn):
            return
    from edi_posting.audit.events import record_event
    from edi_posting.audit.links_read import baseline_summary

    record_event(conn, actor=SYSTEM_ACTOR, action=BASELINE_ACTION, outcome=AuditOutcome.OK,
                 object_type="schema", summary=baseline_summary(conn, excluded))


def _has_baseline(conn: Connection) -> bool:
    """Asked once per connection: a baseline, once there, stays (the chain is append-only);
    a rollback forgets the answer with the baseline it may have undone."""
    if conn.info.get(_BASELINE_SEEN):
        return True
    found = conn.execute(_BASELINE_QUERY).first() is not None
    conn.info[_BASELINE_SEEN] = found
    return found


_BASELINE_QUERY = select(_AUDIT.c.sequence).where(_AUDIT.c.action == BASELINE_ACTION).limit(1)


# --- forgetting what a rollback undid ----------------------------------------------------


@event.listens_for(Engine, "rollback")
def _forget_all(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)
    conn.info.pop(_BASELINE_SEEN, None)


@event.listens_for(Engine, "commit")
def _forget_committed(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


@event.listens_for(Engine, "savepoint")
def _mark(conn: Connection, name: str) -> None:
    pending = _pending(conn)
    pending.marks.append({table: len(noted) for table, noted in pending.rows.items()})


@event.listens_for(Engine, "rollback_savepoint")
def _forget_since_mark(conn: Connection, name: str, context: object) -> None:
    conn.info.pop(_BASELINE_SEEN, None)
    pending = conn.info.get(_PENDING)
    if pending is None or not pending.marks:
        return
    mark = pending.marks.pop()
    for table, noted in pending.rows.items():
        del noted[mark.get(table, 0):]


@event.listens_for(Engine, "release_savepoint")
def _keep_since_mark(conn: Connection, name: str, context: object) -> None:
    pending = conn.info.get(_PENDING)
    if pending is not None and pending.marks:
        pending.marks.pop()
