"""`edi-posting eob template`: the empty keyed paper-EOB template (CSV header or JSON).

A filled template is imported with `edi-posting import` (see README "Keyed paper EOBs").
No database: the template is the documented layout.  Exit codes: 0 ok, 2 usage.
"""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import format_option

__all__ = ["USES_APP_CONTEXT", "command"]

USES_APP_CONTEXT = False


@click.group("eob", epilog="""\b
Example:
  edi-posting eob template --format csv > eob.csv
  edi-posting import eob.csv""")
def command() -> None:
    """Keyed paper EOBs: the template a keyer fills, then `import` posts it like an 835."""


@command.command("template", epilog="""\b
Example:
  edi-posting eob template > eob.csv
  edi-posting eob template --format json > eob.json
Exit codes: 0 ok, 2 usage.""")
@format_option(edi_posting.EOB_TEMPLATE_FORMS, default="csv")
def template(output_format: str) -> None:
    """Print an empty keyed-EOB template on stdout: csv, the header row (one row per
    service line or PLB); json, the nested skeleton (check -> claims -> lines, plb)."""
    click.echo(edi_posting.eob_template(output_format), nl=False)
