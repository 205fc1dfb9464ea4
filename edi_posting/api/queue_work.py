"""Working the queue in order through the public API: follow-up dates and their default
windows, and the bulk forms of assign, escalate and write-off over a filter.

Each function checks the session user's permission once (a refusal is on the audit trail)
and works in one write transaction; a bulk action reports per item what it did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.review import follow_up

__all__ = ["follow_up_defaults", "follow_up_item", "set_follow_up_default"]


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
