"""`audit verify`'s cross-reference, both ways: every journal entry, review item event, user,
posting policy and approval has the audit event that recorded it, as recorded; every row an
audit event recorded still exists.  Run after the chain itself verified (the events are
then known to be the ones written).

Entries and item events are streamed once in id order and hashed per recording event, so a
100,000-entry ledger costs one pass and a dictionary of ids, never a query per row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, func, select

from edi_posting.audit.links import (
    ENTRIES,
    ITEM_EVENTS,
    dumps,
    line_counts,
    ranges_ids,
)
from edi_posting.audit.links_read import EventLinks, read_links, stream_rows
from edi_posting.audit.links_state import (
    AuditRow,
    approval_failure,
    policy_failure,
    setting_failure,
    user_failure,
)
from edi_posting.db.base import table_of
from edi_posting.db.models import AuditEvent, ReviewItem, ReviewItemEvent

__all__ = ["LinkReport", "verify_links"]

_AUDIT, _ITEM, _ITEM_EVENT = table_of(AuditEvent), table_of(ReviewItem), table_of(ReviewItemEvent)
_NAMES = {ENTRIES: ("journal entry", "journal entries"),
          ITEM_EVENTS: ("review item event", "review item events")}


@dataclass(slots=True)
class LinkReport:
    """The first failure (None: every row and event cross-reference), and warnings about
    rows written before the cross-reference existed."""

    failure: str | None = None
    warnings: list[str] = field(default_factory=list)


def _audit_rows(conn: Connection) -> list[AuditRow]:
    query = select(_AUDIT.c.sequence, _AUDIT.c.action, _AUDIT.c.object_type,
                   _AUDIT.c.object_id, _AUDIT.c.outcome, _AUDIT.c.summary
                   ).order_by(_AUDIT.c.sequence)
    return [AuditRow(r.sequence, r.action, r.object_type, r.object_id, r.outcome,
                     r.summary if isinstance(r.summary, dict) else {})
            for r in conn.execute(query)]


def verify_links(conn: Connection) -> LinkReport:
    """Cross-check every linked and replayed table; stop at the first failure."""
    events = _audit_rows(conn)
    links = read_links(conn, [(e.sequence, e.action, e.summary) for e in events])
    report = LinkReport(links.duplicate)
    for table in (ENTRIES, ITEM_EVENTS):
        if report.failure is None:
            report.failure = _check_table(conn, table, links, report.warnings)
    if report.failure is None:
        report.failure = _item_without_event(conn) or _item_status_differs(conn)
    for check in (user_failure, policy_failure, approval_failure, setting_failure):
        if report.failure is None:
            report.failure = check(conn, events)
    return report


@dataclass(slots=True)
class _Group:
    """One event's rows of one table, hashed as they stream by."""

    hasher: Any = field(default_factory=hashlib.sha256)
    ids: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


def _check_table(conn: Connection, table: str, links: EventLinks,
                 warnings: list[str]) -> str | None:
    one = _NAMES[table][0]
    owner = links.owner[table]
    groups: dict[int, _Group] = {}
    unlinked = 0
    for ident, canonical, count in stream_rows(conn, table):
        sequence = owner.get(ident)
        if sequence is None:
            if links.baseline is not None:
                return f"{one} {ident} has no audit event"
            unlinked += 1
            continue
        if (sequence, table) not in links.recorded:
            continue  # named by an older event (queue actions' own item digest): checked there
        group = groups.setdefault(sequence, _Group())
        group.hasher.update(b"," if group.ids else b"[")
        group.hasher.update(dumps(canonical, table).encode("utf-8"))
        group.ids.append(ident)
        group.counts.append(count)
    _warn_old(table, links, unlinked, warnings)
    return _missing(table, links, groups) or _differing(table, links, groups)


def _item_without_event(conn: Connection) -> str | None:
    """An item is opened by its first event, which the check above found linked: an item
    with no event at all was inserted around the application."""
    orphan = conn.execute(select(_ITEM.c.id).where(~exists().where(
        _ITEM_EVENT.c.review_item_id == _ITEM.c.id)).order_by(_ITEM.c.id).limit(1)).scalar()
    return None if orphan is None else f"review item {orphan} has no audit event"


def _item_status_differs(conn: Connection) -> str | None:
    """An item's status is where its last event (linked, so written by the application)
    left it: the application changes both together, so an item closed or reopened in place
    (the application role may UPDATE review_items) is named here."""
    last = (select(_ITEM_EVENT.c.review_item_id, func.max(_ITEM_EVENT.c.id).label("event"))
            .where(_ITEM_EVENT.c.to_status.is_not(None))
            .group_by(_ITEM_EVENT.c.review_item_id).subquery())
    row = conn.execute(
        select(_ITEM.c.id, _ITEM.c.status, last.c.event, _ITEM_EVENT.c.to_status)
        .join(last, last.c.review_item_id == _ITEM.c.id)
        .join(_ITEM_EVENT, _ITEM_EVENT.c.id == last.c.event)
        .where(_ITEM.c.status != _ITEM_EVENT.c.to_status)
        .order_by(_ITEM.c.id).limit(1)).first()
    if row is None:
        return None
    return (f"review item {row.id} is {row.status}; its last item event {row.event} left it "
            f"{row.to_status}")


def _warn_old(table: str, links: EventLinks, unlinked: int, warnings: list[str]) -> None:
    vouched = links.recorded.get((links.baseline or 0, table))
    count = unlinked or sum(1 for _ in ranges_ids((vouched or {}).get("ids") or []))
    if not count:
        return
    rows = (f"{count} {_NAMES[table][count != 1]} {'was' if count == 1 else 'were'} recorded "
            "before audit events referenced them")
    warnings.append(f"{rows} (no baseline yet): not cross-referenced" if unlinked else
                    f"{rows}: vouched for by baseline event {links.baseline}, not by their own")


def _missing(table: str, links: EventLinks, groups: dict[int, _Group]) -> str | None:
    for (sequence, linked), link in sorted(links.recorded.items()):
        if linked != table:
            continue
        present = set(groups[sequence].ids) if sequence in groups else set()
        for ident in ranges_ids(link.get("ids") or []):
            if ident not in present:
                return (f"audit event {sequence} records {_NAMES[table][0]} {ident}, "
                        "which is missing")
    return None


def _differing(table: str, links: EventLinks, groups: dict[int, _Group]) -> str | None:
    for (sequence, linked), link in sorted(links.recorded.items()):
        group = groups.get(sequence)
        if linked != table or group is None:
            continue
        group.hasher.update(b"]")
        if group.hasher.hexdigest() == link.get("digest"):
            continue
        ident = group.ids[0]
        recorded, found = str(link.get("lines") or ""), line_counts(group.counts)
        for k, (was, now) in enumerate(zip(recorded, found)):
            if was != now:
                ident = group.ids[k]
                break
        what = "lines differ" if table == ENTRIES else "content differs"
        return f"{_NAMES[table][0]} {ident}'s {what} from what audit event {sequence} recorded"
    return None
