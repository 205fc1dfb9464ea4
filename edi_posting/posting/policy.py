"""CARC handling as data: where each (group, reason) posts, per payer, and which CARCs
must never auto-post.

The built-in table is :data:`edi_posting.posting.rules.DEFAULT_CARC_POLICY`.  Rows of
``posting_policies`` override it: a row without a payer applies to every payer, a payer's
own row wins over that; ``*`` as the reason covers the whole group.  A ``never_auto_post``
row holds any claim payment carrying that CARC for review instead of posting it.  A
``zero_pay_contractual`` row lets a claim payment of $0 with nothing for the patient post
when every CARC on it is so marked (capitation, value-based care); otherwise such a
payment is a denial.  No CARC is marked by default: nothing is written off unless the
practice said so.  Changing a policy is an audited action (``policy.set`` / ``policy.remove``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Payer, PostingPolicy
from edi_posting.db.workflow import PolicyAction
from edi_posting.posting.rules import DEFAULT_CARC_POLICY, NO_ZERO_PAY

__all__ = [
    "ACTIONS",
    "ZERO_PAY_CHOICES",
    "CarcPolicy",
    "PolicyError",
    "default_action",
    "list_policies",
    "load_policy",
    "remove_policy",
    "set_policy",
]

# action -> the ledger account the adjusted amount posts to
ACTIONS: Mapping[PolicyAction, AccountCode] = {
    PolicyAction.CONTRACTUAL: AccountCode.CONTRACTUAL_ADJUSTMENTS,
    PolicyAction.OTHER: AccountCode.OTHER_ADJUSTMENTS,
    PolicyAction.PATIENT: AccountCode.PATIENT_AR,
}
GROUPS = ("CO", "PR", "OA", "PI", "CR")
# what a $0 claim payment carrying the CARC is: a denial (the default) or contractual
ZERO_PAY_CHOICES = ("denial", "contractual")
_POLICY, _PAYER = table_of(PostingPolicy), table_of(Payer)


class PolicyError(ValueError):
    """A policy request that cannot be honoured (unknown action, group or payer)."""


@dataclass(frozen=True, slots=True)
class CarcPolicy:
    accounts: Mapping[tuple[str, str], AccountCode]  # (group, reason or '*') -> account
    never_auto_post: frozenset[str]  # CARCs
    # (group, reason or '*') -> contractual on zero pay (rows only; absent means no)
    zero_pay: Mapping[tuple[str, str], bool] = field(default_factory=lambda: NO_ZERO_PAY)


def load_policy(conn: Connection, payer_id: int | None) -> CarcPolicy:
    """The defaults, then the all-payer rows, then the payer's own rows."""
    rows = conn.execute(
        select(_POLICY.c.payer_id, _POLICY.c.group_code, _POLICY.c.reason_code,
               _POLICY.c.action, _POLICY.c.never_auto_post, _POLICY.c.zero_pay_contractual)
        .where(or_(_POLICY.c.payer_id.is_(None), _POLICY.c.payer_id == payer_id))
    ).all()
    if not rows:
        return CarcPolicy(DEFAULT_CARC_POLICY, frozenset())
    accounts = dict(DEFAULT_CARC_POLICY)
    never: set[str] = set()
    zero_pay: dict[tuple[str, str], bool] = {}
    for row in sorted(rows, key=lambda r: r.payer_id is not None):  # all-payer rows first
        key = (row.group_code, row.reason_code)
        if row.action in ACTIONS:
            accounts[key] = ACTIONS[row.action]
        if row.never_auto_post:
            never.add(row.reason_code)
        zero_pay[key] = bool(row.zero_pay_contractual)  # the payer's own row wins
    return CarcPolicy(accounts, frozenset(never), zero_pay)


def _payer_id(conn: Connection, payer: str | None) -> int | None:
    if payer is None:
        return None
    found = conn.execute(select(_PAYER.c.id).where(
        or_(_PAYER.c.primary_identifier == payer, _PAYER.c.name == payer))).scalar()
    if found is None:
        raise PolicyError(f"no payer {payer!r} (give its payer ID or exact name)")
    return int(found)


def default_action(group: str) -> PolicyAction:
    """The action the built-in table gives a group (CO contractual, PR patient, else other)."""
    account = DEFAULT_CARC_POLICY.get((group, "*"), AccountCode.OTHER_ADJUSTMENTS)
    return next(action for action, target in ACTIONS.items() if target == account)


def set_policy(conn: Connection, group: str, reason: str, action: str | None = None, *,
               payer: str | None = None, never_auto_post: bool = False,
               note: str | None = None, zero_pay_contractual: bool = False) -> dict[str, Any]:
    """Store the rule (``action`` None: the group's built-in action)."""
    group, reason = group.strip().upper(), reason.strip().upper()
    if group not in GROUPS:
        raise PolicyError(f"group {group!r} is not one of {', '.join(GROUPS)}")
    action = action or default_action(group)
    if action not in ACTIONS:
        raise PolicyError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    payer_id = _payer_id(conn, payer)
    values = {"action": action, "never_auto_post": never_auto_post, "note": note,
              "zero_pay_contractual": zero_pay_contractual}
    key = [_POLICY.c.group_code == group, _POLICY.c.reason_code == reason,
           _POLICY.c.payer_id.is_(None) if payer_id is None else _POLICY.c.payer_id == payer_id]
    if conn.execute(select(_POLICY.c.id).where(*key)).first() is None:
        conn.execute(insert(_POLICY).values(payer_id=payer_id, group_code=group,
                                            reason_code=reason, **values))
    else:
        conn.execute(update(_POLICY).where(*key).values(**values))
    # payer_id: audit verify matches the stored row to this event by its key
    return {"payer": payer, "payer_id": payer_id, "group": group, "reason": reason, **values}


def remove_policy(conn: Connection, group: str, reason: str, *,
                  payer: str | None = None) -> dict[str, Any] | None:
    """The removed rule's key (what its audit event records), or None when none was stored."""
    payer_id = _payer_id(conn, payer)
    group, reason = group.strip().upper(), reason.strip().upper()
    result = conn.execute(delete(_POLICY).where(
        _POLICY.c.group_code == group, _POLICY.c.reason_code == reason,
        _POLICY.c.payer_id.is_(None) if payer_id is None else _POLICY.c.payer_id == payer_id))
    if not result.rowcount:
        return None
    return {"payer": payer, "payer_id": payer_id, "group": group, "reason": reason}


def list_policies(conn: Connection) -> list[dict[str, Any]]:
    """The built-in defaults, then every stored row (payer shown by name)."""
    rows: list[dict[str, Any]] = [
        {"payer": "(default)", "group": g, "reason": r, "account": a, "never_auto_post": False,
         "zero_pay": "denial", "note": "built in"} for (g, r), a in DEFAULT_CARC_POLICY.items()]
    stored = conn.execute(
        select(_PAYER.c.name, _POLICY.c.group_code, _POLICY.c.reason_code, _POLICY.c.action,
               _POLICY.c.never_auto_post, _POLICY.c.zero_pay_contractual, _POLICY.c.note)
        .outerjoin(_PAYER, _PAYER.c.id == _POLICY.c.payer_id)
        .order_by(_POLICY.c.payer_id, _POLICY.c.group_code, _POLICY.c.reason_code)).all()
    rows += [{"payer": name or "(all payers)", "group": g, "reason": r,
              "account": ACTIONS.get(action, action), "never_auto_post": bool(never),
              "zero_pay": ZERO_PAY_CHOICES[bool(zero)], "note": note or ""}
             for name, g, r, action, never, zero, note in stored]
    return rows
