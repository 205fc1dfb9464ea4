"""The report pages of the web workbench: the catalogue, every report as HTML tables for
every role that may run it (a report of patient data audited as a PHI read), its charts
as PNGs, and downloads in each format the CLI writes (``export``, each one audited)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

import edi_posting
from tests.test_web_login import Web, web  # noqa: F401  (the fixture)
from tests.test_web_screens import ROLES, _unmatched
from tests.x835 import Practice, clp, remit, svc

MAY_EXPORT = {"ada", "sam", "leo", "aud"}  # the poster imports and reads, never exports


def _remittance(as_user: Any) -> str:
    return str(edi_posting.list_remittances(as_user("ada"))[0]["id"])


def _path(name: str, remittance: str) -> str:
    return f"/reports/{name}" + (f"?subject={remittance}" if name == "era-pdf" else "")


@pytest.mark.parametrize("name", ROLES)
def test_every_role_sees_the_catalogue_and_every_report_it_may_run_renders(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    _unmatched(practice)
    remittance = _remittance(as_user)
    client = web.login(name)
    catalogue = client.get("/reports")
    assert catalogue.status_code == 200
    for report in edi_posting.list_reports():
        assert f'data-test="report-{report["name"]}"' in catalogue.text
        page = client.get(_path(report["name"], remittance))
        assert page.status_code == 200, (report["name"], page.text)
        assert 'id="report-result"' in page.text
        if report["patient_data"]:
            subject = remittance if report["subject"] else None
            assert web.audited(f"report.{report['name']}")[-1] == (name, "ok", subject)
    assert ('data-test="download-xlsx"' in client.get("/reports/era").text) is (
        name in MAY_EXPORT)


def test_the_era_report_shows_its_summary_and_rows_with_money_right_aligned(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _unmatched(practice)
    page = web.login("sam").get("/reports/era?from=2000-01-01&payer=acme").text
    assert "(from 2000-01-01, to today, payer acme)" in page
    assert '<td class="num">64.00</td>' in page
    assert "<dt>payment</dt><dd>64.00</dd>" in page
    assert 'data-test="section-' in page and "<th class=\"num\">" in page
    assert 'href="/reports/era/download?format=csv&amp;from=2000-01-01&amp;payer=acme"' in page


def test_a_section_longer_than_the_cap_shows_its_first_rows_and_says_so(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _unmatched(practice)
    practice.receive(remit("10", clp("PCNX", "1", "10", "10", "0", "ICNX",
                                     svc("99213", "10", "10")), trace="TRACE-X"))
    web.app.config["EDI_POSTING_REPORT_ROWS"] = 1
    page = web.login("sam").get("/reports/era").text
    assert "Showing the first 1 of 2 rows: download the report for all of them." in page


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/reports/nope", 400, "no report named &#39;nope&#39;"),
    ("/reports/era-pdf", 400, "report era-pdf needs REMITTANCE"),
    ("/reports/era?subject=1", 400, "report era takes no argument"),
    ("/reports/era?from=2026-13-01", 400, "from: &#39;2026-13-01&#39; is not a date"),
    ("/reports/era?from=2026-03-02&to=2026-03-01", 400, "--from 2026-03-02 is after --to"),
    ("/reports/era-pdf?subject=999", 404, "999"),
    ("/reports/era/download?format=table", 400, "format &#39;table&#39;: one of csv"),
    ("/reports/era/chart/9.png", 404, "report era has no chart 9"),
])
def test_a_report_asked_for_wrongly_is_a_page_saying_why_not_a_traceback(
        web: Web, practice: Practice, path: str, status: int, says: str) -> None:  # noqa: F811
    _unmatched(practice)
    response = web.login("sam").get(path)
    assert response.status_code == status, response.text
    assert says in response.text


def test_a_user_disabled_since_logging_in_is_refused_403_and_the_refusal_audited(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    _unmatched(practice)
    client = web.login("aud")
    edi_posting.disable_user(as_user("ada"), "aud")
    for path in ("/reports/plb", "/reports/era", "/reports/era/download?format=csv"):
        assert client.get(path).status_code == 403, path
    assert web.audited("report.plb") == [("aud", "refused", None)]
    assert web.audited("report.era") == [("aud", "refused", None)]
    assert web.audited("report.download") == [("aud", "refused", "era")]


def test_a_chart_is_served_as_a_png(web: Web, practice: Practice) -> None:  # noqa: F811
    _unmatched(practice)
    client = web.login("leo")
    page = client.get("/reports/era").text
    assert '<img src="/reports/era/chart/1.png"' in page
    png = client.get("/reports/era/chart/1.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("name", ROLES)
def test_downloads_have_their_type_and_bytes_for_the_roles_that_export(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    _unmatched(practice)
    remittance = _remittance(as_user)
    client = web.login(name)
    got = {fmt: client.get(f"/reports/era/download?format={fmt}")
           for fmt in ("csv", "json", "xlsx", "pdf")}
    advice = client.get(f"/reports/era-pdf/download?format=pdf&subject={remittance}")
    if name not in MAY_EXPORT:
        assert {r.status_code for r in [*got.values(), advice]} == {403}
        assert web.audited("report.download") == [(name, "refused", "era")] * 4 + [
            (name, "refused", "era-pdf")]
        assert web.audited("report.era-pdf") == []  # refused before the report ran
        return
    for fmt, response in got.items():
        assert response.status_code == 200, response.text
        assert response.headers["Content-Disposition"] == f'attachment; filename="era.{fmt}"'
        assert response.headers["Cache-Control"] == "no-store"
    assert got["csv"].content_type == "text/csv; charset=utf-8"
    assert got["csv"].text.startswith("section,")
    assert json.loads(got["json"].text)["report"] == "era"
    assert got["pdf"].content_type == "application/pdf" and got["pdf"].data[:4] == b"%PDF"
    assert got["xlsx"].content_type.endswith("spreadsheetml.sheet")
    _assert_workbook(got["xlsx"].data)
    assert advice.data[:4] == b"%PDF"
    assert advice.headers["Content-Disposition"] == (
        f'attachment; filename="era-pdf-{remittance}.pdf"')
    assert web.audited("report.download") == [(name, "ok", "era")] * 4 + [
        (name, "ok", "era-pdf")]
    assert web.audited("report.era-pdf") == [(name, "ok", remittance)]


def _assert_workbook(data: bytes) -> None:
    assert data[:2] == b"PK"
    try:
        import openpyxl
    except ImportError:  # pragma: no cover: the zip signature is checked above
        assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        return
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert "Summary" in book.sheetnames
