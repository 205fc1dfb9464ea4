"""Issue 27's "done when", in a real browser: after the demo's bank file is imported and
reconciled on ``/reconcile``, a specialist works every open item of the demo day to closed
from its case page (an action that closes it, previewed, then posted), a lead approves
in ``/approvals`` what waited for a second person (refunds and returns above the refund
limit), and at the end the work queue has nothing open and ``ledger check`` is clean."""

from __future__ import annotations

import edi_posting
from tests.browser.workbench import (
    Browser,
    import_bank_file,
    post_previewed,
    preview_action,
    queue_rows,
    reconcile_all,
)

#: the demo's payers (name as the queue shows it -> identifier): a denial is billed to
#: the other one (coordination of benefits)
PAYERS = {"ACME HEALTH PLAN": "58550", "BLUE MEADOW INSURANCE": "59200"}
#: a silent ERA takes the deposit that met it before that deposit is received as a whole
FIRST = ("silent_era",)
LAST = ("lonely_deposit",)
MAX_ROUNDS = 4  # the specialist's pass, then the lead's approvals, again while any is left


def _other_payer(row: dict[str, str]) -> str:
    return next(ident for name, ident in PAYERS.items() if name != row["Payer"])


def _preview_closing_action(browser: Browser, row: dict[str, str]) -> None:
    """Fill and preview the action that closes the item of ``row`` (its case is open)."""
    kind = row["Kind"]
    if kind == "denial":
        preview_action(browser, "transfer", payer=_other_payer(row))
    elif kind == "unmatched_payment":
        try:  # the case names the claim it pays (a fallback candidate, a duplicate)
            preview_action(browser, "apply")
        except AssertionError:  # money with no claim of ours: it goes back
            preview_action(browser, "return", reason="not ours: no claim of the practice")
    elif kind in ("orphan_reversal", "silent_era", "lonely_deposit", "balancing_failure",
                  "unlinked_plb", "credit_balance", "awaiting_correction"):
        verb, fields = {
            "orphan_reversal": ("apply", {}), "silent_era": ("match", {}),
            "lonely_deposit": ("receive", {}),
            "balancing_failure": ("post-as-sent", {"reason": "payer's arithmetic, 1.00"}),
            "unlinked_plb": ("place-plb", {"note": "no claim of ours"}),
            "credit_balance": ("refund", {"reason": "paid twice, not recouped"}),
            "awaiting_correction": ("dismiss", {"reason": "no correction will come"}),
        }[kind]
        preview_action(browser, verb, **fields)
    else:
        offered = [v.get_attribute("value")
                   for v in browser.find_all("form.action input[name=verb]")]
        raise AssertionError(f"no closing action known for {kind} (it offers {offered})")


def _specialists_pass(browser: Browser) -> list[str]:
    """Work every open item once; what each post said."""
    done: list[str] = []
    waiting: set[str] = set()
    while True:
        browser.go("/queue?sort=newest")
        browser.find("#results p.count")
        rows = [r for r in queue_rows(browser) if r["href"] not in waiting]
        if not rows:
            return done
        rows.sort(key=lambda r: (r["Kind"] not in FIRST, r["Kind"] in LAST, r["href"]))
        row = rows[0]
        browser.go(row["href"])
        browser.wait_text("h1", row["Kind"])
        _preview_closing_action(browser, row)
        said = post_previewed(browser)
        done.append(f"{row['Kind']} {row['href']}: {said}")
        if "waits for approval" in said:
            waiting.add(row["href"])


def _leads_approvals(browser: Browser) -> int:
    """Approve, as the lead, everything that waits; how many."""
    approved = 0
    while True:
        browser.go("/approvals")
        browser.find("[data-test=approvals-for-you]")
        forms = browser.find_all("form[data-test^='approve-']")
        if not forms:
            return approved
        forms[0].find_element("css selector", "button[type=submit]").click()
        browser.find("#approval-preview [data-test=approval-preview]")
        browser.click("#approval-post")
        browser.find("[data-test=approval-result]")
        approved += 1


def _log_out(browser: Browser) -> None:
    browser.click("header.top form.who button[type=submit]")
    browser.wait_for(lambda _: browser.path().startswith("/login"), "the login form")


def test_the_whole_demo_queue_is_worked_to_empty_in_the_browser(browser: Browser) -> None:
    browser.log_in("ada")
    import_bank_file(browser)
    reconcile_all(browser)
    _log_out(browser)
    worked: list[str] = []
    for _ in range(MAX_ROUNDS):
        browser.log_in("sam")
        worked += _specialists_pass(browser)
        browser.screenshot("after-specialist")
        _log_out(browser)
        browser.log_in("leo")
        approved = _leads_approvals(browser)
        _log_out(browser)
        if not approved:
            break
    browser.log_in("sam")
    assert browser.find("#results p.count").text.startswith("0 items"), worked
    assert queue_rows(browser) == []
    browser.screenshot("empty-queue")
    api = browser.server.api()
    assert edi_posting.list_queue(api) == [], worked
    assert edi_posting.check_ledger(api).violations == []
