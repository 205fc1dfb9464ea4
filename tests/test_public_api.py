"""The public API: every name ``edi_posting`` lists resolves, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import edi_posting


def test_every_listed_name_is_exported_and_every_export_is_listed() -> None:
    exports = set(edi_posting._EXPORTS)
    assert set(edi_posting.__all__) == exports | {"__version__"}
    for name in sorted(exports):
        assert getattr(edi_posting, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'post_everything'"):
        edi_posting.post_everything  # noqa: B018


def test_importing_the_package_loads_no_database_machinery() -> None:
    code = "import sys, edi_posting; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
