"""The named reports as the web workbench shows them: HTML-ready tables, one chart's PNG,
and a download in each format ``edi-posting report`` writes.

Why here and not in the web package: how a cell prints (cents as ``12.34``, a percent,
yes/no) is the rendering package's rule (:func:`edi_posting.rendering.cells.cell_text`),
which the web layer may not import; laying a :class:`Report` out as cell text here keeps
that rule written once.  ``report_page`` and ``report_chart`` read no database (like
``render_report``); ``download_report`` is the one that checks and records: a file that
leaves the system through a browser needs ``export`` and is an ``report.download``
event on the audit trail, besides the report's own read (``run_report``).
"""

from __future__ import annotations

from dataclasses import dataclass

from edi_posting.access.permissions import Permission
from edi_posting.api.reports import ReportUsageError, render_report, run_report
from edi_posting.api.session import Session
from edi_posting.rendering.cells import cell_text, query_text, summary_items
from edi_posting.rendering.charts import chart_png
from edi_posting.rendering.formats import ReportFormat
from edi_posting.reports.report_model import ColumnKind, Report, ReportQuery, Section

__all__ = ["DOWNLOAD_FORMATS", "ReportDownload", "ReportPage", "ReportTable",
           "download_report", "report_chart", "report_page"]

_NUMERIC = frozenset({ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.PERCENT,
                      ColumnKind.DAYS})

#: format -> the Content-Type of its download (every format the CLI writes but ``table``)
DOWNLOAD_FORMATS: dict[str, str] = {
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


@dataclass(frozen=True, slots=True)
class ReportTable:
    """One section as printed cells; ``numeric`` per column says which align right."""

    key: str
    title: str
    headings: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]  # at most the page's cap
    totals: tuple[str, ...] | None
    row_count: int  # every row the section has

    @property
    def capped(self) -> bool:
        return self.row_count > len(self.rows)


@dataclass(frozen=True, slots=True)
class ReportPage:
    name: str
    title: str
    asked: str  # "from ..., to ..., payer ..." as the table and the PDF head it
    summary: tuple[tuple[str, str, bool], ...]  # (label, value, numeric)
    tables: tuple[ReportTable, ...]
    charts: tuple[str, ...]  # each chart's title, numbered from 1 by ``report_chart``


@dataclass(frozen=True, slots=True)
class ReportDownload:
    filename: str
    content_type: str
    content: bytes


def report_page(report: Report, max_rows: int = 500) -> ReportPage:
    """``report`` as the table renderer prints it, each section cut at ``max_rows``
    (the download holds every row)."""
    summary = tuple((key.replace("_", " "), cell_text(value, kind), kind in _NUMERIC)
                    for key, value, kind in summary_items(report))
    return ReportPage(report.name, report.title, query_text(report.query), summary,
                      tuple(_table(s, max_rows) for s in report.sections),
                      tuple(chart.title for chart in report.charts))


def _table(section: Section, max_rows: int) -> ReportTable:
    columns = section.columns
    rows = tuple(tuple(cell_text(row.get(c.key), c.kind) for c in columns)
                 for row in section.rows[:max_rows])
    totals = None
    if section.totals is not None:
        cells = [cell_text(section.totals.get(c.key), c.kind) for c in columns]
        if cells and not cells[0]:
            cells[0] = "Total"
        totals = tuple(cells)
    return ReportTable(section.key, section.title, tuple(c.title for c in columns),
                       tuple(c.kind in _NUMERIC for c in columns), rows, totals,
                       len(section.rows))


def report_chart(report: Report, number: int) -> bytes:
    """Chart ``number`` (from 1) of ``report`` as PNG bytes; LookupError past the last."""
    if not 1 <= number <= len(report.charts):
        raise LookupError(f"report {report.name} has no chart {number} "
                          f"(it has {len(report.charts)})")
    return chart_png(report.charts[number - 1])


def download_report(session: Session, name: str, fmt: str, query: ReportQuery | None = None,
                    subject: str | None = None) -> ReportDownload:
    """Report ``name`` rendered as ``fmt`` (csv, json, xlsx or pdf) for a browser to save:
    ``export`` is checked first (a refusal audited), then the report is run as
    ``run_report`` runs it, and the download is recorded (``report.download``)."""
    if fmt not in DOWNLOAD_FORMATS:
        raise ReportUsageError(f"format {fmt!r}: one of {', '.join(DOWNLOAD_FORMATS)}")
    principal = session.authorize(Permission.EXPORT, "report.download", name)
    report = run_report(session, name, query, subject)
    rendered = render_report(report, fmt)
    content = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    session.audit("report.download", role=principal.role, object_type="report",
                  object_id=name, summary={"format": fmt, "subject": subject,
                                           "asked": query_text(report.query)})
    stem = f"{name}-{subject}" if subject else name
    return ReportDownload(f"{_safe(stem)}.{fmt}", DOWNLOAD_FORMATS[fmt], content)


def _safe(stem: str) -> str:
    """A file name from what was asked: letters, digits, dash and dot only."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in stem)[:80]
