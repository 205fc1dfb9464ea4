"""Shared fixtures: real databases (a SQLite file and PostgreSQL) and the corpus path.

Every database test runs on both backends through the ``database_url`` fixture.  Each
backend is migrated once per session into a template that is copied per test (a file copy
on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL).

PostgreSQL comes from EDI_POSTING_TEST_POSTGRES_URL (a role allowed to CREATE DATABASE),
or from a throwaway cluster started with .ci/start-postgres when PostgreSQL's binaries are
installed.  Where neither is possible the PostgreSQL tests are skipped, except under
CI=true, where a skipped PostgreSQL test fails the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from edi_posting.db.engine import make_engine
from edi_posting.db.migration import upgrade

if TYPE_CHECKING:
    from tests.x835 import Practice

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
_counter = itertools.count()


def pytest_report_header() -> str:
    return f"edi-posting PostgreSQL: {_postgres_admin_url() or 'not available'}"


@pytest.fixture(autouse=True)
def _cheap_password_hashes(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its smallest cost, in every test but those of the hashing itself
    (tests/test_passwords.py keeps the product's RFC 9106 parameters): a web test sets a
    password for each role and logs in, and at full cost the hashing alone took minutes
    of the suite."""
    if request.module.__name__.endswith("test_passwords"):
        return
    from argon2 import PasswordHasher

    from edi_posting.access import passwords
    monkeypatch.setattr(passwords, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})")
    return CORPUS


# --- PostgreSQL -------------------------------------------------------------------------

_started: dict[str, str] = {}


def _postgres_admin_url() -> str | None:
    url = os.environ.get("EDI_POSTING_TEST_POSTGRES_URL")
    if url:
        return url
    if "url" in _started:
        return _started["url"]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return None
    try:
        out = subprocess.run(
            ["bash", str(REPO / ".ci" / "start-postgres")],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        _started[key] = value
    _started["url"] = _started.get("EDI_POSTING_TEST_POSTGRES_URL", "")
    return _started["url"] or None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    datadir, bindir = _started.get("EDI_POSTING_TEST_PG_DATADIR"), _started.get(
        "EDI_POSTING_TEST_PG_BINDIR"
    )
    if datadir and bindir:
        stop = f"{bindir}/pg_ctl -D {datadir} -m immediate stop"
        cmd = ["su", "postgres", "-s", "/bin/bash", "-c", stop] if os.getuid() == 0 else stop
        subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, check=False)
        shutil.rmtree(datadir, ignore_errors=True)


