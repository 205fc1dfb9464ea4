"""Follow-up dates: when an item is to be looked at again, and the default windows.

A specialist dates the next look at an item (``queue follow-up ID --on DATE``): the item's
``due_date`` changes with a ``follow-up`` event and an audit event, like a note, so the
history says who promised what by when.  An administrator sets the default window of a
kind, or of a kind with one payer (a payer's appeal window for its denials), which items
get when they open (:mod:`edi_posting.queue.due_dates`); a change is audited with the old
and new value, as the write-off limit's is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from edi_posting.access.permissions import Principal
from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.models import Payer, PayerAlias, Setting
from edi_posting.db.workflow import ItemAction
from edi_posting.queue.due_dates import follow_up_key, follow_up_windows
from edi_posting.records.states import AuditOutcome, ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import locked_item

__all__ = ["find_payer", "follow_up", "follow_up_defaults", "set_follow_up_default"]

_SETTING, _PAYER, _ALIAS = table_of(Setting), table_of(Payer), table_of(PayerAlias)


def follow_up(conn: Connection, item_id: int, on: dt.date, *, principal: Principal,
              note: str | None = None) -> str:
    """Date the next look at an open item; returns what was done, as the CLI says it."""
    item = locked_item(conn, item_id)
    said = (note or "").strip() or None
    text = f"follow up on {on.isoformat()}" + (f" ({said})" if said else "")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.FOLLOW_UP, note=said, values={"due_date": on},
                  details={"on": on.isoformat(),
                           "before": item.due_date.isoformat() if item.due_date else None})
    return f"review item {item_id}: {text}"


def find_payer(conn: Connection, identifier: str) -> int:
    """A payer's id by its primary identifier or an alias (NM1*PR, TRN03)."""
    found = conn.execute(select(_PAYER.c.id).where(
        _PAYER.c.primary_identifier == identifier)).scalar()
    if found is None:
        found = conn.execute(select(_ALIAS.c.payer_id).where(_ALIAS.c.alias_value == identifier)
                             .order_by(_ALIAS.c.id)).scalar()
    if found is None:
        raise ActionError(f"no payer with identifier {identifier!r}")
    return int(found)


def set_follow_up_default(conn: Connection, kind: str, days: int, *, principal: Principal,
                          payer: str | None = None) -> str:
    """Set (``days`` > 0) or remove (0) the default window of a kind, or of a kind with one
    payer (the caller checked ``administer``); audited with the old and new value."""
    if kind not in {str(k) for k in ReviewKind}:
        raise ActionError(f"no review kind {kind!r}")
    if days < 0:
        raise ActionError("a follow-up window cannot be negative")
    payer_id = None if payer is None else find_payer(conn, payer)
    key = follow_up_key(kind, payer_id)
    before = follow_up_windows(conn).get((kind, payer_id))
    conn.execute(delete(_SETTING).where(_SETTING.c.key == key))
    if days:
        conn.execute(insert(_SETTING).values(key=key, value=str(days), updated_by=principal.name,
                                             updated_at=func.now()))
    record_event(conn, actor=principal.name, role=principal.role,
                 action="queue.follow-up-default", object_type="setting", object_id=key,
                 outcome=AuditOutcome.OK,
                 summary={"before": _days(before), "after": _days(days or None)})
    whose = f"{kind} items" + (f" of payer {payer}" if payer else "")
    if not days:
        return f"{whose} have no default follow-up date"
    return f"{whose} are due {days} days after their payment date"


def _days(days: int | None) -> str | None:
    return None if days is None else f"{days} days"


def follow_up_defaults(conn: Connection) -> list[dict[str, Any]]:
    """Every window set: kind, payer identifier (None: every payer), days."""
    names = dict(conn.execute(select(_PAYER.c.id, _PAYER.c.primary_identifier)).all())
    return [{"kind": kind, "payer": None if payer_id is None else names.get(payer_id),
             "days": days}
            for (kind, payer_id), days in sorted(follow_up_windows(conn).items(),
                                                 key=lambda kv: (kv[0][0], kv[0][1] or 0))]
