"""What the workbench ships: htmx vendored with its notice (source, version, SHA-256), no
page loading anything from elsewhere, and `serve` documented with its environment twins."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main

STATIC = Path(__file__).resolve().parents[1] / "edi_posting" / "web" / "static"
TEMPLATES = STATIC.parent / "templates"


def test_htmx_is_vendored_with_a_notice_naming_its_source_version_and_checksum() -> None:
    notice = (STATIC / "NOTICE").read_text()
    digest = hashlib.sha256((STATIC / "htmx.min.js").read_bytes()).hexdigest()
    assert f"SHA-256 of htmx.min.js: {digest}" in notice
    assert "htmx 2.0.3" in notice and "django-js-lib-htmx 2.0.3.1" in notice
    assert "Zero-Clause BSD" in notice


def test_no_template_loads_anything_from_outside_the_package() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"""(src|href|action)=["'](https?:)?//""", text), template.name
        assert "<script>" not in text and " style=" not in text, template.name  # CSP: none inline


def test_serve_help_gives_an_example_and_the_environment_twins() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for twin in ("EDI_POSTING_SERVE_HOST", "EDI_POSTING_SERVE_PORT",
                 "EDI_POSTING_SERVE_IDLE_MINUTES", "EDI_POSTING_SERVE_THREADS"):
        assert twin in result.output
    assert "edi-posting serve" in result.output
