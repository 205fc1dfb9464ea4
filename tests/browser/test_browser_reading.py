"""In a real browser: logging in, the work queue's filters and search, the idle logoff, and
the auditor's read-only case.  Nothing here writes to the ledger, so the tests share the
module's demo day in any order."""

from __future__ import annotations

from tests.browser.workbench import IDLE_SECONDS, Browser, queue_rows

#: the demo day's open items after import (README "demo": 9 open review items)
DEMO_OPEN_ITEMS = 9
DENIED_PCN = "A85885C0000003"  # the demo's denial, item 3 (CO-197)


def test_a_person_logs_in_and_sees_the_work_queue(browser: Browser) -> None:
    browser.log_in("sam")
    assert browser.find("header.top form.who span").text == "sam"
    assert browser.find("#results p.count").text.startswith(f"{DEMO_OPEN_ITEMS} items")
    rows = queue_rows(browser)
    assert len(rows) == DEMO_OPEN_ITEMS
    assert {"denial", "unmatched_payment", "orphan_reversal"} <= {r["Kind"] for r in rows}
    browser.screenshot("queue")


def test_a_wrong_password_is_refused_and_the_queue_stays_closed(browser: Browser) -> None:
    browser.submit_login("sam", "not the password")
    assert "the name or the password is wrong" in browser.find("p.error").text
    browser.screenshot("refused")
    browser.go("/queue")
    browser.wait_for(lambda _: browser.path() == "/login", "the login form")
    assert browser.find_all("#results") == []


def test_the_queue_filters_by_kind_and_searches_by_pcn(browser: Browser) -> None:
    browser.log_in("sam")
    _choose(browser, "kind", "denial")
    browser.click("form.filters button[type=submit]")
    browser.wait_for(lambda _: "kind=denial" in browser.path(), "the filter in the URL")
    browser.wait_for(lambda _: {r["Kind"] for r in queue_rows(browser)} == {"denial"},
                     "only denials listed")
    assert len(queue_rows(browser)) == 3
    browser.screenshot("denials")
    _choose(browser, "kind", "")
    browser.type_into("form.filters input[name=q]", DENIED_PCN)
    _choose(browser, "by", "pcn")
    browser.click("form.filters button[type=submit]")
    browser.wait_for(lambda _: [r["PCN"] for r in queue_rows(browser)] == [DENIED_PCN],
                     f"only {DENIED_PCN} listed")
    assert f"q={DENIED_PCN}" in browser.path()
    browser.screenshot("search")


def test_an_idle_login_is_logged_off_and_the_next_click_lands_on_the_login_page(
        browser: Browser) -> None:
    browser.log_in("sam")
    browser.server.clock.advance(IDLE_SECONDS - 60)
    browser.click("header.top nav a[href='/queue?mine=1']")  # a click restarts the idle time
    browser.wait_for(lambda _: "mine=1" in browser.path(), "my items")
    browser.server.clock.advance(IDLE_SECONDS + 1)
    browser.click("header.top nav a[href='/queue']")
    browser.wait_for(lambda _: browser.path() == "/login?idle=1", "the login form")
    assert "logged off after a time without activity" in browser.find("p.notice").text
    browser.screenshot("idle-logoff")
    browser.go("/queue")
    browser.wait_for(lambda _: browser.path() == "/login", "the login form again")


def test_an_idle_login_filtering_the_queue_gets_the_whole_login_page_not_a_fragment(
        browser: Browser) -> None:
    browser.log_in("leo")
    browser.server.clock.advance(IDLE_SECONDS + 1)
    browser.click("form.filters button[type=submit]")  # an HTMX request: HX-Redirect
    browser.wait_for(lambda _: browser.path() == "/login?idle=1", "the login form")
    assert "logged off after a time without activity" in browser.find("p.notice").text
    assert browser.find_all("#results") == [] and browser.find("h1").text == "Log in"


def test_the_keys_j_and_enter_open_the_selected_item_of_the_queue(browser: Browser) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.log_in("sam")
    first, second = queue_rows(browser)[:2]
    body = browser.find("body")
    body.send_keys("j")
    browser.wait_for(lambda _: browser.find_all("table.queue tbody tr.selected"), "a row selected")
    body.send_keys("j", "j", "k", Keys.ENTER)
    browser.wait_for(lambda _: browser.path() == second["href"], f"{second['href']} opened")
    assert first["href"] != second["href"]
    browser.wait_text("h1", "Review item")


def test_the_auditor_sees_the_case_with_no_action_buttons(browser: Browser) -> None:
    browser.log_in("aud")
    browser.go("/queue?q=" + DENIED_PCN)
    rows = queue_rows(browser)
    assert [r["PCN"] for r in rows] == [DENIED_PCN]
    assert browser.find_all("#results input[name=item]") == []  # no bulk assign
    browser.click(f"#results a[href='{rows[0]['href']}']")
    browser.wait_text("h1", "denial")
    assert "Read only: your role cannot act on items." in browser.find("p.readonly").text
    assert browser.find_all("form.action") == []
    assert browser.find_all("main button") == []
    assert "CO-197" in browser.text()
    browser.screenshot("auditor-case")


def _choose(browser: Browser, name: str, value: str) -> None:
    """Pick the option whose value (or, for an option without one, whose text) is ``value``."""
    from selenium.common.exceptions import NoSuchElementException
    from selenium.webdriver.support.ui import Select

    select = Select(browser.find(f"form.filters select[name={name}]"))
    try:
        select.select_by_value(value)
    except NoSuchElementException:
        select.select_by_visible_text(value)
