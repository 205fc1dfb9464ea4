"""The formats a report renders to, and the one function that picks the renderer.

Text formats give ``str``, binary ones (XLSX, PDF) ``bytes``.  A report may have a layout
of its own for PDF (the remittance advice prints like a paper one); every other report
and format uses the generic renderer, so a new report needs no rendering code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from edi_posting.rendering.advice_pdf import advice_pdf_bytes
from edi_posting.rendering.pdf import report_pdf_bytes
from edi_posting.rendering.text import csv_document, json_document, table_text
from edi_posting.rendering.xlsx import xlsx_bytes
from edi_posting.reports.report_model import Report

__all__ = ["BINARY_FORMATS", "PDF_LAYOUTS", "ReportFormat", "render"]


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    PDF = "pdf"


BINARY_FORMATS = frozenset({ReportFormat.XLSX, ReportFormat.PDF})

#: report name -> its own PDF layout
PDF_LAYOUTS: dict[str, Callable[[Report], bytes]] = {"era-pdf": advice_pdf_bytes}

_RENDERERS: dict[ReportFormat, Callable[[Report], str | bytes]] = {
    ReportFormat.TABLE: table_text,
    ReportFormat.CSV: csv_document,
    ReportFormat.JSON: json_document,
    ReportFormat.XLSX: xlsx_bytes,
}


def render(report: Report, fmt: ReportFormat | str) -> str | bytes:
    """``report`` in format ``fmt`` (ValueError for a format that is not one)."""
    chosen = ReportFormat(fmt)
    if chosen == ReportFormat.PDF:
        return PDF_LAYOUTS.get(report.name, report_pdf_bytes)(report)
    return _RENDERERS[chosen](report)
