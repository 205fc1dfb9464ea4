"""A report's charts as PNG images (matplotlib), for ``--chart DIR`` and the PDF.

matplotlib draws on its Agg canvas through ``Figure`` directly, never ``pyplot``: no
display is needed or touched, and no global figure state outlives one chart.  Money is
drawn in dollars (cents / 100) on the axis; the figures themselves stay in the report.
"""

from __future__ import annotations

import io
from pathlib import Path

from edi_posting.reports.report_model import Chart, ChartKind, ColumnKind, Report

__all__ = ["chart_png", "write_charts"]

_SIZE_INCHES = (8.0, 4.0)
_DPI = 100


def chart_png(chart: Chart) -> bytes:
    """One chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    bottoms = [0.0] * len(positions)
    for name, values in chart.series.items():
        shown = [_unit(v, chart.value_kind) for v in values]
        if chart.kind == ChartKind.LINE:
            axes.plot(positions, shown, marker="o", label=name)
        elif chart.kind == ChartKind.STACKED_BAR:
            axes.bar(positions, shown, bottom=bottoms, label=name)
            bottoms = [b + s for b, s in zip(bottoms, shown)]
        else:
            axes.bar(positions, shown, label=name)
    axes.set_xticks(positions, list(chart.categories), rotation=45, ha="right", fontsize=7)
    axes.set_title(chart.title)
    axes.set_ylabel("dollars" if chart.value_kind == ColumnKind.CENTS else chart.value_kind.value)
    if len(chart.series) > 1:
        axes.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _unit(value: int, kind: ColumnKind) -> float:  # not money: a chart axis
    """A value on the chart's axis: dollars for cents (a drawing, never a figure)."""
    return value / 100 if kind == ColumnKind.CENTS else float(value)  # not money: plotted


def write_charts(report: Report, directory: Path) -> list[Path]:
    """Each chart as ``DIR/<report>-<chart>.png`` (the directory is created); the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in report.charts:
        path = directory / f"{report.name}-{chart.key}.png"
        path.write_bytes(chart_png(chart))
        written.append(path)
    return written
