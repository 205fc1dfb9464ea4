"""One value of a report as each format prints it, by its column's kind.

Money is integer cents in a report and becomes the two-decimal text every output of the
engine uses (``money.format_cents``) only here.  Text that a spreadsheet would take for a
formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a patient
name ``=HYPERLINK(...)`` keyed into a payer's system and sent back in an 835) is prefixed
with ``'`` in CSV and XLSX text cells.  Only TEXT cells are neutralised: a CENTS cell such
as ``-12.34`` is a number we formatted ourselves, never text from a file, and stays a
number a spreadsheet can add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from edi_posting.money import format_cents
from edi_posting.reports.report_model import ColumnKind, Report, ReportQuery

__all__ = ["FORMULA_STARTS", "cell_text", "json_value", "neutralised", "query_text",
           "query_value", "summary_items"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it (OWASP's CSV injection rule)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_text(value: Any, kind: ColumnKind) -> str:
    """The printed form of one value (table, CSV, PDF); empty for a missing value."""
    if value is None:
        return ""
    if kind == ColumnKind.CENTS and isinstance(value, int) and not isinstance(value, bool):
        return format_cents(value)
    if kind == ColumnKind.PERCENT and isinstance(value, (Decimal, int, float)):
        return f"{Decimal(str(value)) * 100:.1f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def json_value(value: Any, kind: ColumnKind) -> Any:
    """A JSON value: cents as the "12.34" strings of every other JSON output, counts as
    numbers, dates as ISO text, a percent as its fraction's exact text."""
    if value is None or isinstance(value, bool):
        return value
    if kind in (ColumnKind.CENTS, ColumnKind.PERCENT, ColumnKind.DATE):
        return cell_text(value, kind) if kind != ColumnKind.PERCENT else str(value)
    if isinstance(value, (int, str)):
        return value
    return cell_text(value, kind)


def summary_items(report: Report) -> list[tuple[str, Any, ColumnKind]]:
    """The summary's (key, value, kind) in the report's order.  A key the report gives no
    kind for reads by its name: ``*_cents`` holds cents, ``*_rate`` a fraction."""
    return [(key, value, report.summary_kinds.get(key, _kind_by_name(key, value)))
            for key, value in report.summary.items()]


def _kind_by_name(key: str, value: Any) -> ColumnKind:
    if key.endswith("_cents") and isinstance(value, int) and not isinstance(value, bool):
        return ColumnKind.CENTS
    if key.endswith("_rate") and value is not None:
        return ColumnKind.PERCENT
    return ColumnKind.TEXT


def query_value(query: ReportQuery) -> dict[str, Any]:
    """What was asked, as JSON: ``{"from", "to", "payer", "options"}``."""
    return {"from": _iso(query.date_from), "to": _iso(query.date_to), "payer": query.payer,
            "options": dict(query.options)}


def query_text(query: ReportQuery) -> str:
    """One line naming what was asked, for the table's and the PDF's heading."""
    parts = [f"from {_iso(query.date_from) or 'the start'}",
             f"to {_iso(query.date_to) or 'today'}",
             f"payer {query.payer or 'all'}"]
    parts += [f"{k} {v}" for k, v in _sorted(query.options)]
    return ", ".join(parts)


def _sorted(options: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(options.items())


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
