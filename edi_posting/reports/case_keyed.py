"""What a case shows of a keyed paper EOB: its rows as keyed (where an 835's case shows its
raw segments) and, for an ``eob_error`` item, every problem to fix by row and column.

A keyed file has no segments: the rows of the claim payment (consecutive rows of its
claim), the check (a held check: all its rows) or the PLB row, after the header, are read
from the archived bytes (checked against their SHA-256 like any archived file).  With PHI
masked the rows are not shown: they are a person's data, column by column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from edi_posting.archive.integrity import read_archived
from edi_posting.db.base import table_of
from edi_posting.db.models import ClaimPayment, ProviderAdjustment, ReceivedFile, Remittance
from edi_posting.keyed.rows import KeyedRow, read_rows
from edi_posting.keyed.template import COLUMNS, KEYED_KIND
from edi_posting.records.states import ReviewKind
from edi_posting.reports.case_kinds import plb_id

__all__ = ["keyed_case_rows", "keyed_problems"]

_CP, _PLB, _REM = table_of(ClaimPayment), table_of(ProviderAdjustment), table_of(Remittance)
_FILE = table_of(ReceivedFile)
_MAX_ROWS = 200


def keyed_case_rows(conn: Connection, item: Any, mask: bool) -> list[dict[str, Any]] | None:
    """The keyed rows the case rests on (header first), or None when the item's source is
    not a keyed file (its raw segments are shown instead)."""
    found = _source(conn, item)
    if found is None:
        return None
    file_id, first_row, scope = found
    kind = conn.execute(select(_FILE.c.kind).where(_FILE.c.id == file_id)).scalar()
    if kind != KEYED_KIND:
        return None
    if mask or first_row is None:
        return []
    content = read_archived(conn, file_id)
    rows = read_rows(content)
    chosen = _chosen(list(rows.rows), first_row, scope)
    if rows.form == "csv":
        lines = content.decode("utf-8-sig", "replace").splitlines()
        return [{"row": 1, "text": lines[0]}] + [
            {"row": r.number, "text": lines[r.number - 1]} for r in chosen
            if r.number - 1 < len(lines)]
    return [{"row": 0, "text": ",".join(COLUMNS)}] + [
        {"row": r.number, "text": ",".join(r.get(c) for c in COLUMNS)} for r in chosen]


def _source(conn: Connection, item: Any) -> tuple[int, int | None, str] | None:
    """(file, first row, what: claim | plb | check) of the item's keyed records."""
    if item.claim_payment_id is not None:
        cp = conn.execute(select(_CP.c.source_file_id, _CP.c.source_segment)
                          .where(_CP.c.id == item.claim_payment_id)).one()
        return int(cp.source_file_id), cp.source_segment, "claim"
    plb = plb_id(item)
    if plb is not None:
        row = conn.execute(select(_PLB.c.source_file_id, _PLB.c.source_segment)
                           .where(_PLB.c.id == plb)).one()
        return int(row.source_file_id), row.source_segment, "plb"
    if item.remittance_id is not None:
        rem = conn.execute(select(_REM.c.source_file_id, _REM.c.source_segment)
                           .where(_REM.c.id == item.remittance_id)).one()
        return int(rem.source_file_id), rem.source_segment, "check"
    return None


def _chosen(rows: list[KeyedRow], first_row: int, scope: str) -> list[KeyedRow]:
    start = next((i for i, r in enumerate(rows) if r.number == first_row), None)
    if start is None:
        return []
    first = rows[start]
    if scope == "plb":
        return [first]
    check = (first.get("payer").lower(), first.get("check_number"))
    if scope == "check":
        return [r for r in rows if (r.get("payer").lower(), r.get("check_number")) == check
                ][:_MAX_ROWS]
    claim = first.get("claim_pcn")
    run = []
    for row in rows[start:start + _MAX_ROWS]:
        if row.get("claim_pcn") != claim or row.get("check_number") != check[1]:
            break
        run.append(row)
    return run


def keyed_problems(item: Any) -> list[dict[str, Any]]:
    """An ``eob_error`` item's problems, one per row and column to fix."""
    if item.kind != ReviewKind.EOB_ERROR:
        return []
    return [{"row": p.get("row"), "column": p.get("element"), "severity": p.get("severity"),
             "code": p.get("code"), "value": (p.get("details") or {}).get("value"),
             "message": p.get("message")}
            for p in (item.evidence or {}).get("problems", [])]
