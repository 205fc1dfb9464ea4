"""What the browser tests drive: the real workbench served by waitress on loopback, its
clock in the test's hands, and a headless Chromium (Debian's, through Debian's
chromedriver) with helpers that wait for what a page shows, never for a fixed time.

The fixtures that build these are in ``conftest.py`` beside this file (its docstring says
how to add a test).
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import edi_posting

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("EDI_POSTING_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("EDI_POSTING_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
#: without the background-networking flags Chromium calls home, which this network refuses
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,1000")
PASSWORD = "correct horse {}"  # as tests/test_web_login.py: each user's own
WAIT_SECONDS = 20  # not money: the longest any page may take to show what a test waits for
MAX_SHOT_HEIGHT = 6000  # a screenshot's pixels at most, however long the page
IDLE_SECONDS = 15 * 60  # not money: the workbench's default idle logoff


def artifacts_dir() -> Path:
    """Where screenshots go: ``EDI_POSTING_TEST_ARTIFACTS`` or ``test-artifacts/browser/``."""
    configured = os.environ.get("EDI_POSTING_TEST_ARTIFACTS")
    return Path(configured) if configured else REPO / "test-artifacts" / "browser"


class Clock:
    """The server's clock (``WebSettings.clock``): it stands still until a test moves it,
    so that an idle logoff happens when the test says and never by accident."""

    def __init__(self, start: float = 1_000_000.0) -> None:  # not money: seconds
        self.now = start

    def __call__(self) -> float:  # not money: seconds
        return self.now

    def advance(self, seconds: float) -> None:  # not money: seconds
        self.now += seconds


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` under waitress on 127.0.0.1 at a free port, in a background thread; the base
    URL while it runs."""
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-browser-tests", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # close every channel (the listener, the trigger and the browser's keep-alive
        # connections) in the server's own loop: an empty map ends its loop at once,
        # where closing the listener alone leaves it serving those connections
        server.trigger.pull_trigger(lambda: [c.close() for c in list(server._map.values())])
        thread.join(timeout=10)
        assert not thread.is_alive(), "the workbench's server did not stop"


@dataclass
class LiveServer:
    """The running workbench over a database holding the demo day and one user per role
    (tests/conftest.py ``USERS``, each with the password ``PASSWORD.format(name)``)."""

    backend: str
    database_url: str
    url: str
    clock: Clock
    engine_session: edi_posting.Session
    _sessions: dict[str, edi_posting.Session] = field(default_factory=dict)

    def api(self, name: str = "ada") -> edi_posting.Session:
        """The public API as ``name``, on the same database, to check what a click wrote."""
        if name not in self._sessions:
            self._sessions[name] = edi_posting.Session(self.engine_session.engine,
                                                       claimed_actor=name)
        return self._sessions[name]


class Browser:
    """One test's Chromium tab on the live server (a fresh cookie jar: nobody logged in)."""

    def __init__(self, driver: Any, server: LiveServer, shots: Path, test_name: str) -> None:
        self.driver = driver
        self.server = server
        self._shots = shots
        self._test = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        for earlier in shots.glob(f"{self._test}-*.png"):  # a run before this one's
            earlier.unlink()

    # --- moving around ---------------------------------------------------------------------

    def go(self, path: str) -> None:
        self.driver.get(self.server.url + path)

    def path(self) -> str:
        """The page's path and query, without the server's address."""
        return str(self.driver.current_url).removeprefix(self.server.url)

    def log_in(self, name: str, password: str | None = None) -> None:
        """Log in through the form as ``name`` and wait for the work queue."""
        self.submit_login(name, PASSWORD.format(name) if password is None else password)
        self.wait_for(lambda _: self.path().startswith("/queue"), f"{name}'s work queue")
        self.wait_text("h1", "Work queue")

    def submit_login(self, name: str, password: str) -> None:
        self.go("/login")
        self.type_into("form.login input[name=name]", name)
        self.type_into("form.login input[name=password]", password)
        self.click("form.login button[type=submit]")

    # --- finding and waiting ---------------------------------------------------------------

    def wait_for(self, condition: Callable[[Any], Any], what: str) -> Any:
        """Wait (at most ``WAIT_SECONDS``) until ``condition(driver)`` is truthy."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(self.driver, WAIT_SECONDS,
                             ignored_exceptions=[StaleElementReferenceException])
        return wait.until(condition, f"waited {WAIT_SECONDS} s for {what} on {self.path()}")

    def find(self, css: str) -> Any:
        """The first element ``css`` selects, once it is visible."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait_for(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), css)

    def present(self, css: str) -> Any:
        """The first element ``css`` selects, once it is in the page (shown or hidden)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait_for(ec.presence_of_element_located((By.CSS_SELECTOR, css)), css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def wait_text(self, css: str, text: str) -> Any:
        """The first element ``css`` selects whose text contains ``text``, once it does."""
        from selenium.webdriver.common.by import By

        def shown(driver: Any) -> Any:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return element
            return None

        return self.wait_for(shown, f"{text!r} in {css}")

    def type_into(self, css: str, text: str) -> None:
        box = self.find(css)
        box.clear()
        box.send_keys(text)

    def click(self, css: str) -> None:
        self.find(css).click()

    def text(self) -> str:
        return str(self.find("main").text)

    # --- keeping what the screen showed ----------------------------------------------------

    def screenshot(self, name: str) -> Path:
        """Save the whole page, not only what the window shows, as
        ``<artifacts>/<test>-<backend>-<name>.png`` (kept by CI)."""
        self._shots.mkdir(parents=True, exist_ok=True)
        target = self._shots / f"{self._test}-{name}.png"
        page = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": page["width"], "scale": 1,
                "height": min(page["height"], MAX_SHOT_HEIGHT)}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "clip": clip})
        target.write_bytes(base64.b64decode(shot["data"]))
        return target


# --- the screens' own helpers -------------------------------------------------------------

_ROWS_JS = """
const heads = Array.from(document.querySelectorAll('#results table.queue thead th'))
  .map(th => th.textContent.trim());
