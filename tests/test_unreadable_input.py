"""A file the user names that cannot be read, or a directory that cannot be listed, is
exit 66 with one line naming the path and the reason: for every command that reads one.

Root reads any file whatever its mode bits, and CI runs as root: there the CLI runs as
root without the capabilities that let it ignore them (``setpriv`` drops
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so the OS really refuses the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.x12build import build_x12
from tests.x835 import clp, remit, svc

ROOT = Path(__file__).resolve().parents[1]
Run = Callable[..., subprocess.CompletedProcess[str]]


def _refused_prefix(probe: Path) -> list[str]:
    """The command prefix under which ``probe`` (mode 000) cannot be opened."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: root reads any file, nothing to test")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    check = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'rb')"],
                           capture_output=True, check=False)
    if check.returncode == 0:
        pytest.skip("this process can still read a file without read permission")
    return prefix


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    prefix = _refused_prefix(probe)
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}",
           "EDI_POSTING_CODES_DIR": str(tmp_path / "codes")}
    env.pop("EDI_POSTING_DEBUG", None)

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, sys.executable, "-m", "edi_posting", *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path, check=False)

    yield invoke
    for path in tmp_path.rglob("*"):  # let pytest clean up
        path.chmod(0o700 if path.is_dir() else 0o600)


def _remit(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_x12(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                                svc("99213", "100", "80", "CO*45*20")))))
    return path


def _unreadable(path: Path) -> Path:
    _remit(path).chmod(0)
    return path


def _unlistable(path: Path) -> Path:
    _remit(path / "remit.835")
    path.chmod(0)
    return path


@pytest.mark.parametrize("command", [
    ["import"], ["import", "--dry-run"], ["parse"], ["parse", "--stats"], ["validate"],
])
def test_an_unreadable_file_exits_66_naming_it_and_why(run: Run, tmp_path: Path,
                                                       command: list[str]) -> None:
    path = _unreadable(tmp_path / "remit.835")
    result = run(*command, str(path))
    assert (result.returncode, result.stderr) == (
        66, f"edi-posting: {path}: cannot be read (Permission denied)\n")
    assert result.stdout == ""


def test_an_unreadable_file_inside_a_directory_stops_import_before_anything(
    run: Run, tmp_path: Path,
) -> None:
    _remit(tmp_path / "remits" / "a.835")
    path = _unreadable(tmp_path / "remits" / "b.835")
    result = run("import", str(tmp_path / "remits"))
    assert (result.returncode, result.stderr) == (
        66, f"edi-posting: {path}: cannot be read (Permission denied)\n")
    assert not (tmp_path / "edi.db").exists()


@pytest.mark.parametrize("nested", [False, True])
def test_a_directory_that_cannot_be_listed_exits_66_naming_it(run: Run, tmp_path: Path,
                                                              nested: bool) -> None:
    named = tmp_path / "remits"
    locked = _unlistable(named / "inner" if nested else named)
    result = run("import", str(named))
    assert (result.returncode, result.stderr) == (
        66, f"edi-posting: {locked}: cannot be listed (Permission denied)\n")


def test_an_unreadable_code_list_exits_66(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "carc.csv"
    path.write_text("code,description\n1,Deductible\n")
    path.chmod(0)
    result = run("codes", "update", str(path), "--list", "CARC")
    assert (result.returncode, result.stderr) == (
        66, f"edi-posting: {path}: cannot be read (Permission denied)\n")
