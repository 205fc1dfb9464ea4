"""The shape every named report (``edi-posting report NAME``) gives: data, not layout.

A report function reads the ledger and the queue and returns a :class:`Report`; the
renderers (table, CSV, JSON, XLSX, PDF, chart PNGs) lay out any report the same way, so
a figure is computed once and every format shows the same cents.  Amounts are integer
cents in the rows (a column's :class:`ColumnKind` says how to print them).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

__all__ = [
    "Chart",
    "ChartKind",
    "Column",
    "ColumnKind",
    "Report",
    "ReportFunction",
    "ReportQuery",
    "Section",
]


class ColumnKind(enum.StrEnum):
    """How a column's values print (and which XLSX format they get)."""

    TEXT = "text"
    CENTS = "cents"  # int cents, printed 1,234.56 / -0.10
    COUNT = "count"  # int
    DATE = "date"  # dt.date
    PERCENT = "percent"  # Decimal fraction 0..1, printed 12.5%
    DAYS = "days"  # int or Decimal days


class ChartKind(enum.StrEnum):
    BAR = "bar"
    STACKED_BAR = "stacked_bar"
    LINE = "line"


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What the user asked for; a report ignores what does not apply to it."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    payer: str | None = None  # payer id or name, as `queue list --payer`
    options: Mapping[str, str] = field(default_factory=dict)  # report-specific


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the row dict's key, and the JSON/CSV column name
    title: str  # the table/XLSX/PDF heading
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True, slots=True)
class Section:
    """One table of a report (a report may have several: by payer, by week ...)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Mapping[str, Any]]
    totals: Mapping[str, Any] | None = None  # a totals row, same keys as the columns


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart people would rather look at than read; values in the column kind's unit."""

    key: str
    title: str
    kind: ChartKind
    categories: Sequence[str]
    series: Mapping[str, Sequence[int]]  # series name -> one value per category
    value_kind: ColumnKind = ColumnKind.CENTS


@dataclass(frozen=True, slots=True)
class Report:
    name: str  # the NAME of `edi-posting report NAME`
    title: str
    query: ReportQuery
    sections: tuple[Section, ...]
    summary: Mapping[str, Any] = field(default_factory=dict)  # headline totals (JSON "summary")
    charts: tuple[Chart, ...] = ()
    generated_at: dt.datetime | None = None
    # how a summary value prints (a key not named here prints as TEXT): the summary holds
    # int cents like the rows, so "total": 1234 with CENTS prints "12.34" in every format
    summary_kinds: Mapping[str, ColumnKind] = field(default_factory=dict)


ReportFunction = Callable[[Connection, ReportQuery], Report]
