"""Audit events in a hash chain: who did what to which object, when, and how it ended.

Each event stores the hash of the event before it and its own hash (definition v2, in
:func:`event_hash`): SHA-256 over its fields in a fixed order, including that previous
hash and the login the database or the OS authenticated (``db_login``).  Editing,
deleting, inserting or reordering any event therefore breaks the chain at that point,
which :func:`verify_chain` reports by sequence number.  The tables refuse UPDATE and
DELETE (migration 0002); the chain catches what a person with file access does anyway.

On PostgreSQL the database seals each event itself (migration 0012's trigger, the same
definition in PL/pgSQL): it reads the head under the advisory lock below and sets the
sequence, time, login and hashes, whatever the client sent, and it refuses an actor that
is not the user the session's login maps to.  So the application's own credentials
cannot choose a hash.  On SQLite (one operator, file permissions are the boundary) this
module computes the same hash, and writers are serialized by BEGIN IMMEDIATE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Text, cast, func, insert, literal, select

from edi_posting.audit.links import attach_links
from edi_posting.audit.login import os_login
from edi_posting.db.base import table_of
from edi_posting.db.models import AuditEvent, ReviewItem, ReviewItemEvent
from edi_posting.db.workflow import CLOSED_STATES, ITEM_EVENT_FIELDS
from edi_posting.records.states import AuditOutcome

__all__ = [
    "GENESIS_HASH",
    "VerifyResult",
    "audit_log",
    "chain_rows",
    "event_hash",
    "item_event_digest",
    "record_event",
    "verify_chain",
    "verify_item_events",
]

GENESIS_HASH = "0" * 64
_AUDIT = table_of(AuditEvent)
_ITEM, _ITEM_EVENT = table_of(ReviewItem), table_of(ReviewItemEvent)
# hash definition v2: these fields, in this order (migration 0012's trigger: the same)
HASHED_FIELDS = ("sequence", "at", "db_login", "actor", "role", "action", "object_type",
                 "object_id", "outcome", "summary", "previous_hash")
_SEPARATOR = "\x1f"  # U+001F, the unit separator


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is None:  # SQLite hands back naive datetimes; we only ever store UTC
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 hex of an event (hash definition v2), as the PostgreSQL trigger computes it.

    The fields of :data:`HASHED_FIELDS`, joined by U+001F; a NULL is the empty string and
    any other value is ``=`` and its text, so NULL and "" differ.  ``at`` is UTC
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``summary`` is the JSON text as stored (read it with
    :func:`chain_rows`), so a dict cannot be hashed by mistake.
    """
    summary = fields["summary"]
    if summary is not None and not isinstance(summary, str):
        raise TypeError("hash the summary's stored JSON text, not a parsed value")
    return hashlib.sha256(_SEPARATOR.join(_hashed_text(fields[name]) for name in HASHED_FIELDS)
                          .encode("utf-8")).hexdigest()


def _hashed_text(value: object) -> str:
    if value is None:
        return ""
    return "=" + (_iso(value) if isinstance(value, dt.datetime) else str(value))


def chain_rows(conn: Connection) -> Any:
    """Every event in chain order, ``summary`` as its stored JSON text (what is hashed)."""
    columns = [c for c in _AUDIT.c if c.name != "summary"]
    return conn.execute(select(*columns, cast(_AUDIT.c.summary, Text).label("summary"))
                        .order_by(_AUDIT.c.sequence))


def record_event(
    conn: Connection,
    *,
    actor: str,
    action: str,
    outcome: AuditOutcome,
    role: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    summary: dict[str, Any] | None = None,
) -> int:
    """Append one event to the chain inside the caller's transaction; its sequence number.

    PostgreSQL: the database's trigger seals it (sequence, time, login, hashes).  SQLite:
    computed here, under the caller's BEGIN IMMEDIATE."""
    summary = attach_links(conn, summary)  # the rows this transaction wrote (audit_links)
    values: dict[str, Any] = {
        "actor": actor, "role": role, "action": action, "object_type": object_type,
        "object_id": None if object_id is None else str(object_id), "outcome": outcome,
    }
    if conn.dialect.name == "postgresql":
        # sequence, at, db_login and the hashes are the trigger's, whatever is sent
        return int(conn.execute(insert(_AUDIT).values(sequence=None, summary=summary, **values)
                                .returning(_AUDIT.c.sequence)).scalar_one())
    head = conn.execute(
        select(_AUDIT.c.sequence, _AUDIT.c.event_hash).order_by(_AUDIT.c.sequence.desc()).limit(1)
    ).first()
    fields: dict[str, Any] = {
        **values,
        "sequence": (head.sequence + 1) if head else 1,
        "at": dt.datetime.now(dt.UTC),
        "db_login": os_login(),
        "summary": json.dumps(summary),  # stored as this very text: the hash covers it
        "previous_hash": head.event_hash if head else GENESIS_HASH,
    }
    fields["event_hash"] = event_hash(fields)
    stored = {**fields, "summary": literal(fields["summary"], Text)}
    conn.execute(insert(_AUDIT).values(**stored))
    return int(fields["sequence"])


@dataclass(frozen=True, slots=True)
class VerifyResult:
    is_intact: bool
    events: int
    head_hash: str
    broken_sequence: int | None = None
    reason: str | None = None


