"""In a real browser: a refund above the refund limit takes two people.  The specialist
applies the demo's second payment of A75170C0000007 (a credit to refund), asks for the
refund on the credit's case screen, and it waits; the specialist cannot approve it; a lead
sees the Approvals badge, previews the approval and posts it, once."""

from __future__ import annotations

from typing import Any

import edi_posting
from tests.browser.workbench import (
    Browser,
    item_status,
    open_item_whose_message_has,
    post_previewed,
    preview_action,
)

PAID_TWICE = "A75170C0000007"  # the demo's claim paid twice and not recouped: 113.00
REFUND_LIMIT_CENTS = 100_00  # the credit (113.00) is above it


def _refunds(browser: Browser) -> list[dict[str, Any]]:
    journal = edi_posting.show_claim(browser.server.api(), PAID_TWICE)["journal"]
    return [row for row in journal if row["kind"] == "refund"]


def _credit_item(browser: Browser) -> int:
    """The credit_balance item the apply left (through the public API)."""
    items = edi_posting.list_queue(browser.server.api(), kind="credit_balance",
                                   claim=PAID_TWICE)
    assert len(items) == 1, items
    return int(items[0]["id"])


def _log_out(browser: Browser) -> None:
    browser.click("header.top form.who button[type=submit]")
    browser.wait_for(lambda _: browser.path().startswith("/login"), "the login form")


#: the approval's preview posted by hand, as a forged form would be: the status and page
_POST_PREVIEW = """
const [path, csrf, done] = arguments;
fetch(path, {method: 'POST', credentials: 'same-origin',
  body: new URLSearchParams({csrf_token: csrf, note: 'mine'})})
  .then(r => r.text().then(t => done([r.status, t])));
"""


#: the approval's post sent again with its spent token, as a replayed form would be
_POST_AGAIN = """
const [path, token, csrf, done] = arguments;
fetch(path, {method: 'POST', credentials: 'same-origin',
  body: new URLSearchParams({token: token, csrf_token: csrf})})
  .then(r => r.text().then(t => done([r.status, t])));
"""


def test_a_refund_above_the_limit_waits_for_a_lead_who_approves_it_once(
        browser: Browser) -> None:
    edi_posting.set_refund_limit(browser.server.api("ada"), REFUND_LIMIT_CENTS)
    browser.log_in("sam")
    open_item_whose_message_has(browser, f"claim payment {PAID_TWICE}")
    preview_action(browser, "apply")  # --claim and --confirm filled in: a credit to refund
    assert "would post" in browser.find("#preview ul.plan").text
    post_previewed(browser)
    credit = _credit_item(browser)
    browser.go(f"/case/{credit}")
    browser.wait_text("h1", "credit_balance")
    preview_action(browser, "refund", reason="paid twice, not recouped")
    browser.screenshot("refund-preview")
    assert "waits for approval" in post_previewed(browser)
    browser.find("main a[data-test=to-approvals]").click()
    waiting = browser.find("[data-test=approvals-yours] tr[data-test^='yours-']")
    approval = int(waiting.get_attribute("data-test").removeprefix("yours-"))
    assert "113.00" in waiting.text
    assert browser.find_all("form[data-test^='approve-']") == []  # no Approve for sam
    browser.screenshot("specialist-approvals")
    csrf = browser.present("header.top form.who input[name=csrf_token]").get_attribute("value")
    status, page = browser.driver.execute_async_script(
        _POST_PREVIEW, f"/approvals/{approval}/preview", csrf)
    assert status == 403 and "permission denied (approve)" in page, page
    refused = edi_posting.audit_log(browser.server.api(), actor="sam", action="queue.approve",
                                    object_id=str(approval))
    assert [e["outcome"] for e in refused] == ["refused"]
    assert _refunds(browser) == [] and item_status(browser.server, credit) == "open"
    _log_out(browser)

    browser.log_in("leo")
    badge = browser.find("#nav-approvals [data-test=approvals-badge]")
    assert badge.text == "1"
    browser.screenshot("lead-badge")
    browser.click("#nav-approvals")
    row = browser.find(f"tr[data-test='approval-{approval}']")
    assert "sam" in row.text and "113.00" in row.text
    row.find_element("css selector", f"#approve-{approval} button[type=submit]").click()
    plan = browser.find("#approval-preview [data-test=approval-preview]").text
    assert "refund" in plan
    browser.screenshot("approval-preview")
    assert _refunds(browser) == []  # the preview posted nothing
    token = browser.present("#approval-post-form input[name=token]").get_attribute("value")
    browser.click("#approval-post")
    assert "approv" in browser.find("[data-test=approval-result]").text
    browser.screenshot("approved")
    csrf = browser.present("header.top form.who input[name=csrf_token]").get_attribute("value")
    status, page = browser.driver.execute_async_script(  # the spent token replayed
        _POST_AGAIN, "/approvals/post", token, csrf)
    assert status == 200 and "Already posted" in page
    refunds = _refunds(browser)
    assert len({row["entry_id"] for row in refunds}) == 1
    assert {row["amount"] for row in refunds} == {"113.00", "-113.00"}
    assert item_status(browser.server, credit) == "resolved"
