"""In a real browser: money coming in by other ways than the demo's own files, and what
reads it back.  A poster keys a paper EOB for a claim no 835 paid (live balancing, preview,
post, the claim's timeline), an admin uploads an 835 written here (and re-uploads a demo
file, which would post nothing), and runs a report and its CSV download.  Each test pays
its own claim, so the tests share the module's demo day."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

import edi_posting
from edi_posting.money import format_cents, parse_amount, to_cents
from tests.browser.workbench import REPO, Browser
from tests.x12build import build_x12

#: the demo's 835 of 2025-03-12 (ACME HEALTH PLAN): imported with the demo day
DEMO_835 = REPO / "fixtures" / "demo" / "835" / "0001-58550.835"


def _unpaid_one_line_claim(browser: Browser) -> dict[str, Any]:
    """A demo claim its payer answered with nothing paid (a denial: no payment entry on its
    journal) and one line, read through the public API: what the paper EOB pays."""
    api = browser.server.api()
    for item in edi_posting.list_queue(api, kind="denial", status="open"):
        claim = edi_posting.show_claim(api, item["patient_control_number"])
        kinds = {row["kind"] for row in claim["journal"]}
        if kinds == {"charge"} and len(claim["lines"]) == 1:
            return claim
    raise AssertionError("no unpaid one-line claim in the demo day")


def _key(browser: Browser, name: str, value: str) -> None:
    browser.type_into(f"#eob-form [name='{name}']", value)


def _key_eob(browser: Browser, claim: dict[str, Any], paid: str) -> None:
    """Key one check paying ``claim`` (its single line: charge - CO-45 10.00) with ``paid``
    as the claim's and the line's paid amount; the check's amount is the right one."""
    line = claim["lines"][0]
    charge = line["charge"]
    patient = claim["patient"]
    for name, value in (
            ("payer", claim["payer"]["identifier"]), ("check_number", "PAPER0415"),
            ("payment_date", "2025-04-15"), ("payment_amount", _less(charge, "10.00")),
            ("claims[0].pcn", claim["claim"]["patient_control_number"]),
            ("claims[0].status", "1"), ("claims[0].charge", charge),
            ("claims[0].patient_responsibility", "0"),
            ("claims[0].payer_claim_number", "PAPER-ICN-1"),
            ("claims[0].patient_name", f"{patient['last_name']}, {patient['first_name']}"),
            ("claims[0].lines[0].procedure", line["procedure"].removeprefix("HC:")),
            ("claims[0].lines[0].service_date", line["service_date"]),
            ("claims[0].lines[0].charge", charge), ("claims[0].lines[0].units", "1"),
            ("claims[0].lines[0].adjustments[0].group", "CO"),
            ("claims[0].lines[0].adjustments[0].carc", "45"),
            ("claims[0].lines[0].adjustments[0].amount", "10.00"),
            ("claims[0].lines[0].paid", _less(charge, "10.00")),
            ("claims[0].paid", paid)):
        _key(browser, name, value)


def _less(amount: str, minus: str) -> str:
    return format_cents(to_cents(parse_amount(amount)) - to_cents(parse_amount(minus)))


def test_a_keyed_paper_eob_balances_live_previews_posts_and_shows_on_the_claim(
        browser: Browser) -> None:
    claim = _unpaid_one_line_claim(browser)
    pcn = claim["claim"]["patient_control_number"]
    right = _less(claim["lines"][0]["charge"], "10.00")
    browser.log_in("pat")
    browser.click("#nav-eob")
    browser.find("#eob-form")
    _key_eob(browser, claim, paid=_less(right, "1.00"))  # a keying slip: 1.00 short
    off = browser.wait_text("[data-test='balance-claims[0]']", "difference")
    assert "off" in off.get_attribute("class").split()
    browser.screenshot("out-of-balance")
    _key(browser, "claims[0].paid", right)
    browser.wait_for(lambda _: "balances" in browser.find(
        "[data-test='balance-claims[0]']").text, "the claim balanced")
    browser.wait_text("[data-test='check-balance']", "balances")
    browser.screenshot("balanced")
    browser.click("#eob-preview")
    rehearsal = browser.wait_text("[data-test='eob-rehearsal']", pcn).text
    assert f"insurance_ar -{claim['lines'][0]['charge']}" in rehearsal
    assert f"cash_clearing {right}" in rehearsal
    browser.screenshot("preview")
    assert _payments(browser, pcn) == set()
    browser.click("#eob-post")
    assert "posted" in browser.find("[data-test='eob-posted']").text
    browser.screenshot("posted")
    browser.click(f"[data-test='eob-claims'] a[href='/claim/{pcn}']")
    row = browser.wait_text("table.timeline", "payment")
    assert "pat" in row.text
    browser.screenshot("claim-timeline")
    assert len(_payments(browser, pcn)) == 1


