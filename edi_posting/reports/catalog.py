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
from edi_posting.reports.plb_report import plb_report
from edi_posting.reports.report_model import ReportFunction

__all__ = ["DESCRIPTIONS", "PATIENT_DATA", "REPORTS", "SUBJECTS", "SUBJECT_OPTION", "describe_report"]

REPORTS: dict[str, ReportFunction] = {
    "era": era_report,
    "plb": plb_report,
    "era-pdf": era_pdf_report,
}

#: what ``report list`` and ``report --help`` say of each (the function's docstring else)
DESCRIPTIONS: dict[str, str] = {
    "era": "per check/EFT: BPR02, sum of CLP04, PLB, claims paid/denied/reversed/held, "
           "balanced, posted and unapplied",
    "plb": "provider-level adjustments by reason and reference, with their link status",
    "era-pdf": "one check/EFT as a printable remittance advice (claims, lines, "
               "adjustments described, PLB)",
}

#: reports whose rows name patients or their claims (PHI): read_phi, audited reads
PATIENT_DATA: frozenset[str] = frozenset({"plb", "era-pdf"})

#: report -> the metavar of the one thing it is about (given as ``options["subject"]``)
SUBJECTS: dict[str, str] = {"era-pdf": "REMITTANCE"}


def describe_report(name: str) -> str:
    """What ``report list`` says of a report: its description, else the first paragraph
    of its function's docstring (a report registered without one still lists)."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    doc = (REPORTS[name].__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split())
