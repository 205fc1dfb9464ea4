"""Received files as the workbench's imports screen lists them: one row per file, with
what became of it (status, the 999/TA1 sent back, its transaction sets with their totals
and balancing, how many problems).

Read-only.  A file's problems are read from the import's own summary
(``received_files.summary``, the same document ``import --format json`` prints), because
a rejected set stores no rows: its problems are the only trace it left.  A set's total is
its BPR02 for a remittance (835, keyed EOB) and the sum of CLM02 for an 837 set.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from edi_posting.db.base import table_of
from edi_posting.db.intake import FILE_KINDS
from edi_posting.db.models import (
    Acknowledgement,
    ReceivedFile,
    Remittance,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.money import format_cents
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import FileStatus

__all__ = ["FILE_KINDS", "UNBALANCED_CODES", "ReceivedQuery", "acks_of", "file_row", "file_summary",
           "list_received_files", "sets_of", "with_balancing"]

_FILE, _SET, _ACK = table_of(ReceivedFile), table_of(TransactionSet), table_of(Acknowledgement)
_REMIT, _CLAIM = table_of(Remittance), table_of(SubmittedClaim)
MAX_PER_PAGE = 200
SHORT_SHA = 12
# the balancing problems of an 835 (and a keyed EOB): service, claim and set level
UNBALANCED_CODES = frozenset({ProblemCode.SERVICE_UNBALANCED, ProblemCode.CLAIM_UNBALANCED,
                              ProblemCode.TRANSACTION_UNBALANCED})


@dataclass(frozen=True, slots=True)
class ReceivedQuery:
    """The imports screen's filters (combined with AND) and its page.  ``received_from``
    and ``received_to`` are days (UTC), both included."""

    kind: str | None = None  # received_files.kind (835, 837P, eob, deposit, lockbox...)
    status: str | None = None  # FileStatus
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    page: int = 1
    per_page: int = 50


def list_received_files(conn: Connection, query: ReceivedQuery
                        ) -> tuple[list[dict[str, Any]], int]:
    """(one page of files, newest first; how many files the filters select in all)."""
    if query.page < 1 or not 1 <= query.per_page <= MAX_PER_PAGE:
        raise ValueError(f"page from 1, page size from 1 to {MAX_PER_PAGE}")
    _check(query.kind, FILE_KINDS, "kind")
    _check(query.status, tuple(FileStatus), "status")
    selected = _selected(query)
    total = int(conn.execute(select(func.count()).select_from(
        selected.subquery())).scalar_one())
    files = conn.execute(selected.order_by(_FILE.c.id.desc()).limit(query.per_page)
                         .offset((query.page - 1) * query.per_page)).all()
    ids = [f.id for f in files]
    acks, sets = acks_of(conn, ids), sets_of(conn, ids)
    rows = []
    for f in files:
        summary = file_summary(f.summary)
        rows.append(file_row(f, summary) | {
            "acks": acks.get(f.id, []),
            "sets": with_balancing(sets.get(f.id, []), summary["problems"])})
    return rows, total


def _check(value: str | None, allowed: tuple[str, ...], what: str) -> None:
    """A mistyped filter is an error, never an empty page."""
    if value and value not in allowed:
        raise ValueError(f"{what} {value!r}: one of {', '.join(allowed)}")


def _selected(query: ReceivedQuery) -> Select[Any]:
    selected = select(_FILE.c.id, _FILE.c.file_name, _FILE.c.kind, _FILE.c.sha256,
                      _FILE.c.size_bytes, _FILE.c.status, _FILE.c.received_at,
                      _FILE.c.received_by, _FILE.c.summary)
    if query.kind:
        selected = selected.where(_FILE.c.kind == query.kind)
    if query.status:
        selected = selected.where(_FILE.c.status == query.status)
    if query.received_from is not None:
        selected = selected.where(_FILE.c.received_at >= _midnight(query.received_from))
    if query.received_to is not None:
        end = _midnight(query.received_to + dt.timedelta(days=1))
        selected = selected.where(_FILE.c.received_at < end)
    return selected


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def file_summary(text: str | None) -> dict[str, Any]:
    """The import's summary document (empty figures for a file whose import never ended)."""
    summary: dict[str, Any] = json.loads(text) if text else {}
    summary.setdefault("problems", [])
    return summary


def file_row(f: Any, summary: dict[str, Any]) -> dict[str, Any]:
    """The facts of one file (a ``received_files`` row) and its import's figures."""
    return {
        "id": f.id, "file_name": f.file_name, "kind": f.kind, "sha256": f.sha256,
        "sha256_short": f.sha256[:SHORT_SHA], "size_bytes": f.size_bytes,
        "received_at": f.received_at.isoformat(timespec="seconds")
        if f.received_at else None,
        "received_by": f.received_by, "status": f.status,
        "claims": summary.get("claims", 0), "posted": summary.get("posted", 0),
        "queued": summary.get("queued", 0),
        "payment_total": summary.get("payment_total"),
        "problems": len(summary["problems"]),
    }


def acks_of(conn: Connection, file_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The 999/997/TA1 produced for each file: kind, group and accepted or rejected."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if file_ids:
        for a in conn.execute(select(_ACK.c.file_id, _ACK.c.kind, _ACK.c.is_accepted,
                                     _ACK.c.group_control_number)
                              .where(_ACK.c.file_id.in_(file_ids)).order_by(_ACK.c.id)):
            found[a.file_id].append({
                "kind": a.kind, "group": a.group_control_number,
                "result": "accepted" if a.is_accepted else "rejected"})
    return found


def sets_of(conn: Connection, file_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each file's stored transaction sets, in file order, with their totals."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not file_ids:
        return found
    charges = (select(_CLAIM.c.transaction_set_id, func.count().label("claims"),
                      func.sum(_CLAIM.c.total_charge_cents).label("charge"))
               .group_by(_CLAIM.c.transaction_set_id).subquery())
    rows = conn.execute(
        select(_SET.c.id, _SET.c.file_id, _SET.c.kind, _SET.c.control_number,
               _SET.c.segment_position, _SET.c.segment_count, _SET.c.status,
               _REMIT.c.id.label("remittance_id"), _REMIT.c.trace_number,
               _REMIT.c.payment_cents, charges.c.claims, charges.c.charge)
        .outerjoin(_REMIT, _REMIT.c.transaction_set_id == _SET.c.id)
        .outerjoin(charges, charges.c.transaction_set_id == _SET.c.id)
        .where(_SET.c.file_id.in_(file_ids)).order_by(_SET.c.segment_position, _SET.c.id))
    for s in rows:
        cents = s.payment_cents if s.remittance_id is not None else s.charge
        found[s.file_id].append({
            "id": s.id, "kind": s.kind, "st02": s.control_number,
            "segment_position": s.segment_position, "segments": s.segment_count,
            "status": s.status, "remittance_id": s.remittance_id, "trace": s.trace_number,
            "claims": int(s.claims or 0),
            "total": format_cents(int(cents)) if cents is not None else None})
    return found


def with_balancing(sets: list[dict[str, Any]], problems: list[dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """Each remittance set's balancing: ``balanced``, or the balancing problems found in
    it (by its ST02); an 837 set has none to check (None)."""
    for s in sets:
        if s["remittance_id"] is None:
            s["balancing"] = None
            continue
        codes = sorted(p["code"] for p in problems if p["code"] in UNBALANCED_CODES
                       and p.get("transaction_set_control_number") in (s["st02"], None))
        s["balancing"] = "balanced" if not codes else "unbalanced: " + ", ".join(codes)
    return sets