def _payments(browser: Browser, pcn: str) -> set[int]:
    journal = edi_posting.show_claim(browser.server.api(), pcn)["journal"]
    return {int(r["entry_id"]) for r in journal if r["kind"] == "payment"}


#: an 835 paying the demo's denied A85885C0000003 (ACME HEALTH PLAN) after all, at the
#: claim level: 334.00 charged, CO-45 34.00, 300.00 paid
_LATE_PAYMENT = (
    "BPR*I*300.00*C*CHK************20250415~\nTRN*1*CHK0415B*1235646772~\n"
    "DTM*405*20250415~\nN1*PR*ACME HEALTH PLAN~\nN3*PO BOX 1000~\n"
    "N4*HARRISBURG*PA*17101~\nN1*PE*QUILL FAMILY MEDICINE*XX*1617304864~\n"
    "REF*TJ*609300465~\nLX*1~\nCLP*A85885C0000003*1*334.00*300.00*0.00*12*0125000000099*11*1~\n"
    "NM1*QC*1*CORVO*SVEN****MI*M01140227553~\nCAS*CO*45*34.00~\n")


def _upload(browser: Browser, path: Path) -> Any:
    browser.go("/imports/upload")
    browser.present("#upload-form input[type=file]").send_keys(str(path))
    browser.click("#upload-preview")
    return browser.find("[data-test='upload-results']")


def test_an_uploaded_835_is_previewed_posted_and_listed_and_a_demo_file_again_posts_nothing(
        browser: Browser, tmp_path: Path) -> None:
    late = tmp_path / "late-payment.835"
    late.write_text(build_x12(_LATE_PAYMENT, interchange_control="000777001"))
    browser.log_in("ada")
    again = _upload(browser, DEMO_835).text
    assert "already imported: nothing would post" in again
    browser.screenshot("already-imported")
    preview = _upload(browser, late).text
    assert "late-payment.835 (835): would import" in preview
    assert "cash_clearing 300.00; contractual_adjustments 34.00; insurance_ar -334.00" in preview
    browser.screenshot("preview")
    assert _payments(browser, "A85885C0000003") == set()
    browser.click("#upload-post-button")
    browser.wait_text("[data-test='upload-results'] h2", "Imported")
    browser.screenshot("posted")
    assert len(_payments(browser, "A85885C0000003")) == 1
    browser.go("/imports")
    row = browser.wait_text("[data-test='file-row']", "late-payment.835")
    assert "imported" in row.text and "ada" in row.text
    browser.screenshot("imports")


def test_a_report_shows_its_tables_and_its_csv_download_answers(browser: Browser) -> None:
    browser.log_in("ada")
    browser.click("#nav-reports")
    browser.click("[data-test='report-denials'] a")
    browser.wait_for(lambda _: browser.path().startswith("/reports/denials"), "the report")
    browser.driver.execute_script(  # the demo's month (a date box types by locale)
        "const f = document.querySelector('#report-query');"
        "f.elements['from'].value = '2025-03-01'; f.elements['to'].value = '2025-04-30';")
    browser.click("#report-run")
    browser.wait_for(lambda _: "from=2025-03-01" in browser.path(), "the range asked")
    table = browser.find("#report-result table.report")
    assert "Contractual Obligations" in table.text  # the demo's denials by CARC
    assert "denials" in browser.find("[data-test='report-summary']").text
    browser.screenshot("denials")
    link = browser.find("[data-test='download-csv']").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.driver.get_cookies())
    request = urllib.request.Request(link, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=20) as answer:  # the live server, on loopback
        assert answer.status == 200
        assert "attachment" in answer.headers["Content-Disposition"]
        body = answer.read().decode()
    shown = [c for c in table.text.split() if c.count(".") == 1 and c[0].isdigit()]
    assert shown and all(amount in body for amount in shown)  # the same money as shown
