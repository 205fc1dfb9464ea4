"""The finance and audit reports of issue 26, by the NAME of ``edi-posting report NAME``.

The integrator merges :data:`FINANCE_REPORTS` into the report registry
(``reports/catalog.py``); each function reads the ledger and the queue and returns a
:class:`~edi_posting.reports.report_model.Report` for any renderer.
"""

from __future__ import annotations

from edi_posting.reports.credits_report import credit_balances_report, refunds_report
from edi_posting.reports.denials import denials_report
from edi_posting.reports.month_end import month_end_report
from edi_posting.reports.productivity import posting_audit_report, productivity_report
from edi_posting.reports.report_model import ReportFunction
from edi_posting.reports.unapplied import unapplied_report

__all__ = ["FINANCE_REPORTS"]

FINANCE_REPORTS: dict[str, ReportFunction] = {
    "denials": denials_report,
    "unapplied": unapplied_report,
    "credit-balances": credit_balances_report,
    "refunds": refunds_report,
    "month-end": month_end_report,
    "productivity": productivity_report,
    "posting-audit": posting_audit_report,
}