def _require_postgres() -> str:
    url = _postgres_admin_url()
    if url:
        return url
    reason = "PostgreSQL not available: set EDI_POSTING_TEST_POSTGRES_URL or install postgresql"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
    pytest.skip(reason)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin_execute(admin_url: str, *statements: str) -> None:
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _drop_database(admin_url: str, name: str) -> None:
    """FORCE ends the test's own sessions, but the test role (not a superuser) may not end an
    autovacuum worker that happens to be in the database: that refusal is retried for a few
    seconds, until the worker has left, instead of failing the test's teardown."""
    for attempt in range(20):
        try:
            _admin_execute(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except DBAPIError as exc:
            refused = getattr(exc.orig, "sqlstate", None) == "42501"  # insufficient privilege
            if not refused or attempt == 19:
                raise
            time.sleep(0.1 * (attempt + 1))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    admin = _require_postgres()
    name = f"edi_tmpl_{os.getpid()}"
    _admin_execute(admin, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    engine = make_engine(_with_database(admin, name))
    upgrade(engine)
    engine.dispose()
    yield name
    _drop_database(admin, name)


def _fresh_postgres(template: str | None) -> Iterator[str]:
    admin = _require_postgres()
    name = f"edi_t_{os.getpid()}_{next(_counter)}"
    clause = f" TEMPLATE {template}" if template else ""
    _admin_execute(admin, f"CREATE DATABASE {name}{clause}")
    yield _with_database(admin, name)
    _drop_database(admin, name)


# --- SQLite -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# --- the fixtures tests use ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the test's backend."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "edi.db"
        shutil.copyfile(template, target)
        target.chmod(0o600)  # as edi-posting creates a database (copyfile follows the umask)
        yield f"sqlite:///{target}"
    else:
        yield from _fresh_postgres(request.getfixturevalue("postgres_template"))


@pytest.fixture
def postgres_admin_url() -> str:
    """A URL allowed to CREATE DATABASE, for code that makes its own (the benchmarks)."""
    return _require_postgres()


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from _fresh_postgres(None)


@pytest.fixture
def database_factory(backend: str, request: pytest.FixtureRequest, tmp_path: Path
                     ) -> Callable[[], AbstractContextManager[str]]:
    """Fresh migrated databases of the test's backend, as many as the test asks for.

    For tests that need a new database per run inside one test function (a Hypothesis
    state machine runs many examples within a single test): each ``with factory() as url``
    is an empty migrated copy of the session template, dropped (PostgreSQL) on exit.
    """
    template = request.getfixturevalue(
        "sqlite_template" if backend == "sqlite" else "postgres_template")

    @contextmanager
    def fresh() -> Iterator[str]:
        if backend == "sqlite":
            target = tmp_path / f"edi-{next(_counter)}.db"
            shutil.copyfile(template, target)
            try:
                yield f"sqlite:///{target}"
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
        else:
            made = _fresh_postgres(template)
            try:
                yield next(made)
            finally:
                next(made, None)  # drops the database, even when the run failed

    return fresh


# --- the login, doubled ------------------------------------------------------------------

_real_identity = {"on": False}


@pytest.fixture(scope="session", autouse=True)
def _login_double() -> Iterator[None]:
    """A test double of the authenticated login: the claimed actor (--actor) is trusted.

    Most tests play several people (``--actor alice`` then ``--actor sam``) from one OS user
    and one PostgreSQL role, which production refuses (edi_posting.access.actor).  Tests marked
    ``real_identity`` get the real check.  Session-wide, so module-scoped fixtures that run
    the CLI get it too; production code has no switch that trusts a claim.
    """
    from edi_posting.access import actor
    from edi_posting.audit.login import current_login

    real = actor.resolve_actor

    def trusting(conn: Connection, claimed: str | None) -> str:
        if _real_identity["on"]:
            return real(conn, claimed)
        return claimed or current_login(conn)

    patch = pytest.MonkeyPatch()
    patch.setattr(actor, "resolve_actor", trusting)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _real_identity_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    _real_identity["on"] = request.node.get_closest_marker("real_identity") is not None
    yield
    _real_identity["on"] = False


@pytest.fixture(autouse=True)
def _own_codes_dir(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped code lists, never a developer's ``codes update`` in their home."""
    monkeypatch.setenv("EDI_POSTING_CODES_DIR", str(tmp_path_factory.getbasetemp() / "codes"))


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    """A practice's database (tests/x835.py) on each backend; after the test, ``ledger
    check`` must be clean, and with it the queue's ownership of every open dollar."""
    from tests.x835 import Practice

    p = Practice(database_url, tmp_path)
    yield p
    p.check()
    p.close()


#: The staff of the API tests: one user per role (``as_user`` adds them).
USERS = (("ada", "admin"), ("sam", "specialist"), ("pat", "poster"), ("leo", "lead"),
         ("aud", "auditor"))


@pytest.fixture
def as_user(practice: Practice) -> Iterator[Any]:
    """``as_user(name)``: a session acting as that user (the login double trusts the claim)."""
    import edi_posting
    from edi_posting.access.permissions import add_user
    from edi_posting.audit.writes import write_transaction

    with write_transaction(practice.engine) as conn:
        for name, role in USERS:
            add_user(conn, name, role, actor="ada")
    yield lambda name: edi_posting.Session(practice.engine, claimed_actor=name)
