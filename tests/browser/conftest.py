"""Browser tests of the web workbench: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium, on the real application served by waitress.

Fixtures:

- ``live_server`` (one per test module and backend, parametrized ``sqlite`` and
  ``postgresql`` like the rest of the suite): a fresh database with one user per role of
  tests/conftest.py ``USERS`` (password ``workbench.PASSWORD.format(name)``) and the demo day
  imported as ``ada``; ``create_app`` over it with a ``Clock`` the test moves
  (``live_server.clock.advance(seconds)``) served on 127.0.0.1 at a free port
  (``live_server.url``); ``live_server.api(name)`` is the public API as that user on the
  same database, to check what the clicks wrote.  After the module ``ledger check`` must be
  clean.  The tests of a module share its database: each test works its own items (or the
  module orders its tests), so a module costs one demo import per backend.
- ``browser``: one Chromium for the whole run, a fresh cookie jar for each test
  (nobody logged in); ``browser.log_in(name)``, ``browser.go(path)``, ``browser.find(css)``,
  ``browser.wait_text(css, text)``, ``browser.wait_for(condition, what)`` (explicit waits:
  never sleep), ``browser.screenshot(name)`` (PNG under ``EDI_POSTING_TEST_ARTIFACTS``,
  default ``test-artifacts/browser/``; a failing test saves one by itself).

To add a browser test for a new screen: a module ``tests/browser/test_browser_<screen>.py``
taking ``browser`` (and ``live_server`` to check the database through the public API),
naming each test by the behaviour it shows, waiting on what the page shows (an ``id`` or
``data-test`` hook of your template), and taking a ``screenshot`` of each screen.
Helpers of the existing screens are in ``workbench.py`` (``queue_rows``,
``open_item_whose_message_has``, ``preview_action``).

Without Chromium or chromedriver (or Selenium) these tests are skipped, saying why,
except under ``CI=true``, where a missing browser fails the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import edi_posting
from edi_posting.web.app import create_app
from edi_posting.web.settings import WebSettings
from tests.browser.workbench import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORD,
    Browser,
    Clock,
    LiveServer,
    artifacts_dir,
    serving,
)
from tests.conftest import USERS, _admin_execute, _drop_database, _with_database

_databases = itertools.count()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; .ci/run installs "
                    "chromium and chromium-driver)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the run, through Debian's chromedriver (Selenium is
    given the driver's path, so it never tries to download one)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        _unavailable(f"browser tests need Debian's chromium and chromium-driver: "
                     f"missing {', '.join(missing)}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("browser tests need selenium (pip install -e '.[test]')")
    profile = tempfile.mkdtemp(prefix="edi-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class DemoTemplates:
    """The demo day imported once per backend and run (the staff with their passwords
    too), copied for each module: a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
    PostgreSQL, so that a module costs a copy, not an import."""

    def __init__(self, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> None:
        self._request = request
        self._tmp = tmp_path_factory
        self._made: dict[str, str] = {}  # backend -> template file or database name
        self._admin: str | None = None

    @contextmanager
    def copy(self, backend: str) -> Iterator[str]:
        """A fresh database holding the demo day, dropped afterwards; its URL."""
        template = self._template(backend)
        if backend == "sqlite":
            target = self._tmp.mktemp("browser") / "edi.db"
            shutil.copyfile(template, target)
            target.chmod(0o600)  # as edi-posting creates a database
            yield f"sqlite:///{target}"
            return
        with self._postgres(f"TEMPLATE {template}") as url:
            yield url

    def _template(self, backend: str) -> str:
        if backend not in self._made:
            self._made[backend] = (self._sqlite_demo() if backend == "sqlite"
                                   else self._postgres_demo())
        return self._made[backend]

    def _sqlite_demo(self) -> str:
        target = self._tmp.mktemp("browser-demo") / "demo.db"
        shutil.copyfile(self._request.getfixturevalue("sqlite_template"), target)
        session = _demo_day(f"sqlite:///{target}")
        with session.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        session.close()
        return str(target)

    def _postgres_demo(self) -> str:
        template = self._request.getfixturevalue("postgres_template")  # skips without it
        self._admin = _suite_conftest(self._request)._require_postgres()
        name = f"edi_browser_demo_{os.getpid()}"
        _admin_execute(self._admin, f"CREATE DATABASE {name} TEMPLATE {template}")
        _demo_day(_with_database(self._admin, name)).close()
        return name

    @contextmanager
    def _postgres(self, clause: str) -> Iterator[str]:
        assert self._admin is not None
        name = f"edi_browser_{os.getpid()}_{next(_databases)}"
        _admin_execute(self._admin, f"CREATE DATABASE {name} {clause}")
        try:
            yield _with_database(self._admin, name)
        finally:
            _drop_database(self._admin, name)

    def close(self) -> None:
        if self._admin is not None and "postgresql" in self._made:
            _drop_database(self._admin, self._made["postgresql"])


@pytest.fixture(scope="session")
def demo_templates(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[DemoTemplates]:
    templates = DemoTemplates(request, tmp_path_factory)
    yield templates
    templates.close()


def _suite_conftest(request: pytest.FixtureRequest) -> Any:
    """tests/conftest.py as pytest loaded it (it knows the PostgreSQL it may have started)."""
    suite = str(Path(__file__).resolve().parents[1] / "conftest.py")
    for plugin in request.config.pluginmanager.get_plugins():
        if str(getattr(plugin, "__file__", "")) == suite:
            return plugin
    raise LookupError(f"{suite} is not loaded")


def _demo_day(url: str) -> edi_posting.Session:
    """The staff (one user per role, each with a password) and the demo day imported."""
    server = edi_posting.open_session(url)
    ada = edi_posting.Session(server.engine, claimed_actor="ada")
    for name, role in USERS:
        edi_posting.add_user(ada, name, role)
    edi_posting.import_demo(ada)
    for name, _ in USERS:
        edi_posting.set_password(ada, name, PASSWORD.format(name))
    return server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                chromium: Any, demo_templates: DemoTemplates) -> Iterator[LiveServer]:
    """The workbench over the demo day, served by waitress (see the module docstring)."""
    backend = str(request.param)
    with pytest.MonkeyPatch.context() as env:
        # as tests/conftest.py's _own_codes_dir, for the whole module: never a developer's
        env.setenv("EDI_POSTING_CODES_DIR", str(tmp_path_factory.getbasetemp() / "codes"))
        with demo_templates.copy(backend) as url:
            yield from _serve_demo(backend, url)


def _serve_demo(backend: str, url: str) -> Iterator[LiveServer]:
    checker = edi_posting.open_session(url)
    try:
        clock = Clock()
        app = create_app(url, WebSettings(secure_cookies=False, clock=clock))
        try:
            with serving(app) as base:
                live = LiveServer(backend, url, base, clock, checker)
                yield live
            assert edi_posting.check_ledger(live.api()).violations == []
        finally:
            app.extensions["edi_posting.server"].close()
    finally:
        checker.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser(chromium: Any, live_server: LiveServer, request: pytest.FixtureRequest
            ) -> Iterator[Browser]:
    """A tab on the live server with no cookies (no one logged in); on failure the page
    is kept as ``...-failed.png``."""
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.get("about:blank")
    tab = Browser(chromium, live_server, artifacts_dir(), request.node.name)
    yield tab
    if request.node.stash.get(_FAILED, False):
        tab.screenshot("failed")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every browser test carries the ``browser`` marker (``-m 'not browser'`` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
