"""The CARC posting policy: list it (``read_ledger``), set or remove a rule (``administer``).

A change and its ``policy.*`` audit event commit in one transaction, so ``audit verify``
can match every stored rule to the event that wrote it.
"""

from __future__ import annotations

from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.audit.events import record_event
from edi_posting.posting import policy
from edi_posting.records.states import AuditOutcome

__all__ = ["list_policies", "remove_policy", "set_policy"]


def list_policies(session: Session) -> list[dict[str, Any]]:
    """Every rule in effect: the built-in defaults first, then the stored overrides."""
    session.authorize(Permission.READ_LEDGER, "policy.list")
    with session.reading() as conn:
        return policy.list_policies(conn)


def set_policy(session: Session, group: str, reason: str, action: str | None = None, *,
               payer: str | None = None, never_auto_post: bool = False,
               note: str | None = None, zero_pay_contractual: bool = False) -> dict[str, Any]:
    """Add or change the rule for one group and CARC (``'*'``: the whole group; ``action``
    None: the group's built-in account).  :class:`PolicyError` for an unknown group,
    action or payer.  Returns the rule as stored."""
    principal = session.authorize(Permission.ADMINISTER, "policy.set")
    with session.writing() as conn:
        saved = policy.set_policy(conn, group, reason, action, payer=payer,
                                  never_auto_post=never_auto_post, note=note,
                                  zero_pay_contractual=zero_pay_contractual)
        record_event(conn, actor=session.actor, role=principal.role, action="policy.set",
                     object_type="posting_policy", object_id=f"{saved['group']}-"
                     f"{saved['reason']}", outcome=AuditOutcome.OK, summary=saved)
    return saved


def remove_policy(session: Session, group: str, reason: str, *,
                  payer: str | None = None) -> dict[str, Any] | None:
    """Remove a stored rule (the built-in default applies again): its key, or None when no
    such rule was stored (nothing recorded then)."""
    principal = session.authorize(Permission.ADMINISTER, "policy.remove")
    with session.writing() as conn:
        removed = policy.remove_policy(conn, group, reason, payer=payer)
        if removed:
            record_event(conn, actor=session.actor, role=principal.role,
                         action="policy.remove", object_type="posting_policy",
                         object_id=f"{group}-{reason}", outcome=AuditOutcome.OK,
                         summary=removed)
    return removed