return Array.from(document.querySelectorAll('#results table.queue tbody tr')).map(tr => {
  const row = {href: tr.dataset.href};
  Array.from(tr.cells).forEach((td, i) => { if (heads[i]) row[heads[i]] = td.textContent.trim(); });
  return row;
});
"""


def queue_rows(browser: Browser) -> list[dict[str, str]]:
    """The queue page's rows as the person sees them (column heading -> text), read in one
    go so that an HTMX swap in between cannot leave half of an old table."""
    return list(browser.driver.execute_script(_ROWS_JS))


def open_item_whose_message_has(browser: Browser, words: str) -> int:
    """Open, from the work queue, the item whose "Why" names ``words``; its id."""
    browser.go("/queue?sort=newest")
    rows = [r for r in queue_rows(browser) if words in r.get("Why", "")]
    assert len(rows) == 1, f"{words!r} in the queue: {rows}"
    browser.click(f"#results a[href='{rows[0]['href']}']")
    browser.wait_for(lambda _: browser.path() == rows[0]["href"], rows[0]["href"])
    browser.find("h1")
    return int(rows[0]["href"].rsplit("/", 1)[1])


def preview_action(browser: Browser, verb: str, **fields: str) -> Any:
    """Fill the case's ``verb`` form (``fields``: option name -> value, a dash in the name
    written ``_``) and ask for its preview; the preview's button once it shows.  Where the
    case offers a verb several times (``transfer --to patient`` and ``--to payer --payer
    IDENT``), the form is the first whose fields to type are exactly those given."""
    given = {f"f_{name.replace('_', '-')}": value for name, value in fields.items()}
    browser.find("form.action")
    for form in browser.find_all(f"form.action:has(input[name=verb][value='{verb}'])"):
        boxes = {box.get_attribute("name"): box for box in form.find_elements(
            "css selector", "input[name^='f_']:not([type=hidden])")}
        to_type = {name for name, box in boxes.items() if not box.get_attribute("value")}
        if to_type <= set(given) <= set(boxes):
            break
    else:
        raise AssertionError(f"no {verb} form with the fields {sorted(given)}")
    for name, value in given.items():
        boxes[name].clear()
        boxes[name].send_keys(value)
    form.find_element("css selector", "button[type=submit]").click()
    return browser.find("#preview section.preview form.confirm button[type=submit]")


def post_previewed(browser: Browser) -> str:
    """Press the preview's button once; the text of what the post did."""
    browser.click("#preview section.preview form.confirm button[type=submit]")
    return str(browser.find("main ul.done").text)


def item_status(server: LiveServer, item_id: int) -> str:
    return str(edi_posting.show_queue_item(server.api(), item_id)["status"])


DEMO_BANK_FILE = REPO / "fixtures" / "demo" / "bank" / "deposits.bai"


def import_bank_file(browser: Browser, path: Path = DEMO_BANK_FILE) -> str:
    """On ``/reconcile``, upload ``path`` (the file box typed into, as a person picks the
    file), preview it and import it; the text of what the import did."""
    browser.go("/reconcile")
    browser.present("#bank-upload input[type=file]").send_keys(str(path))
    browser.click("#bank-upload button[data-test=preview-upload]")
    browser.find("#reconcile-preview [data-test=bank-upload]")
    browser.screenshot("bank-preview")
    browser.click("#reconcile-preview button[data-test=post-upload]")
    return str(browser.find("[data-test=bank-posted] ul.done").text)


def reconcile_all(browser: Browser) -> str:
    """On ``/reconcile`` (every day), preview the reconciliation and post it; the text of
    what it posted."""
    browser.go("/reconcile")
    browser.click("#reconcile-run button[data-test=preview-reconcile]")
    browser.find("#reconcile-preview [data-test=bank-reconcile]")
    browser.screenshot("reconcile-preview")
    browser.click("#reconcile-preview button[data-test=post-reconcile]")
    return str(browser.find("[data-test=bank-posted] ul.done").text)
