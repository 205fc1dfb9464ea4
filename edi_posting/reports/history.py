"""The report stage for auditors: one timeline of everything that happened to a claim or
an account — charges, postings, reversals and review-item events — each with who did it
and the file and segment it came from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    PatientAccount,
    ReceivedFile,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
)
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.queue.items import event_amount
from edi_posting.reports.views import NotFoundError

__all__ = ["account_history", "claim_history"]

_E, _L = table_of(JournalEntry), table_of(JournalLine)
_RI, _EV = table_of(ReviewItem), table_of(ReviewItemEvent)


def _entries(conn: Connection, condition: Any) -> list[dict[str, Any]]:
    """Journal entries touching the condition's lines, one timeline row per entry."""
    touched = select(_L.c.entry_id).where(condition).distinct()
    total = (select(_L.c.entry_id, func.sum(func.abs(_L.c.amount_cents)).label("moved"))
             .group_by(_L.c.entry_id).subquery())
    rows = conn.execute(
        select(_E, total.c.moved, ReceivedFile.file_name)
        .join(total, total.c.entry_id == _E.c.id)
        .outerjoin(ReceivedFile, ReceivedFile.id == _E.c.source_file_id)
        .where(_E.c.id.in_(touched)).order_by(_E.c.id)
    )
    return [
        {"at": r.posted_at.isoformat(sep=" ", timespec="seconds"), "what": r.kind,
         "detail": _detail(r.memo, r.reverses_entry_id),
         "amount": format_cents(_signed(int(r.moved) // 2, r.reverses_entry_id)), "actor": r.actor, "source_file": r.file_name,
         "source_segment": r.source_segment, "entry_id": r.id}
        for r in rows
    ]


def _signed(moved_cents: int, reverses: int | None) -> int:
    """What an entry moved, negative when it reverses another: a reversal takes money back,
    and an auditor reading the timeline must see it subtract, not add."""
    return -moved_cents if reverses is not None else moved_cents


def _detail(memo: str | None, reverses: int | None) -> str:
    """The entry's memo, naming the entry it reverses unless the memo already does."""
    said = f"reverses entry {reverses}"
    if reverses is None or (memo and said in memo):
        return memo or ""
    return f"{memo or ''} ({said})".strip()


def _review_events(conn: Connection, condition: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(_EV, _RI.c.kind).join(_RI, _RI.c.id == _EV.c.review_item_id)
        .where(condition).order_by(_EV.c.id)
    )
    return [
        {"at": r.at.isoformat(sep=" ", timespec="seconds"),
         "what": f"review {r.kind} {r.action}",
         "detail": f"item {r.review_item_id}: {r.note or ''}".strip(),
         "amount": event_amount(r.amount_cents), "actor": r.actor, "source_file": None,
         "source_segment": None, "entry_id": r.journal_entry_id}
        for r in rows
    ]


def _about(lines: Any, items: Any) -> Any:
    """Events of the items about it, and of any item whose action posted to it (cash applied
    from an unmatched payment names no claim until a specialist applies it)."""
    return or_(items, _EV.c.journal_entry_id.in_(select(_L.c.entry_id).where(lines)))


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By time; within one second (SQLite keeps no finer time, PostgreSQL stamps a whole
    transaction alike) an entry comes first, then the item events it caused, then item
    events that moved no money (an import posts its entries before it opens items)."""
    def key(row: dict[str, Any]) -> tuple[str, bool, int, bool]:
        is_event = row["what"].startswith("review ")
        moved_nothing = row["entry_id"] is None  # after every entry of that second
        return row["at"], moved_nothing, row["entry_id"] or 0, is_event
    return sorted(rows, key=key)


def claim_history(conn: Connection, pcn: str) -> list[dict[str, Any]]:
    """Every submission of the PCN, its ledger entries and its review-item events."""
    ids = conn.execute(select(SubmittedClaim.id).where(
        SubmittedClaim.pcn_normalized == normalize_pcn(pcn))).scalars().all()
    if not ids:
        raise NotFoundError(f"no claim with patient control number {pcn!r}")
    return _sorted(_entries(conn, _L.c.submitted_claim_id.in_(ids))
                   + _review_events(conn, _about(_L.c.submitted_claim_id.in_(ids),
                                                 _RI.c.submitted_claim_id.in_(ids))))


def account_history(conn: Connection, account_number: str) -> list[dict[str, Any]]:
    account_id = conn.execute(select(PatientAccount.id).where(
        PatientAccount.account_number == account_number)).scalar()
    if account_id is None:
        raise NotFoundError(f"no account {account_number!r}")
    return _sorted(_entries(conn, _L.c.patient_account_id == account_id)
                   + _review_events(conn, _about(_L.c.patient_account_id == account_id,
                                                 _RI.c.patient_account_id == account_id)))
