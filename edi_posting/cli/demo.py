"""`edi-posting demo`: import the bundled demo day and show what it did."""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import echo_err, echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext

__all__ = ["command"]

_QUEUE_COLUMNS = ["id", "kind", "amount", "patient_control_number", "message"]


@click.command(
    "demo",
    epilog="""\b
Example:
  edi-posting demo
  edi-posting --db sqlite:///demo.db demo --format json
  edi-posting --db sqlite:///demo.db claim show A31715C0000023""",
)
@format_option(("table", "json"))
@click.pass_obj
def command(app: AppContext, output_format: str) -> None:
    """Import the demo day (3 claim files, 10 remittances) and list the open review items.

    Running it again imports nothing new (everything is already imported) and shows the
    queue as it stands.
    """
    from edi_posting.cli.importing import render_results

    result = app.call(edi_posting.import_demo, app.session(), progress=echo_err)
    items = result.open_items
    if output_format == "json":
        echo_json({"files": [f.to_dict() for f in result.imported.files],
                   "totals": result.imported.totals(), "open_review_items": items})
        return
    render_results(result.imported, "table", show_problems=False)
    click.echo()
    click.echo(f"open review items: {len(items)}")
    render_rows(items, _QUEUE_COLUMNS, "table")
    echo_err("next: edi-posting claim show A31715C0000023   (paid, reversed, corrected)")
    echo_err("      edi-posting queue list --kind denial")
    echo_err("      edi-posting ledger check")
