"""Working the queue in order through the public API: follow-up dates and their default
windows, and the bulk forms of assign, escalate and write-off over a filter.

Each function checks the session user's permission once (a refusal is on the audit trail)
and works in one write transaction; a bulk action reports per item what it did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.queue.items import QueueFilter
from edi_posting.review import bulk, follow_up
from edi_posting.review.actions import ActionError
from edi_posting.review.bulk import BulkOutcome

__all__ = ["BulkOutcome", "BulkReport", "ItemFilter", "assign_items", "escalate_items",
           "follow_up_defaults", "follow_up_item", "set_follow_up_default", "write_off_items"]


def follow_up_item(session: Session, item_id: int, on: dt.date, *,
                   note: str | None = None) -> str:
    """Date the next look at an item (``resolve``): its due date, an item event and an
    audit event.  Returns what was done."""
    return act(session, Permission.RESOLVE, "queue.follow-up", str(item_id),
               lambda conn, who: follow_up.follow_up(conn, item_id, on, principal=who,
                                                     note=note))


def set_follow_up_default(session: Session, kind: str, days: int, *,
                          payer: str | None = None) -> str:
    """Set the default follow-up window of a kind (or of a kind with one payer, by its
    identifier), or remove it with 0 days (``administer``; audited with the old and new
    value).  Items opened afterwards get it as their due date."""
    return act(session, Permission.ADMINISTER, "queue.follow-up-default",
               f"{kind}:{payer or '*'}",
               lambda conn, who: follow_up.set_follow_up_default(conn, kind, days,
                                                                 principal=who, payer=payer),
               object_type="setting")


def follow_up_defaults(session: Session) -> list[dict[str, Any]]:
    """Every default follow-up window set (no PHI: ``read_ledger``)."""
    session.authorize(Permission.READ_LEDGER, "queue.follow-up-defaults")
    with session.reading() as conn:
        return follow_up.follow_up_defaults(conn)


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which open items a bulk action takes: the filters of ``queue list`` (kind, payer by
    identifier or part of its name, status, assignee, age, dollars at risk, claim, due) and
    the CARC its evidence names.  At least one must be given."""

    kind: str | None = None
    payer: str | None = None
    status: str | None = None
    assignee: str | None = None
    older_than_days: int | None = None
    min_amount_cents: int | None = None
    claim: str | None = None
    due: str | None = None
    carc: str | None = None  # CO-45, or 45 in any group

    def queue_filter(self) -> QueueFilter:
        return QueueFilter(kind=self.kind, status=self.status, payer=self.payer,
                           assignee=self.assignee, older_than_days=self.older_than_days,
                           min_amount_cents=self.min_amount_cents, claim=self.claim,
                           due=self.due)


@dataclass(frozen=True, slots=True)
class BulkReport:
    """Each item's outcome (committed on its own: one refused never undoes the others)."""

    outcomes: tuple[BulkOutcome, ...]

    @property
    def done(self) -> int:
        return sum(not o.refused and not o.waits for o in self.outcomes)

    @property
    def waiting(self) -> int:
        return sum(o.waits for o in self.outcomes)

    @property
    def refused(self) -> int:
        return sum(o.refused for o in self.outcomes)


def _bulk(session: Session, action: str, flt: ItemFilter, max_at_risk_cents: int | None,
          work: Callable[[Connection, int, Principal], BulkOutcome]) -> BulkReport:
    """Authorise ``resolve`` once, select the items, work each in its own transaction."""
    if flt == ItemFilter():
        raise ActionError("a bulk action needs a filter (--kind, --payer, --carc ...): "
                          "refusing to act on the whole queue")
    principal = session.authorize(Permission.RESOLVE, f"queue.{action}", "bulk")
    with session.reading() as conn:
        ids = bulk.select_items(conn, flt.queue_filter(), carc=flt.carc,
                                max_at_risk_cents=max_at_risk_cents)
    return BulkReport(tuple(bulk.each_item(
        session.engine, ids, lambda conn, item_id: work(conn, item_id, principal))))


def assign_items(session: Session, flt: ItemFilter, assignee: str) -> BulkReport:
    """Assign every open item the filter selects to ``assignee`` (``resolve``)."""
    return _bulk(session, "assign", flt, None,
                 lambda conn, item_id, who: bulk.assign_one(conn, item_id, assignee, who))


def escalate_items(session: Session, flt: ItemFilter, to: str, note: str) -> BulkReport:
    """Escalate every open item the filter selects to a role or a user, saying why."""
    return _bulk(session, "escalate", flt, None,
                 lambda conn, item_id, who: bulk.escalate_one(conn, item_id, to, note, who))


def write_off_items(session: Session, flt: ItemFilter, reason: str, *,
                    max_amount_cents: int, note: str | None = None) -> BulkReport:
    """Write off the balance at risk of every open item the filter selects whose balance is
    at most ``max_amount_cents``; an item whose claim would pass the write-off limit waits
    for a second person's approval instead (``resolve``)."""
    return _bulk(session, "write-off", flt, max_amount_cents,
                 lambda conn, item_id, who: bulk.write_off_one(conn, item_id, reason, note,
                                                               who))

