"""Bulk work over a filter: assign, escalate or write off every open item a filter selects.

Why a filter and not a list of ids: a specialist works "every denial of payer 59200" or
"every CO-45 balance under 5.00", and previews it with the same filter on `queue list`.
The items are selected with :func:`edi_posting.queue.items.list_items` (the same filters),
then each item is worked in its own transaction by the same action a single item gets, so
one refused item never rolls back the others and every rule (the write-off limit and its
approval above all) holds item by item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, select

from edi_posting.access.permissions import Principal
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.lists import among
from edi_posting.db.models import ReviewItem
from edi_posting.queue.items import QueueFilter, list_items
from edi_posting.review import actions, balances
from edi_posting.review.actions import ActionError

__all__ = ["BulkOutcome", "assign_one", "carcs_of", "each_item", "escalate_one", "select_items",
           "write_off_one"]

_ITEM = table_of(ReviewItem)


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """One item of a bulk action: what was done (``waits``: it waits for approval), or why
    it was refused (nothing of it changed)."""

    item_id: int
    message: str
    refused: bool = False
    waits: bool = False


def carcs_of(evidence: dict[str, Any] | None) -> set[str]:
    """Every group-CARC (``CO-45``) an item's evidence names, claim and line level."""
    evidence = evidence or {}
    found = list(evidence.get("claim_adjustments") or [])
    for line in evidence.get("lines") or []:
        found.extend(line.get("adjustments") or [])
    return {f"{a.get('group')}-{a.get('carc')}" for a in found if isinstance(a, dict)}


def _carc_matches(wanted: str, carcs: set[str]) -> bool:
    """``CO-45`` names one group and reason; ``45`` the reason in any group."""
    wanted = wanted.strip().upper()
    return wanted in carcs if "-" in wanted else any(c.endswith(f"-{wanted}") for c in carcs)


def select_items(conn: Connection, flt: QueueFilter, *, carc: str | None = None,
                 max_at_risk_cents: int | None = None) -> list[int]:
    """The open items the filter selects (in its sort order), narrowed to those whose
    evidence names ``carc`` and whose dollars at risk are more than 0 and at most
    ``max_at_risk_cents``."""
    rows = list_items(conn, replace(flt, limit=None))
    if max_at_risk_cents is not None:
        rows = [r for r in rows if 0 < _cents(r["at_risk"]) <= max_at_risk_cents]
    ids = [int(r["id"]) for r in rows][:flt.limit]
    if carc is None or not ids:
        return ids
    evidence = dict(conn.execute(select(_ITEM.c.id, _ITEM.c.evidence).where(
        among(_ITEM.c.id, ids))).all())
    return [i for i in ids if _carc_matches(carc, carcs_of(evidence.get(i)))][:flt.limit]


def _cents(amount: str) -> int:
    from edi_posting.money import parse_amount, to_cents

    return to_cents(parse_amount(amount))


def each_item(engine: Engine, item_ids: Iterable[int],
              work: Callable[[Connection, int], BulkOutcome]) -> list[BulkOutcome]:
    """``work`` item by item, each in its own transaction; a refusal is reported."""
    outcomes = []
    for item_id in item_ids:
        try:
            with write_transaction(engine) as conn:
                outcomes.append(work(conn, item_id))
        except ActionError as exc:
            outcomes.append(BulkOutcome(item_id, str(exc), refused=True))
    return outcomes


def assign_one(conn: Connection, item_id: int, assignee: str, principal: Principal) -> BulkOutcome:
    actions.assign(conn, item_id, assignee, principal=principal)
    return BulkOutcome(item_id, f"review item {item_id}: assigned to {assignee}")


def escalate_one(conn: Connection, item_id: int, to: str, note: str,
                 principal: Principal) -> BulkOutcome:
    actions.escalate(conn, item_id, to, note, principal=principal)
    return BulkOutcome(item_id, f"review item {item_id}: escalated to {to}")


def write_off_one(conn: Connection, item_id: int, reason: str, note: str | None,
                  principal: Principal) -> BulkOutcome:
    """The item's whole insurance balance with its payer; past the write-off limit it
    waits for approval (nothing posted), as a single write-off does."""
    result = balances.write_off(conn, item_id, reason, principal=principal, note=note)
    return BulkOutcome(item_id, result.message, waits=not result.entry_ids)
