"""The work queue a page at a time, for the web workbench.

Why not :func:`edi_posting.api.queue.list_queue`: it reads every matching item to compute
age and dollars at risk in Python, which is right for a listing but not for a screen
paging through 100,000 open items.  Here the database filters, sorts and cuts the page
(LIMIT/OFFSET), using the same filters ``queue list`` applies
(:func:`edi_posting.queue.items._queue_query`) and the same age rule
(:func:`edi_posting.queue.priorities.age_from`, written once more as SQL below); then age
and dollars at risk are computed for the page's rows only, by the queue's own functions.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.db.base import table_of
from edi_posting.db.models import Remittance, ReviewItem, SubmittedClaim
from edi_posting.queue.items import QueueFilter, _listed, _queue_query
from edi_posting.queue.priorities import age_bucket, at_risk_cents
from edi_posting.records.states import ReviewKind

__all__ = ["QueuePage", "QueuePageQuery", "QueuePageSort", "queue_page"]

_ITEM, _CLAIM, _REMIT = table_of(ReviewItem), table_of(SubmittedClaim), table_of(Remittance)
MAX_PER_PAGE = 200


class QueuePageSort(enum.StrEnum):
    """The page's order: oldest first, most money first, soonest follow-up first, newest."""

    AGE = "age"
    AMOUNT = "amount"
    DUE = "due"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class QueuePageQuery:
    """What ``queue list`` filters on, plus the claims a search found and the page.
    ``min_amount_cents`` compares the money the item holds (a denial holds none; its
    dollars at risk are shown, not filtered on, so that the database can page)."""

    kind: str | None = None
    status: str | None = None
    payer: str | None = None
    assignee: str | None = None
    older_than_days: int | None = None
    min_amount_cents: int | None = None
    claim: str | None = None  # PCN
    claim_ids: Sequence[int] | None = None  # the claims a search found (claim find)
    due: str | None = None
    sort: str = QueuePageSort.AGE
    page: int = 1  # the page's number: shown, and an OFFSET when there is no ``after``
    per_page: int = 50
    after: str | None = None  # QueuePage.next_after of the page before: a keyset cursor


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    next_after: str | None = None  # the cursor of the next page; None on the last one

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def queue_page(session: Session, query: QueuePageQuery,
               today: dt.date | None = None) -> QueuePage:
    """One page of review items as ``queue list`` shows them, each with its ``age_bucket``
    (``read_phi``, the read audited as ``queue.list``; masked when the session masks PHI).
    ValueError for a sort, page or page size out of range."""
    sort = QueuePageSort(query.sort)
    if query.page < 1 or not 1 <= query.per_page <= MAX_PER_PAGE:
        raise ValueError(f"page from 1, page size from 1 to {MAX_PER_PAGE}")
    principal = session.authorize(Permission.READ_PHI, "queue.list")
    session.audit("queue.list", role=principal.role,
                  summary={"page": query.page, "sort": str(sort)})
    today = today or dt.date.today()
    selected = _selected(query, today).order_by(None)
    with session.reading() as conn:
        total = int(conn.execute(select(func.count()).select_from(
            selected.subquery())).scalar_one())
        rows = conn.execute(_cut(selected, sort, query)).all()
        risk = at_risk_cents(conn, rows)
    listed = [_listed(r, today, risk[r.id]) | {"age_bucket": ""} for r in rows]
    for row in listed:
        row["age_bucket"] = age_bucket(row["age_days"])
    more = len(rows) == query.per_page and query.page * query.per_page < total
    return QueuePage(session.shown(listed), total, query.page, query.per_page,
                     _cursor(sort, rows[-1]) if more else None)


def _cut(selected: Select[Any], sort: QueuePageSort, query: QueuePageQuery) -> Select[Any]:
    """The page: after the cursor (keyset: every page costs what the first does), else at
    its OFFSET."""
    key, descending = _SORT_KEYS[sort]()
    ordered = selected.add_columns(key.label("sort_key")).order_by(
        key.desc() if descending else key, _ITEM.c.id).limit(query.per_page)
    if query.after is None:
        return ordered.offset((query.page - 1) * query.per_page)
    value, last_id = _parse_cursor(sort, query.after)
    beyond = key < value if descending else key > value
    return ordered.where(beyond | ((key == value) & (_ITEM.c.id > last_id)))


def _cursor(sort: QueuePageSort, row: Any) -> str:
    value = row.sort_key
    return f"{value.isoformat() if isinstance(value, dt.date) else int(value)}~{row.id}"


def _parse_cursor(sort: QueuePageSort, text: str) -> tuple[Any, int]:
    """ValueError for a cursor this sort did not make."""
    value, _, last_id = text.partition("~")
    dated = sort in (QueuePageSort.AGE, QueuePageSort.DUE)
    return (dt.date.fromisoformat(value[:10]) if dated else int(value)), int(last_id)


def _selected(query: QueuePageQuery, today: dt.date) -> Select[Any]:
    flt = QueueFilter(kind=query.kind, status=query.status, payer=query.payer,
                      assignee=query.assignee, claim=query.claim, due=query.due)
    selected: Select[Any] = _queue_query(flt, today)
    if query.older_than_days is not None:  # age in whole days > N, as queue list counts it
        cutoff = today - dt.timedelta(days=query.older_than_days)
        selected = selected.where(_age_from() < cutoff)
    if query.min_amount_cents is not None:
        selected = selected.where(func.abs(_ITEM.c.amount_cents) >= query.min_amount_cents)
    if query.claim_ids is not None:
        selected = selected.where(_ITEM.c.submitted_claim_id.in_(list(query.claim_ids)))
    return selected


def _age_from() -> ColumnElement[Any]:
    """:func:`~edi_posting.queue.priorities.age_from` in SQL: a denial's service date, else
    the payment date, else the day the item opened."""
    return case(
        ((_ITEM.c.kind == ReviewKind.DENIAL) & _CLAIM.c.statement_from.is_not(None),
         _CLAIM.c.statement_from),
        (_REMIT.c.payment_date.is_not(None), _REMIT.c.payment_date),
        else_=func.date(_ITEM.c.created_at))


_NO_DUE_DATE = dt.date(9999, 12, 31)  # items without a follow-up date sort last
_SORT_KEYS: dict[QueuePageSort, Callable[[], tuple[ColumnElement[Any], bool]]] = {
    QueuePageSort.AGE: lambda: (_age_from(), False),  # the oldest first
    QueuePageSort.AMOUNT: lambda: (func.abs(_ITEM.c.amount_cents), True),
    QueuePageSort.DUE: lambda: (func.coalesce(_ITEM.c.due_date, _NO_DUE_DATE), False),
    QueuePageSort.NEWEST: lambda: (-_ITEM.c.id, False),
}
