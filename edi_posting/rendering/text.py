"""A report as text: the CLI's aligned table, one CSV document, one JSON document.

The table is the style of every listing (``cli/common.render_rows``): columns padded to
their widest cell, two spaces between them, no trailing blanks; a report prints its title,
what was asked and its summary first, then each section under its title.

CSV is one document for the whole report, so a spreadsheet opens it as one sheet and a
program reads it with one header: the first column, ``section``, names the section a row
belongs to (``<key>:total`` for a section's totals row), then the columns of every section
in the order they first appear (a section leaves the others' columns empty).  Money cells
are plain numbers (``-12.34``); text cells are neutralised against formula injection
(:func:`~edi_posting.rendering.cells.neutralised`).

JSON: ``{"report", "title", "query", "summary", "sections": [{"key", "title", "columns",
"rows", "totals"}]}`` with cents as "12.34" strings, as ``remit show --format json``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from edi_posting.rendering.cells import (
    cell_text,
    json_value,
    neutralised,
    query_text,
    query_value,
    summary_items,
)
from edi_posting.reports.report_model import Column, ColumnKind, Report, Section

__all__ = ["csv_document", "json_document", "table_text"]

TOTAL_LABEL = "Total"


def table_text(report: Report) -> str:
    """The report as the CLI prints it on a terminal."""
    lines = [report.title, f"({query_text(report.query)})"]
    lines += [f"{key}: {cell_text(value, kind)}" for key, value, kind in summary_items(report)]
    for section in report.sections:
        lines += ["", f"{section.title}:"]
        lines += _aligned(section) if section.rows else ["(none)"]
    return "\n".join(lines) + "\n"


def _aligned(section: Section) -> list[str]:
    header = [c.title for c in section.columns]
    body = [[cell_text(row.get(c.key), c.kind) for c in section.columns] for row in section.rows]
    if section.totals is not None:
        body.append(_totals_cells(section))
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(v, w, c) for v, w, c in zip(r, widths, section.columns)).rstrip()
             for r in [header, *body]]
    if section.totals is not None and body[-1][0] == TOTAL_LABEL:  # the label reads left
        lines[-1] = (TOTAL_LABEL.ljust(widths[0]) + lines[-1][widths[0]:]).rstrip()
    return lines


def _pad(value: str, width: int, column: Column) -> str:
    """Numbers right-aligned, so the cents line up; text left-aligned."""
    numeric = column.kind in (ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.PERCENT,
                              ColumnKind.DAYS)
    return value.rjust(width) if numeric else value.ljust(width)


def _totals_cells(section: Section) -> list[str]:
    totals = section.totals or {}
    cells = [cell_text(totals.get(c.key), c.kind) for c in section.columns]
    if cells and not cells[0]:
        cells[0] = TOTAL_LABEL
    return cells


def csv_document(report: Report) -> str:
    """Every section in one CSV with a ``section`` column (see the module's docstring)."""
    columns = _union_columns(report.sections)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 CRLF, as every CSV listing; a CR in a cell is quoted
    writer.writerow(["section", *(c.key for c in columns)])
    for section in report.sections:
        kinds = {c.key: c.kind for c in section.columns}
        for row in section.rows:
            writer.writerow([section.key, *_csv_cells(row, columns, kinds)])
        if section.totals is not None:
            writer.writerow([f"{section.key}:total",
                             *_csv_cells(section.totals, columns, kinds)])
    return buffer.getvalue()


def _union_columns(sections: Sequence[Section]) -> list[Column]:
    seen: dict[str, Column] = {}
    for section in sections:
        for column in section.columns:
            seen.setdefault(column.key, column)
    return list(seen.values())


def _csv_cells(row: Mapping[str, Any], columns: Sequence[Column],
               kinds: Mapping[str, ColumnKind]) -> list[str]:
    cells = []
    for column in columns:
        kind = kinds.get(column.key)
        text = "" if kind is None else cell_text(row.get(column.key), kind)
        cells.append(neutralised(text) if kind == ColumnKind.TEXT else text)
    return cells


def json_document(report: Report) -> str:
    """The report as one JSON object (keys in the documented order)."""
    document = {
        "report": report.name, "title": report.title, "query": query_value(report.query),
        "summary": {key: json_value(value, kind) for key, value, kind in summary_items(report)},
        "sections": [_json_section(s) for s in report.sections],
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def _json_section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key, "title": section.title,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind.value}
                    for c in section.columns],
        "rows": [_json_row(row, section.columns) for row in section.rows],
        "totals": (_json_row(section.totals, section.columns)
                   if section.totals is not None else None),
    }


def _json_row(row: Mapping[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    return {c.key: json_value(row.get(c.key), c.kind) for c in columns}
