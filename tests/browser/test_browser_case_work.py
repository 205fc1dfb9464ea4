"""In a real browser: a specialist works the demo day's items from the queue to closed,
each money action previewed (its dry-run entries on the screen) before it posts, and a
double click on Post posting once.  Each test works its own demo items, so the tests share
the module's demo day; the module's ``ledger check`` must stay clean."""

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


def _entries(browser: Browser, pcn: str, kind: str) -> set[int]:
    """The ids of the claim's journal entries of ``kind``, read through the public API."""
    journal = edi_posting.show_claim(browser.server.api(), pcn)["journal"]
    return {int(row["entry_id"]) for row in journal if row["kind"] == kind}


def _events(browser: Browser, item_id: int, action: str) -> list[dict[str, Any]]:
    events = edi_posting.show_queue_item(browser.server.api(), item_id)["events"]
    return [e for e in events if e["action"] == action]


def test_an_unmatched_payment_is_previewed_applied_and_shown_on_the_claim_timeline(
        browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "U42214C0000012")
    browser.wait_text("h1", "unmatched_payment")
    browser.screenshot("case")
    preview_action(browser, "apply")  # the claim (A42214C0000012) and --confirm filled in
    plan = browser.find("#preview ul.plan").text
    assert "would post apply: unapplied_cash 106.22; insurance_ar -106.22" in plan
    assert f"would leave review item {item} resolved at 0.00" in plan
    browser.screenshot("preview")
    assert item_status(browser.server, item) == "open"  # the preview wrote nothing
    assert _entries(browser, "A42214C0000012", "apply") == set()
    assert "applied 225.43 to claim A42214C0000012" in post_previewed(browser)
    browser.screenshot("posted")
    assert item_status(browser.server, item) == "resolved"
    browser.click(f"main a[href='/case/{item}']")
    browser.wait_text("h1 .badge.status", "resolved")
    browser.go("/claim/A42214C0000012")
    applied = browser.wait_text("table.timeline tr.what-apply", "apply")
    assert "sam" in applied.text
    assert len(_entries(browser, "A42214C0000012", "apply")) == 1
    browser.screenshot("claim-timeline")
    browser.click("dl.summary a[href^='/account/']")
    browser.wait_text("h1", "Account")
    browser.wait_text("table.timeline", "apply")
    browser.screenshot("account")


def test_a_double_click_on_a_money_actions_post_posts_it_once(browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "U85885C0000002")
    preview_action(browser, "apply")
    form = "#preview form.confirm"
    token = browser.present(f"{form} input[name=token]").get_attribute("value")
    csrf = browser.present(f"{form} input[name=csrf_token]").get_attribute("value")
    browser.driver.execute_script(  # two clicks in one go: faster than any person
        "const b = document.querySelector(arguments[0]); b.click(); b.click();",
        f"{form} button[type=submit]")
    assert "applied 96.77 to claim A85885C0000002" in browser.find("main ul.done").text
    replays = browser.driver.execute_async_script(_POST_TWICE, f"/case/{item}/post",
                                                  token, csrf)
    assert all("Already posted: " in page for page in replays), replays
    assert len(_entries(browser, "A85885C0000002", "apply")) == 1
    assert len(_events(browser, item, "apply")) == 1
    assert item_status(browser.server, item) == "resolved"
    browser.screenshot("posted-once")


#: the same post sent twice more with the spent token, as a replayed form would be
_POST_TWICE = """
const [path, token, csrf, done] = arguments;
const once = () => fetch(path, {method: 'POST', credentials: 'same-origin',
  body: new URLSearchParams({token: token, csrf_token: csrf})}).then(r => r.text());
Promise.all([once(), once()]).then(done);
"""


def test_a_denial_is_written_off_and_closed(browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "A48305C0000031")
    preview_action(browser, "write-off", reason="CO-50", note="not medically necessary")
    plan = browser.find("#preview ul.plan").text
    assert "would post write_off: other_adjustments 49.50; insurance_ar -49.50" in plan
    browser.screenshot("preview")
    post_previewed(browser)
    assert item_status(browser.server, item) == "resolved"
    assert len(_entries(browser, "A48305C0000031", "write_off")) == 1


def test_a_denial_is_transferred_to_another_payer_and_closed(browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "A78460C0000022")
    preview_action(browser, "transfer", payer="58550")
    assert "would post transfer" in browser.find("#preview ul.plan").text
    browser.screenshot("preview")
    post_previewed(browser)
    assert item_status(browser.server, item) == "resolved"
    assert len(_entries(browser, "A78460C0000022", "transfer")) == 1


def test_the_orphan_reversal_is_noted_then_escalated_to_a_lead(browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "A76616C0000029")
    preview_action(browser, "note", text="waiting for the payer, called 2025-03-10")
    assert "waiting for the payer" in browser.find("#preview section.preview").text
    post_previewed(browser)
    browser.go(f"/case/{item}")
    browser.wait_text("table.history", "waiting for the payer, called 2025-03-10")
    preview_action(browser, "escalate", note="no correction after two weeks")
    post_previewed(browser)
    browser.go(f"/case/{item}")
    browser.wait_text("h1 .badge.status", "escalated")
    browser.screenshot("escalated")
    assert [e["note"] for e in _events(browser, item, "note")] == [
        "waiting for the payer, called 2025-03-10"]


def test_an_unlinked_plb_is_kept_in_provider_adjustments_and_closed(browser: Browser) -> None:
    browser.log_in("sam")
    item = open_item_whose_message_has(browser, "PLB WO 21.16")
    preview_action(browser, "place-plb", note="no claim of ours")
    plan = browser.find("#preview ul.plan").text
    assert "kept in provider adjustments: no claim of ours" in plan
    post_previewed(browser)
    assert item_status(browser.server, item) == "resolved"
    browser.go("/queue?status=resolved&sort=newest")
    browser.wait_text("#results table.queue", "PLB WO 21.16")
    browser.screenshot("resolved-items")
