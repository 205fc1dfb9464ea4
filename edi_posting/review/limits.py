"""The two limits above which a money action waits for a second person (``approvals``).

* the write-off limit (``queue.write_off_limit_cents``, default 100.00) applies to the
  cumulative amount written off per claim: 99 + 99 + 17 is 215, not three small write-offs;
* the refund limit (``queue.refund_limit_cents``, default 0.00, so every refund) applies
  to each refund.

Both live in the ``settings`` table; changing one needs ``administer`` and is audited with
the old and new value.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from edi_posting.access.permissions import Principal
from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import JournalEntry, JournalLine, Setting
from edi_posting.ledger.journal import account_ids
from edi_posting.money import format_cents
from edi_posting.records.states import AuditOutcome
from edi_posting.review.actions import ActionError

__all__ = [
    "DEFAULT_REFUND_LIMIT_CENTS",
    "DEFAULT_WRITE_OFF_LIMIT_CENTS",
    "REFUND_LIMIT_KEY",
    "WRITE_OFF_LIMIT_KEY",
    "refund_limit_cents",
    "set_refund_limit",
    "set_write_off_limit",
    "write_off_limit_cents",
    "written_off_cents",
]

_SETTING, _LINE, _ENTRY = table_of(Setting), table_of(JournalLine), table_of(JournalEntry)
WRITE_OFF_LIMIT_KEY = "queue.write_off_limit_cents"
REFUND_LIMIT_KEY = "queue.refund_limit_cents"
DEFAULT_WRITE_OFF_LIMIT_CENTS = 10_000  # 100.00 until an administrator sets another
DEFAULT_REFUND_LIMIT_CENTS = 0  # every refund needs a second person


def _limit(conn: Connection, key: str, default: int) -> int:
    value = conn.execute(select(_SETTING.c.value).where(_SETTING.c.key == key)).scalar()
    return int(value) if value is not None else default


def write_off_limit_cents(conn: Connection) -> int:
    """Write-offs on one claim beyond this, in total, wait for approval."""
    return _limit(conn, WRITE_OFF_LIMIT_KEY, DEFAULT_WRITE_OFF_LIMIT_CENTS)


def refund_limit_cents(conn: Connection) -> int:
    """A refund above this waits for approval."""
    return _limit(conn, REFUND_LIMIT_KEY, DEFAULT_REFUND_LIMIT_CENTS)


def written_off_cents(conn: Connection, claim_id: int) -> int:
    """What the queue's write-offs have already moved off this claim (the cumulative base)."""
    other = account_ids(conn)[AccountCode.OTHER_ADJUSTMENTS]
    total = conn.execute(select(func.coalesce(func.sum(_LINE.c.amount_cents), 0))
                         .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
                         .where(_LINE.c.submitted_claim_id == claim_id,
                                _LINE.c.account_id == other,
                                _ENTRY.c.kind == EntryKind.WRITE_OFF)).scalar_one()
    return int(total)


def _set_limit(conn: Connection, key: str, cents: int, before: int, *, principal: Principal,
               action: str) -> None:
    actor = principal.name
    if cents < 0:
        raise ActionError("a limit cannot be negative")
    exists = conn.execute(select(_SETTING.c.key).where(_SETTING.c.key == key)).first() is not None
    values = {"value": str(cents), "updated_by": actor, "updated_at": func.now()}
    if exists:
        conn.execute(update(_SETTING).where(_SETTING.c.key == key).values(**values))
    else:
        conn.execute(insert(_SETTING).values(key=key, **values))
    record_event(conn, actor=actor, role=principal.role, action=action,
                 object_type="setting", object_id=key, outcome=AuditOutcome.OK,
                 summary={"before": format_cents(before), "after": format_cents(cents)})


def set_write_off_limit(conn: Connection, cents: int, *, principal: Principal) -> None:
    """Change the write-off limit (the caller checked ``administer``); audited with the old and new value."""
    _set_limit(conn, WRITE_OFF_LIMIT_KEY, cents, write_off_limit_cents(conn), principal=principal,
               action="queue.write-off-limit")


def set_refund_limit(conn: Connection, cents: int, *, principal: Principal) -> None:
    """Change the refund limit (the caller checked ``administer``); audited with the old and new value."""
    _set_limit(conn, REFUND_LIMIT_KEY, cents, refund_limit_cents(conn), principal=principal,
               action="queue.refund-limit")
