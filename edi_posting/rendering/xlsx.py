"""A report as an XLSX workbook (XlsxWriter, constant-memory mode).

Sheet "Summary" first (title, what was asked, the summary), then one worksheet per
section (its header row frozen, a totals row at the bottom), then "Charts" with each
chart's data and a native XLSX chart drawn from it.  Constant-memory mode writes each row
to disk as it goes, so a large report costs one row of memory; rows are written strictly
in order for that reason.

Money is a number with two decimals (format ``#,##0.00``), so the sheet adds it up; a
date is a date; text is written as a string, never a formula, and neutralised as in CSV.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from edi_posting.rendering.cells import cell_text, neutralised, query_text, summary_items
from edi_posting.reports.report_model import Chart, ChartKind, Column, ColumnKind, Report

__all__ = ["xlsx_bytes"]

_SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CHART_TYPES = {ChartKind.BAR: ("column", None), ChartKind.STACKED_BAR: ("column", "stacked"),
                ChartKind.LINE: ("line", None)}


class _Book:
    """The workbook and the cell formats every sheet shares."""

    def __init__(self, buffer: io.BytesIO) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True,
                                                     "in_memory": True})
        self.bold = self.workbook.add_format({"bold": True})
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})
        self.money_bold = self.workbook.add_format({"num_format": "#,##0.00", "bold": True})
        self.date = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.percent = self.workbook.add_format({"num_format": "0.0%"})
        self.names: set[str] = set()

    def sheet(self, title: str) -> Any:
        name = _BAD_SHEET_CHARS.sub(" ", title)[:_SHEET_NAME_MAX].strip() or "Sheet"
        base, n = name, 2
        while name.lower() in self.names:
            suffix = f" {n}"
            name, n = base[:_SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
        self.names.add(name.lower())
        return self.workbook.add_worksheet(name)

    def write(self, sheet: Any, row: int, col: int, value: Any, kind: ColumnKind,
              bold: bool = False) -> None:
        if value is None:
            return
        if kind == ColumnKind.CENTS and isinstance(value, int):
            sheet.write_number(row, col, Decimal(value) / 100,
                               self.money_bold if bold else self.money)
        elif kind in (ColumnKind.COUNT, ColumnKind.DAYS) and isinstance(value, (int, Decimal)):
            sheet.write_number(row, col, value, self.bold if bold else None)
        elif kind == ColumnKind.PERCENT and isinstance(value, (int, Decimal)):
            sheet.write_number(row, col, value, self.percent)
        elif kind == ColumnKind.DATE and isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, self.date)
        else:
            sheet.write_string(row, col, neutralised(cell_text(value, kind)),
                               self.bold if bold else None)


def xlsx_bytes(report: Report) -> bytes:
    """The whole workbook as bytes."""
    buffer = io.BytesIO()
    book = _Book(buffer)
    _summary_sheet(book, report)
    for section in report.sections:
        sheet = book.sheet(section.title)
        sheet.freeze_panes(1, 0)
        _table(book, sheet, section.columns, section.rows, section.totals)
    if report.charts:
        _charts_sheet(book, report.charts)
    book.workbook.close()
    return buffer.getvalue()


def _summary_sheet(book: _Book, report: Report) -> None:
    sheet = book.sheet("Summary")
    sheet.write_string(0, 0, neutralised(report.title), book.bold)
    sheet.write_string(1, 0, neutralised(query_text(report.query)))
    for offset, (key, value, kind) in enumerate(summary_items(report)):
        sheet.write_string(3 + offset, 0, key)
        book.write(sheet, 3 + offset, 1, value, kind)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 16)


def _table(book: _Book, sheet: Any, columns: Sequence[Column],
           rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any] | None) -> None:
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.title, book.bold)
        sheet.set_column(col, col, max(10, min(40, len(column.title) + 2)))
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            book.write(sheet, r, col, row.get(column.key), column.kind)
    if totals is not None:
        last = len(rows) + 1
        for col, column in enumerate(columns):
            book.write(sheet, last, col, totals.get(column.key), column.kind, bold=True)
        if columns and totals.get(columns[0].key) is None:
            sheet.write_string(last, 0, "Total", book.bold)


def _charts_sheet(book: _Book, charts: Sequence[Chart]) -> None:
    """Each chart's data (categories, then one column per series) and its native chart."""
    sheet = book.sheet("Charts")
    top = 0
    for chart in charts:
        names = list(chart.series)
        sheet.write_string(top, 0, chart.title, book.bold)
        for col, name in enumerate(names, start=1):
            sheet.write_string(top, col, name, book.bold)
        for i, category in enumerate(chart.categories, start=1):
            sheet.write_string(top + i, 0, neutralised(str(category)))
            for col, name in enumerate(names, start=1):
                book.write(sheet, top + i, col, chart.series[name][i - 1], chart.value_kind)
        if names and chart.categories:  # a chart of nothing is no chart (XLSX refuses it)
            _insert_chart(book, sheet, chart, top, names)
        else:
            sheet.write_string(top + 1, 0, "no data in this period")
        top += max(len(chart.categories) + 2, 22)


def _insert_chart(book: _Book, sheet: Any, chart: Chart, top: int, names: list[str]) -> None:
    kind, subtype = _CHART_TYPES[chart.kind]
    options = {"type": kind, **({"subtype": subtype} if subtype else {})}
    native = book.workbook.add_chart(options)
    last = top + len(chart.categories)
    for col, name in enumerate(names, start=1):
        native.add_series({"name": name, "categories": [sheet.name, top + 1, 0, last, 0],
                           "values": [sheet.name, top + 1, col, last, col]})
    native.set_title({"name": chart.title})
    sheet.insert_chart(top, len(names) + 2, native)
