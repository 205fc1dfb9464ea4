"""A report as a PDF (ReportLab platypus): title, what was asked, the summary, each section
as a table, the charts as images, "Page N" at the foot of every page.

Platypus lays the tables out: a section longer than a page splits across pages and its
header row repeats on each (``repeatRows=1``).  Pages are landscape letter, so a wide
section (the ERA report has seventeen columns) still fits in a small font.  The shared
pieces (styles, page footer, tables) are used by the remittance advice too
(:mod:`~edi_posting.rendering.advice_pdf`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from edi_posting.rendering.cells import cell_text, query_text, summary_items
from edi_posting.reports.report_model import Column, ColumnKind, Report

__all__ = ["PageFlowables", "data_table", "paragraph", "pdf_bytes", "report_pdf_bytes"]

PageFlowables = list[Any]
_NUMERIC = (ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.PERCENT, ColumnKind.DAYS)


def paragraph(text: str, style: str = "Normal") -> Any:
    """A paragraph of plain text (escaped: a name with ``<`` or ``&`` prints as written)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), getSampleStyleSheet()[style])


def data_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               numeric: Sequence[bool], bold_last: bool = False, font_size: float = 7,  # not money
               widths: Sequence[float] | None = None) -> Any:  # not money: points
    """A table whose header repeats on every page it spans; numbers right-aligned."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table([list(header), *[list(r) for r in rows]], repeatRows=1,
                  colWidths=list(widths) if widths else None)
    style = [("FONTSIZE", (0, 0), (-1, -1), font_size),
             ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
             ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, n in enumerate(numeric) if n]
    if bold_last and rows:
        style += [("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]
    table.setStyle(TableStyle(style))
    return table


def pdf_bytes(flowables: PageFlowables, *, landscape_page: bool = True) -> bytes:
    """Lay the flowables out on pages numbered at the foot."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.units import inch
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    size = landscape(letter) if landscape_page else letter
    document = SimpleDocTemplate(buffer, pagesize=size, leftMargin=0.5 * inch,
                                 rightMargin=0.5 * inch, topMargin=0.5 * inch,
                                 bottomMargin=0.6 * inch)
    footer = _page_number(size[0])
    document.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _page_number(width: float) -> Callable[[Any, Any], None]:  # not money: points
    def draw(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(width - 36, 20, f"Page {document.page}")
        canvas.restoreState()
    return draw


def report_pdf_bytes(report: Report) -> bytes:
    """Any report in the generic layout."""
    from reportlab.lib.units import inch
    from reportlab.platypus import Image, Spacer

    from edi_posting.rendering.charts import chart_png

    flow: PageFlowables = [paragraph(report.title, "Title"),
                           paragraph(query_text(report.query))]
    items = summary_items(report)
    if items:
        flow += [Spacer(1, 6), data_table(["", ""], [[k, cell_text(v, kind)]
                                                      for k, v, kind in items],
                                          numeric=[False, True], font_size=8)]
    for section in report.sections:
        flow += [Spacer(1, 10), paragraph(section.title, "Heading3")]
        flow.append(_section_table(section.columns, section.rows, section.totals)
                    if section.rows else paragraph("(none)"))
    for chart in report.charts:
        flow += [Spacer(1, 10), Image(io.BytesIO(chart_png(chart)), width=8 * inch,
                                      height=4 * inch)]
    return pdf_bytes(flow)


def _section_table(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]],
                   totals: Mapping[str, Any] | None) -> Any:
    body = [[cell_text(row.get(c.key), c.kind) for c in columns] for row in rows]
    if totals is not None:
        cells = [cell_text(totals.get(c.key), c.kind) for c in columns]
        body.append(["Total", *cells[1:]] if not cells[0] else cells)
    return data_table([c.title for c in columns], body,
                      numeric=[c.kind in _NUMERIC for c in columns],
                      bold_last=totals is not None)
