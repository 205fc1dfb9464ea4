"""What `pip install .` ships: every package of the source tree, so a non-editable install
imports what the editable one does (a package missing here is a ModuleNotFoundError only
a user of the wheel sees)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())
                 ["tool"]["setuptools"]["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "edi_posting").rglob("__init__.py")}
    assert on_disk - listed == set()
