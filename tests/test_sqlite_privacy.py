"""On SQLite the operating system is the access control: the database file (and its
-wal/-shm/-journal) and the archive directory are created private to their owner, so a
second OS user on the machine can neither read nor change them; what the owner's own
access changes is found by `audit verify --archive`."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

REPO = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(db: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", f"sqlite:///{db}", "--actor", "owner", *args])


def _day(directory: Path) -> list[str]:
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    claims = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                       interchange_control="000000201")
    paid = remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                           svc("99213", "100", "80", "CO*45*20")))
    return [str(write_x12(directory, claims, "claims.837")),
            str(write_x12(directory, build_x12(paid, interchange_control="000000202"),
                          "remit.835"))]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory every user may traverse (as a home or /srv would be), so only the
    modes of what edi-posting creates in it stand between a second user and the data."""
    directory = Path(tempfile.mkdtemp(prefix="edi-privacy-"))
    os.chmod(directory, 0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _imported(shared_dir: Path) -> tuple[Path, Path]:
    incoming = shared_dir / "incoming"
    incoming.mkdir()
    db, archive = shared_dir / "edi.db", shared_dir / "archive"
    result = _cli(db, "import", "--archive-dir", str(archive), *_day(incoming))
    assert result.exit_code == 0, result.output
    return db, archive


def test_database_and_archive_are_created_private_to_their_owner(shared_dir: Path) -> None:
    old = os.umask(0o022)  # the usual umask would make them 0644 / 0755
    try:
        db, archive = _imported(shared_dir)
        engine = make_engine(f"sqlite:///{db}")
        with engine.connect() as conn:  # an open reader: the -wal and -shm files exist
            conn.exec_driver_sql("SELECT count(*) FROM audit_events").all()
            companions = {p.name: _mode(p) for p in shared_dir.iterdir()
                          if p.name.startswith("edi.db")}
        engine.dispose()
    finally:
        os.umask(old)
    assert set(companions) >= {"edi.db", "edi.db-wal", "edi.db-shm"}
    assert companions == {name: 0o600 for name in companions}
    directories = [archive, *(p for p in archive.rglob("*") if p.is_dir())]
    files = [p for p in archive.rglob("*") if p.is_file()]
    assert len(directories) == 3 and len(files) == 2
    assert {_mode(p) for p in directories} == {0o700}
    assert {_mode(p) for p in files} == {0o600}


def test_audit_verify_and_db_check_warn_when_the_database_is_open_to_others(shared_dir: Path) -> None:
    db, _ = _imported(shared_dir)
    assert "warning" not in _cli(db, "audit", "verify").stderr
    os.chmod(db, 0o644)
    result = _cli(db, "audit", "verify")
    assert result.exit_code == 0, result.output
    warning = (f"warning: {db} is mode -rw-r--r--: group or others may read or write the "
               f"database (PHI); run chmod 600 {db}")
    assert warning in result.stderr
    checked = _cli(db, "db", "check")
    assert checked.exit_code == 0 and warning in checked.stderr


def _other_user() -> Iterator[pwd.struct_passwd]:
    if os.geteuid() != 0:
        pytest.skip("needs root to create a second OS user (useradd)")
    if shutil.which("useradd") is None or shutil.which("userdel") is None:
        pytest.skip("useradd/userdel are not installed: no second OS user to try with")
    name = f"ediintr{os.getpid() % 100000}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.fixture
def intruder() -> Iterator[pwd.struct_passwd]:
    yield from _other_user()


_ATTEMPTS = r"""
import os, sqlite3, sys
db, archived = sys.argv[1], sys.argv[2]
def attempt(name, action):
    try:
        action()
        print(name, "allowed")
    except (OSError, sqlite3.Error) as exc:
        print(name, "refused", type(exc).__name__)
def replace():
    with open("/tmp/" + os.path.basename(archived) + ".evil", "wb") as out:
        out.write(b"ISA*forged~")
    os.replace("/tmp/" + os.path.basename(archived) + ".evil", archived)
attempt("read", lambda: open(db, "rb").read())
attempt("write", lambda: open(db, "r+b").write(b"x"))
attempt("sqlite", lambda: sqlite3.connect(db).execute("SELECT count(*) FROM audit_events").fetchall())
attempt("edit-archived", lambda: open(archived, "r+b").write(b"x"))
attempt("replace-archived", replace)
"""


def _as(user: pwd.struct_passwd, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), check=False, user=user.pw_uid, group=user.pw_gid,
                          extra_groups=[],
                          capture_output=True, text=True, cwd="/tmp", timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})


def _edi_posting_as(user: pwd.struct_passwd, db: Path) -> subprocess.CompletedProcess[str] | None:
    """`edi-posting ledger check` as the other user, when that user can run our interpreter
    at all (it may live in root's home, which the other user cannot enter)."""
    try:
        if _as(user, sys.executable, "-c", "import sqlalchemy").returncode != 0:
            return None
    except PermissionError:  # the interpreter itself is out of the other user's reach
        return None
    return _as(user, sys.executable, "-m", "edi_posting", "--db", f"sqlite:///{db}",
               "ledger", "check")


def test_a_second_os_user_can_neither_read_nor_change_the_database_or_archive(
        shared_dir: Path, intruder: pwd.struct_passwd) -> None:
    db, archive = _imported(shared_dir)
    archived = next(p for p in archive.rglob("*") if p.is_file())
    tried = _as(intruder, "/usr/bin/python3", "-c", _ATTEMPTS, str(db), str(archived))
    verdicts = dict(line.split(" ", 1) for line in tried.stdout.splitlines())
    assert verdicts == {
        "read": "refused PermissionError", "write": "refused PermissionError",
        "sqlite": "refused OperationalError", "edit-archived": "refused PermissionError",
        "replace-archived": "refused PermissionError"}, tried.stdout + tried.stderr
    ran = _edi_posting_as(intruder, db)
    if ran is not None:
        assert ran.returncode == 69 and "unable to open database file" in ran.stderr, ran.stderr
    owner = _cli(db, "audit", "verify", "--archive")
    assert owner.exit_code == 0, owner.output
    assert "warning" not in owner.stderr


def test_an_archived_file_changed_with_the_owners_access_is_found_at_that_file(
        shared_dir: Path) -> None:
    db, archive = _imported(shared_dir)
    rows = json.loads(_cli(db, "audit", "log", "--action", "import.file",
                           "--format", "json").stdout)
    remit_sha = next(r["object_id"] for r in rows if r["summary"]["kind"] == "835")
    target = archive / remit_sha[:2] / remit_sha
    target.write_bytes(target.read_bytes().replace(b"CLP*PCN1*1*100*80", b"CLP*PCN1*1*100*08"))
    result = _cli(db, "audit", "verify", "--archive")
    assert result.exit_code == 1, result.output
    found = [line for line in result.stdout.splitlines() if line.startswith("archive:")]
    assert len(found) == 1 and f"(remit.835): archived bytes at {target}" in found[0]
    assert f"recorded {remit_sha}" in found[0]
