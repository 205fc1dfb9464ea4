"""The named reports of ``edi-posting report NAME``: the one registry the API and the CLI
read, so a report added here is runnable, listed and rendered in every format at once.

Each entry is a :data:`~edi_posting.reports.report_model.ReportFunction` (a read-only
``Connection`` and the :class:`ReportQuery` in, a :class:`Report` out).  Two facts about a
report the API needs besides its function: whether its rows carry patient data (then
running it needs ``read_phi`` and is audited as a PHI read; otherwise ``read_ledger``),
and whether it is about one thing the user names (``era-pdf REMITTANCE``: its subject,
passed as ``query.options["subject"]``).
"""

from __future__ import annotations

from edi_posting.reports.era import era_report
from edi_posting.reports.era_pdf import SUBJECT_OPTION, era_pdf_report
from edi_posting.reports.finance_catalog import FINANCE_REPORTS
from edi_posting.reports.plb_report import plb_report
from edi_posting.reports.reconciliation_report import reconciliation_report
from edi_posting.reports.report_model import ReportFunction

__all__ = ["DESCRIPTIONS", "PATIENT_DATA", "REPORTS", "SUBJECTS", "SUBJECT_OPTION", "describe_report"]

REPORTS: dict[str, ReportFunction] = {
    "era": era_report,
    "plb": plb_report,
    "era-pdf": era_pdf_report,
    "reconciliation": reconciliation_report,
    **FINANCE_REPORTS,  # denials, unapplied, credit-balances, refunds, month-end, productivity, posting-audit
}

#: what ``report list`` and ``report --help`` say of each (the function's docstring else)
DESCRIPTIONS: dict[str, str] = {
    "era": "per check/EFT: BPR02, sum of CLP04, PLB, claims paid/denied/reversed/held, "
           "balanced, posted and unapplied",
    "plb": "provider-level adjustments by reason and reference, with their link status",
    "era-pdf": "one check/EFT as a printable remittance advice (claims, lines, "
               "adjustments described, PLB)",
    "reconciliation": "per day: deposits, remittances met, variances, silent ERAs, lonely "
                      "deposits, what awaits deposit, the cash-clearing balance",
    "denials": "denials by group/CARC/RARC, payer, procedure, provider and week; rate, "
               "dollars at risk, top root causes",
    "unapplied": "unapplied cash aging (0-30, 31-60, 61-90, 90+ days) by payer and reason",
    "credit-balances": "credit balances per account and claim: cause, age, refund status",
    "refunds": "refunds per account and claim: requested, approved, paid",
    "month-end": "trial balance by account and movement by kind, opening to closing",
    "productivity": "postings, reversals and manual actions by person and day; items "
                    "opened and closed, median time to close",
    "posting-audit": "every posting and manual action by person and day",
}

#: reports whose rows name patients or their claims (PHI): read_phi, audited reads
PATIENT_DATA: frozenset[str] = frozenset({"plb", "era-pdf", "credit-balances", "refunds"})

#: report -> the metavar of the one thing it is about (given as ``options["subject"]``)
SUBJECTS: dict[str, str] = {"era-pdf": "REMITTANCE"}


def describe_report(name: str) -> str:
    """What ``report list`` says of a report: its description, else the first paragraph
    of its function's docstring (a report registered without one still lists)."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    doc = (REPORTS[name].__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split())
