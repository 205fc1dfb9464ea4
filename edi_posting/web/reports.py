"""The report pages: the catalogue of ``edi-posting report``, each report as HTML tables
with its charts, and a download in every format the CLI writes.

Thin over the API, like ``cli/report.py``: ``run_report`` checks the permission and
audits a report of patient data as a PHI read, ``report_page`` lays the report out as
the table renderer prints it, ``download_report`` checks ``export`` and records the
download.  The query string is what the CLI's options are (``from``, ``to``, ``payer``,
and ``subject``: the remittance of ``era-pdf``); a wrong one is a 400 page saying why.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

import edi_posting
from edi_posting.web.auth import api_session, current_login
from edi_posting.web.params import day

__all__ = ["MAX_ROWS", "blueprint"]

blueprint = Blueprint("reports", __name__)

#: rows a section shows on the page; the download holds them all
MAX_ROWS = 500
_ASKED = ("from", "to", "payer", "subject")


@blueprint.route("/reports")
def catalogue() -> Any:
    """Every report the user's role may run: its name, what it answers, its parameters."""
    login = current_login()
    reports = [r | {"may": login.may("read_phi" if r["patient_data"] else "read_ledger")}
               for r in edi_posting.list_reports()]
    return render_template("reports.html", reports=[r for r in reports if r["may"]])


@blueprint.route("/reports/<name>")
def report(name: str) -> Any:
    """The report for the query string, as tables (each cut at ``MAX_ROWS``)."""
    ran = _run(name)
    max_rows = int(current_app.config.get("EDI_POSTING_REPORT_ROWS", MAX_ROWS))
    page = edi_posting.report_page(ran, max_rows)
    asked = _asked()
    return render_template(
        "report.html", page=page, asked=asked, formats=list(edi_posting.DOWNLOAD_FORMATS),
        subject=_subject_of(name), may_export=current_login().may("export"),
        chart_url=lambda n: _url("reports.chart", name=name, number=n, **asked),
        download_url=lambda f: _url("reports.download", name=name, format=f, **asked))


@blueprint.route("/reports/<name>/chart/<int:number>.png")
def chart(name: str, number: int) -> Any:
    """Chart ``number`` (from 1) of the report as a PNG (the report is run again, and
    audited again when it holds patient data: each image is a read)."""
    png = edi_posting.report_chart(_run(name), number)
    return Response(png, mimetype="image/png")


@blueprint.route("/reports/<name>/download")
def download(name: str) -> Any:
    """The whole report as a file: ``format`` csv, json, xlsx or pdf."""
    fmt = request.args.get("format", "")
    got = edi_posting.download_report(api_session(), name, fmt, _query(),
                                      request.args.get("subject") or None)
    response = Response(got.content, content_type=got.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{got.filename}"'
    return response


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, **values)


def _run(name: str) -> edi_posting.Report:
    try:
        return edi_posting.run_report(api_session(), name, _query(),
                                      request.args.get("subject") or None)
    except edi_posting.AmbiguousRemittanceError as exc:
        abort(400, str(exc))


def _query() -> edi_posting.ReportQuery:
    args = request.args
    return edi_posting.ReportQuery(day(args.get("from"), "from"), day(args.get("to"), "to"),
                                   (args.get("payer") or "").strip() or None)



def _asked() -> dict[str, str]:
    return {k: v for k in _ASKED if (v := request.args.get(k, "").strip())}


def _subject_of(name: str) -> str | None:
    """What the report is about (``REMITTANCE`` for era-pdf), or None."""
    for listed in edi_posting.list_reports():
        if listed["name"] == name:
            return str(listed["subject"]) if listed["subject"] else None
    return None
