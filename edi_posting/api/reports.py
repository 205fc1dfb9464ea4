"""Named reports through the public API (``edi-posting report NAME``).

``run_report`` authorises and audits, then computes a :class:`Report` (data); rendering it
(``render_report``, ``write_report_charts``) needs no session, since it reads nothing.  A
report whose rows carry patient data (``reports.catalog.PATIENT_DATA``) needs ``read_phi``
and is audited as a PHI read (``report.<name>``, with what was asked but never a patient's
name); the others need ``read_ledger``, which every role that reads anything holds, and
are authorised but not audited as reads, like ``ledger check``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.logs import mask_phi
from edi_posting.rendering.charts import write_charts
from edi_posting.rendering.formats import ReportFormat, render
from edi_posting.reports.catalog import (
    PATIENT_DATA,
    REPORTS,
    SUBJECT_OPTION,
    SUBJECTS,
    describe_report,
)
from edi_posting.reports.report_model import Report, ReportQuery

__all__ = ["ReportUsageError", "list_reports", "render_report", "run_report",
           "write_report_charts"]


class ReportUsageError(ValueError):
    """A report asked for wrongly: an unknown name, a subject missing or not wanted, a
    period that ends before it starts (exit 2)."""


def list_reports() -> list[dict[str, Any]]:
    """Every report: ``name``, ``subject`` (the one thing it is about, or None),
    ``patient_data`` and ``description``."""
    return [{"name": name, "subject": SUBJECTS.get(name),
             "patient_data": name in PATIENT_DATA, "description": describe_report(name)}
            for name in REPORTS]


def run_report(session: Session, name: str, query: ReportQuery | None = None,
               subject: str | None = None) -> Report:
    """Compute report ``name`` for ``query`` (``subject``: what a report about one thing
    names, e.g. the remittance of ``era-pdf``).  Raises :class:`ReportUsageError`, or
    :class:`~edi_posting.reports.views.NotFoundError` when the subject names nothing."""
    query = _checked(name, query or ReportQuery(), subject)
    if name in PATIENT_DATA:
        principal = session.authorize(Permission.READ_PHI, f"report.{name}", subject)
        session.audit(f"report.{name}", role=principal.role,
                      object_type="remittance" if subject else None, object_id=subject,
                      summary=_asked(query))
    else:
        session.authorize(Permission.READ_LEDGER, f"report.{name}", subject)
    with session.reading() as conn:
        report = REPORTS[name](conn, query)
    return _masked(report) if session.mask_phi else report


def _checked(name: str, query: ReportQuery, subject: str | None) -> ReportQuery:
    if name not in REPORTS:
        raise ReportUsageError(f"no report named {name!r}; the reports are: "
                               f"{', '.join(REPORTS)}")
    wanted = SUBJECTS.get(name)
    if wanted and not subject:
        raise ReportUsageError(f"report {name} needs {wanted}: edi-posting report {name} "
                               f"{wanted}")
    if subject and not wanted:
        raise ReportUsageError(f"report {name} takes no argument (got {subject!r})")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ReportUsageError(f"--from {query.date_from} is after --to {query.date_to}")
    if subject:
        query = dataclasses.replace(query, options={**query.options, SUBJECT_OPTION: subject})
    return query


def _asked(query: ReportQuery) -> dict[str, object]:
    return {"from": query.date_from.isoformat() if query.date_from else None,
            "to": query.date_to.isoformat() if query.date_to else None,
            "payer": query.payer}


def _masked(report: Report) -> Report:
    """The report with names and member IDs masked (``--mask-phi``), same shape."""
    sections = tuple(dataclasses.replace(s, rows=mask_phi([dict(r) for r in s.rows]))
                     for s in report.sections)
    return dataclasses.replace(report, sections=sections)


def render_report(report: Report, fmt: ReportFormat | str) -> str | bytes:
    """``report`` as ``table``, ``csv`` or ``json`` text, or ``xlsx`` or ``pdf`` bytes."""
    return render(report, fmt)


def write_report_charts(report: Report, directory: str | Path) -> list[Path]:
    """Each of the report's charts as a PNG in ``directory`` (created): the paths."""
    return write_charts(report, Path(directory))
