"""In a real browser: the demo's bank file uploaded and reconciled on ``/reconcile``, each
step previewed before it posts, and a deposit no remittance met worked to closed from its
case page.  The tests of this module run in order on its demo day (the second, run alone,
imports and reconciles the bank file itself)."""

from __future__ import annotations

import edi_posting
from tests.browser.workbench import (
    Browser,
    import_bank_file,
    item_status,
    post_previewed,
    preview_action,
    reconcile_all,
)

DEMO_DEPOSITS = 12  # the lines of fixtures/demo/bank/deposits.bai
DEMO_MATCHES = 13  # remittances the demo's deposits meet (one deposit pays four: bulk)


def test_the_demo_bank_file_is_imported_and_reconciled_and_the_pairs_are_shown(
        browser: Browser) -> None:
    browser.log_in("ada")
    imported = import_bank_file(browser)
    assert f"{DEMO_DEPOSITS}" in imported and "deposits.bai" in imported
    assert len(edi_posting.list_deposits(browser.server.api())) == DEMO_DEPOSITS
    reconciled = reconcile_all(browser)
    assert f"posted {DEMO_MATCHES} match(es)" in reconciled
    browser.screenshot("reconciled")
    browser.go("/reconcile")
    browser.wait_text("#matched h2", f"Matched ({DEMO_MATCHES})")
    assert len(browser.find_all("#matched tr[data-test^='match-']")) == DEMO_MATCHES
    assert "trace" in browser.find("#matched").text and "bulk" in browser.find("#matched").text
    browser.screenshot("matched-pairs")


def test_a_lonely_deposit_is_matched_to_the_remittance_it_met_and_the_rest_received(
        browser: Browser) -> None:
    browser.log_in("ada")
    if not edi_posting.list_deposits(browser.server.api()):  # run alone: as the test above
        import_bank_file(browser)
        reconcile_all(browser)
    browser.go("/reconcile")
    link = browser.find("#unmatched-deposits a[data-test^='item-']")
    assert "lonely_deposit" in link.text
    item = int(link.get_attribute("data-test").removeprefix("item-"))
    link.click()
    browser.wait_text("h1", "lonely_deposit")
    browser.screenshot("lonely-deposit")
    remit = browser.present("form.action:has(input[name=verb][value='match']) "
                            "input[name=f_remit]").get_attribute("value")
    preview_action(browser, "match")
    assert "would post match_deposit" in browser.find("#preview ul.plan").text
    browser.screenshot("match-preview")
    post_previewed(browser)
    assert item_status(browser.server, item) == "open"  # more money than that remittance
    browser.go(f"/case/{item}")
    preview_action(browser, "receive")
    assert "would post receive_deposit" in browser.find("#preview ul.plan").text
    post_previewed(browser)
    assert item_status(browser.server, item) == "resolved"
    browser.go(f"/remittances/{remit}")
    deposit = browser.find("#remittance-deposits").text
    assert "Not met by a deposit yet." not in deposit
    browser.screenshot("remittance-deposit")
    shown = edi_posting.show_remittance(browser.server.api(), remit)
    assert shown["deposits"]