def verify_chain(conn: Connection, expected_head: str | None = None) -> VerifyResult:
    """Walk the chain from the first event; stop at the first one that does not hold.

    A chain cut off at its end still links up; ``expected_head`` (a head recorded earlier,
    elsewhere) catches that: it must be the head or appear in the chain.
    """
    previous_hash, expected_sequence, count = GENESIS_HASH, 1, 0
    seen_expected = expected_head is None
    for row in chain_rows(conn):
        fields = dict(row._mapping)
        problem = _check_event(fields, expected_sequence, previous_hash)
        if problem is not None:
            # a gap is reported at the first missing number, anything else at the row itself
            broken = min(fields["sequence"], expected_sequence)
            return VerifyResult(False, count, previous_hash, broken, problem)
        previous_hash, expected_sequence = fields["event_hash"], fields["sequence"] + 1
        count += 1
        seen_expected = seen_expected or previous_hash == expected_head
    if not seen_expected:
        return VerifyResult(False, count, previous_hash, expected_sequence,
                            f"the recorded head {expected_head} is not in the chain "
                            f"(events from sequence {expected_sequence} on were removed?)")
    return VerifyResult(True, count, previous_hash)


def _check_event(fields: dict[str, Any], expected_sequence: int, previous_hash: str) -> str | None:
    sequence = fields["sequence"]
    if sequence != expected_sequence:
        return f"sequence {expected_sequence} is missing; the next event is {sequence}"
    if fields["previous_hash"] != previous_hash:
        return "previous_hash does not match the event before it (deleted, inserted or reordered)"
    if event_hash(fields) != fields["event_hash"]:
        return "event_hash does not match the event's content (edited)"
    return None


def item_event_digest(row: Any) -> str:
    """SHA-256 of a review item event's content, kept in the audit event that records it:
    the item events live in their own table, so without this an edited note, reason or
    dismissal would still verify."""
    fields = {name: row[name] for name in ITEM_EVENT_FIELDS}
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify_item_events(conn: Connection) -> str | None:
    """The first review item event (or closed item's resolution) that no longer matches the
    audit event that recorded it; None when all match.  Run after :func:`verify_chain`."""
    recorded: dict[int, int] = {}  # item event id -> audit sequence
    for sequence, summary in conn.execute(select(_AUDIT.c.sequence, _AUDIT.c.summary)
                                          .where(_AUDIT.c.object_type == "review_item")
                                          .order_by(_AUDIT.c.sequence)):
        digest = (summary or {}).get("item_event") or {}
        if "id" in digest:
            recorded[int(digest["id"])] = sequence
            if _event_differs(conn, int(digest["id"]), digest.get("digest")):
                return _mismatch(conn, int(digest["id"]), sequence)
    return _resolution_mismatch(conn, recorded)


def _event_differs(conn: Connection, event_id: int, digest: str | None) -> bool:
    row = conn.execute(select(_ITEM_EVENT).where(_ITEM_EVENT.c.id == event_id)).first()
    return row is None or item_event_digest(row._mapping) != digest


def _mismatch(conn: Connection, event_id: int, sequence: int) -> str:
    row = conn.execute(select(_ITEM_EVENT.c.review_item_id, _ITEM_EVENT.c.action)
                       .where(_ITEM_EVENT.c.id == event_id)).first()
    if row is None:
        return (f"review item event {event_id} recorded by audit event {sequence} is missing "
                "(deleted)")
    return (f"review item event {event_id} (item {row.review_item_id}, {row.action}) does not "
            f"match the audit event that recorded it (sequence {sequence}): edited after it "
            "was recorded")


def _resolution_mismatch(conn: Connection, recorded: dict[int, int]) -> str | None:
    """A closed item's resolution is the note of the event that closed it."""
    closing = (select(_ITEM_EVENT.c.review_item_id, func.max(_ITEM_EVENT.c.id).label("last"))
               .where(_ITEM_EVENT.c.to_status.in_(CLOSED_STATES))
               .group_by(_ITEM_EVENT.c.review_item_id).subquery())
    rows = conn.execute(select(_ITEM.c.id, _ITEM.c.resolution, _ITEM_EVENT.c.id.label("event"),
                               _ITEM_EVENT.c.note)
                        .join(closing, closing.c.review_item_id == _ITEM.c.id)
                        .join(_ITEM_EVENT, _ITEM_EVENT.c.id == closing.c.last)
                        .where(_ITEM.c.status.in_(CLOSED_STATES))
                        .order_by(_ITEM.c.id))
    for row in rows:
        if row.event in recorded and row.resolution != row.note:
            return (f"review item {row.id}'s resolution differs from the note of event "
                    f"{row.event} that closed it (edited)")
    return None


def audit_log(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    query = select(_AUDIT).order_by(_AUDIT.c.sequence)
    if actor:
        query = query.where(_AUDIT.c.actor == actor)
    if action:
        query = query.where(_AUDIT.c.action.like(action.replace("*", "%")))
    if object_id:
        query = query.where(_AUDIT.c.object_id == object_id)
    if since:
        query = query.where(_AUDIT.c.at >= since)
    if until:
        query = query.where(_AUDIT.c.at < until)
    return [
        {"sequence": r.sequence, "at": _iso(r.at), "db_login": r.db_login, "actor": r.actor,
         "role": r.role,
         "action": r.action, "object_type": r.object_type, "object_id": r.object_id,
         "outcome": r.outcome, "summary": r.summary, "event_hash": r.event_hash}
        for r in conn.execute(query)
    ]
